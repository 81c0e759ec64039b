package io.exitscope.source.live;

import io.exitscope.testutil.Kvm;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without root, {@code live} and {@code calibrate} refuse with one clear sentence and a non-zero exit,
 * and {@code info} still prints what it can read. Runs the commands as user nobody (uid 65534) via
 * setpriv, from a world-readable copy of the class path (root's Maven repository is not readable by nobody).
 */
class UnprivilegedTest {
    record Result(int code, String out, String err) {}

    private static Path cp;

    static synchronized Path classPathCopy() throws IOException {
        if (cp != null) return cp;
        Path dir = Files.createTempDirectory("exitscope-nobody-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        int i = 0;
        for (String e : Kvm.classPath()) {
            Path src = Path.of(e);
            if (!Files.exists(src)) continue;
            Path dst = dir.resolve((i++) + "-" + src.getFileName());
            if (Files.isDirectory(src)) {
                try (Stream<Path> walk = Files.walk(src)) {
                    for (Path p : (Iterable<Path>) walk::iterator) {
                        Path t = dst.resolve(src.relativize(p).toString());
                        if (Files.isDirectory(p)) Files.createDirectories(t);
                        else Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } else {
                Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp dir
            }
        }));
        return cp = dir;
    }

    static Result asNobody(String... args) throws Exception {
        Assumptions.assumeTrue(Kvm.isRoot(), "needs root to switch to user nobody");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) || Files.isExecutable(Path.of("/bin/setpriv")),
                "setpriv (util-linux) not installed");
        Path dir = classPathCopy();
        List<String> entries = new ArrayList<>();
        try (Stream<Path> l = Files.list(dir)) {
            l.sorted().forEach(p -> entries.add(p.toString()));
        }
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Kvm.javaBin(), "-XX:TieredStopAtLevel=1", "-Xmx128m",
                "-Dexitscope.native.dir=" + System.getProperty("exitscope.native.dir", "target/native"),
                "-cp", String.join(File.pathSeparator, entries), "io.exitscope.cli.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(new File("/")).start();
        p.getOutputStream().close();
        var out = p.getInputStream();
        var err = p.getErrorStream();
        byte[][] o = new byte[2][];
        Thread t = new Thread(() -> {
            try {
                o[1] = err.readAllBytes();
            } catch (IOException e) {
                o[1] = new byte[0];
            }
        });
        t.start();
        o[0] = out.readAllBytes();
        t.join(30_000);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "ended");
        String so = new String(o[0]), se = new String(o[1]);
        Assumptions.assumeFalse(se.contains("Could not find or load main class") || se.contains("Error occurred during initialization"),
                "cannot run java as nobody here: " + se);
        return new Result(p.exitValue(), so, se);
    }

    /** One line on stderr, starting with "exitscope: " and ending like a sentence, no stack trace. */
    static void oneSentence(Result r) {
        List<String> lines = r.err().strip().lines().toList();
        assertEquals(1, lines.size(), "one line on stderr: " + r.err());
        assertTrue(lines.get(0).startsWith("exitscope: "), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void liveRefusesWithOneSentence() throws Exception {
        Assumptions.assumeTrue(Kvm.isLinux(), "not Linux");
        Result r = asNobody("live", "--batch", "--duration", "1");
        assertTrue(r.code() != 0, "non-zero exit: " + r);
        oneSentence(r);
        assertTrue(r.err().contains("root"), "says root is needed: " + r.err());
        assertTrue(r.out().isEmpty(), "nothing on stdout: " + r.out());
    }

    @Test
    void calibrateRefusesWithOneSentence() throws Exception {
        Assumptions.assumeTrue(Kvm.isLinux(), "not Linux");
        Kvm.assumeExerciser();
        Result r = asNobody("calibrate");
        assertEquals(1, r.code(), r.toString());
        oneSentence(r);
        assertTrue(r.err().contains("/dev/kvm"), "names /dev/kvm: " + r.err());
    }

    @Test
    void infoWorksWithoutRootAndSaysWhatItCouldNotRead() throws Exception {
        Assumptions.assumeTrue(Kvm.isLinux(), "not Linux");
        Result r = asNobody("info");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("cpus online:"), r.out());
        assertTrue(r.out().contains("kvm:"), r.out());
        assertTrue(r.out().contains("not root"), "says what it could not read: " + r.out());
    }
}
