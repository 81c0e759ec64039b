package io.exitscope.testutil;

import io.exitscope.calibrate.ExerciserRun;
import io.exitscope.source.live.TracefsFiles;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What live tests need from this host, each checked once and turned into a JUnit assumption with
 * a clear reason: root, tracefs, a usable /dev/kvm, the KVM exerciser. Plus helpers to read
 * tracefs (stream reads: tracefs file sizes lie), start the exerciser stopped, and run exitscope
 * as a real subprocess (signals need one).
 */
public final class Kvm {
    public static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    /** The top-level tracing files exitscope must leave exactly as found. */
    public static final List<String> TOP_LEVEL = List.of("set_event", "tracing_on", "trace_clock", "current_tracer", "buffer_size_kb");

    private static Boolean kvmUsable;
    private static String kvmProblem;

    private Kvm() {}

    public static boolean isRoot() {
        try {
            for (String line : TracefsFiles.read(Path.of("/proc/self/status")).lines().toList()) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return false;
    }

    public static boolean hasTracefs() {
        return Files.isDirectory(TRACEFS.resolve("instances")) && Files.isRegularFile(TRACEFS.resolve("trace_clock"));
    }

    /** The exerciser from {@code -Dexitscope.native.dir} (surefire: target/native), or null. */
    public static Path exerciserPath() {
        Path p = Path.of(System.getProperty("exitscope.native.dir", "target/native"), "kvm-exerciser").toAbsolutePath();
        return Files.isExecutable(p) ? p : null;
    }

    public static Path assumeExerciser() {
        Path p = exerciserPath();
        Assumptions.assumeTrue(p != null, "kvm-exerciser not built (needs gcc at build time; looked in -Dexitscope.native.dir="
                + System.getProperty("exitscope.native.dir", "target/native") + ")");
        return p;
    }

    /** /dev/kvm exists and a one-pass exerciser run succeeds (checked once). */
    public static synchronized boolean kvmUsable() {
        if (kvmUsable != null) return kvmUsable;
        Path ex = exerciserPath();
        if (!Files.exists(Path.of("/dev/kvm"))) {
            kvmProblem = "/dev/kvm does not exist";
            return kvmUsable = false;
        }
        if (ex == null) {
            kvmProblem = "no exerciser to probe /dev/kvm with";
            return kvmUsable = false;
        }
        try {
            Process p = new ProcessBuilder(ex.toString(), "--mode", "pio", "--iterations", "1").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            boolean done = p.waitFor(30, TimeUnit.SECONDS);
            kvmUsable = done && p.exitValue() == 0;
            if (!kvmUsable) kvmProblem = "/dev/kvm not usable: " + out;
        } catch (IOException | InterruptedException e) {
            kvmUsable = false;
            kvmProblem = "cannot run the exerciser: " + e.getMessage();
        }
        return kvmUsable;
    }

    /** Everything a live test with the exerciser needs; skips with the first missing one. */
    public static Path assumeLiveWithExerciser() {
        assumeLiveTracing();
        Path ex = assumeExerciser();
        Assumptions.assumeTrue(kvmUsable(), () -> kvmProblem);
        return ex;
    }

    /** Root and tracefs (for live tracing without a guest). */
    public static void assumeLiveTracing() {
        Assumptions.assumeTrue(isLinux(), "not Linux");
        Assumptions.assumeTrue(isRoot(), "live tracing needs root");
        Assumptions.assumeTrue(hasTracefs(), "no tracefs mounted at " + TRACEFS + " (as root: mount -t tracefs nodev " + TRACEFS + ")");
    }

    public static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase().contains("linux");
    }

    /** A tracefs file, read to its end as a stream. */
    public static String read(Path p) throws IOException {
        return TracefsFiles.read(p);
    }

    /** The top-level files exitscope must not change, name to content. */
    public static Map<String, String> topLevelSnapshot() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String f : TOP_LEVEL) m.put(f, read(TRACEFS.resolve(f)));
        return m;
    }

    /** Names of the instances whose name starts with {@code prefix}. */
    public static List<String> instances(String prefix) throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(TRACEFS.resolve("instances"), prefix + "*")) {
            for (Path p : ds) out.add(p.getFileName().toString());
        }
        return out;
    }

    public static boolean instanceExists(long pid) {
        return Files.isDirectory(TRACEFS.resolve("instances").resolve("exitscope-" + pid));
    }

    /** Waits until exitscope's instance of {@code pid} exists (tracing has started); false on timeout. */
    public static boolean awaitInstance(long pid, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            if (instanceExists(pid)) return true;
            Thread.sleep(20);
        }
        return instanceExists(pid);
    }

    /**
     * Waits until exitscope's instance of {@code pid} traces: every KVM event it enables reads 1 and
     * then {@code tracing_on} reads 1. (A new instance starts with tracing_on 1 before exitscope
     * switches it off to configure it, so tracing_on alone would say "ready" too early.) False on timeout.
     */
    public static boolean awaitTracing(long pid, long timeoutMs) throws InterruptedException {
        Path dir = TRACEFS.resolve("instances").resolve("exitscope-" + pid);
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            try {
                boolean enabled = true;
                int seen = 0;
                for (String ev : io.exitscope.source.live.TracefsInstance.KVM_EVENTS) {
                    Path en = dir.resolve("events").resolve(ev).resolve("enable");
                    if (!Files.exists(TRACEFS.resolve("events").resolve(ev))) continue;
                    seen++;
                    if (!read(en).strip().equals("1")) {
                        enabled = false;
                        break;
                    }
                }
                if (enabled && seen > 0 && read(dir.resolve("tracing_on")).strip().equals("1")) return true;
            } catch (IOException notYet) {
                // not created yet
            }
            Thread.sleep(10);
        }
        return false;
    }

    /** The exerciser, exec'd but stopped before its first guest instruction: its pid is known, {@code resume()} starts it. */
    public static ExerciserRun startStopped(String... args) throws IOException {
        return ExerciserRun.startStopped(assumeExerciser(), List.of(args));
    }

    /** The test class path as a list of entries (surefire's real one, not its booter jar). */
    public static List<String> classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) cp = System.getProperty("java.class.path");
        List<String> out = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) if (!e.isBlank()) out.add(e);
        return out;
    }

    public static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code java -cp <test class path> io.exitscope.cli.Main ARGS}, output to the given files. */
    public static Process startMain(Path stdout, Path stderr, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", String.join(File.pathSeparator, classPath()), "io.exitscope.cli.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    }

    /** Sends a signal by name ({@code INT}, {@code TERM}, {@code HUP}, {@code KILL}) with kill(1). */
    public static void signal(long pid, String sig) throws IOException, InterruptedException {
        Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).redirectErrorStream(true).start();
        String out = new String(k.getInputStream().readAllBytes());
        if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) throw new IOException("kill -" + sig + " " + pid + ": " + out);
    }

    /** The threads of a JVM that did not end, for the failure message ({@code jcmd Thread.print}), or why there are none. */
    public static String threadDump(long pid) {
        try {
            Process j = new ProcessBuilder("jcmd", Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
            String out = new String(j.getInputStream().readAllBytes());
            j.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException | InterruptedException e) {
            return "(no thread dump: " + e.getMessage() + ")";
        }
    }

    /**
     * The signals a child of this JVM will act on, of {@code INT}, {@code TERM}, {@code HUP}: a
     * signal ignored here (a test run under {@code nohup} ignores HUP) stays ignored in the
     * children, and the JVM honours that, so sending it would test nothing but the wait.
     */
    public static List<String> stoppingSignals() throws IOException {
        long ignored = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) ignored = Long.parseUnsignedLong(line.substring(7).trim(), 16);
        }
        List<String> out = new java.util.ArrayList<>();
        if ((ignored & (1L << (2 - 1))) == 0) out.add("INT");
        if ((ignored & (1L << (15 - 1))) == 0) out.add("TERM");
        if ((ignored & (1L << (1 - 1))) == 0) out.add("HUP");
        else System.err.println("SIGHUP is ignored in this test run (nohup?): not sent");
        return out;
    }
}
