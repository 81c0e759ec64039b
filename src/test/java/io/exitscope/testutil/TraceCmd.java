package io.exitscope.testutil;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the installed {@code trace-cmd}, the oracle for everything trace.dat. Tests call
 * {@link #assumeAvailable()} (or a method that does) and are skipped, with the reason, on
 * machines without it. Every run has a timeout; stderr is captured and shown on failure.
 *
 * <p>The executable is {@code trace-cmd} on the PATH, or the path given in the system property
 * {@value #PROPERTY} (e.g. a newer build; a missing path makes the oracle tests skip).
 *
 * <p>Note: Debian's trace-cmd 3.1.6 is built with zstd only; it cannot open zlib files.
 */
public final class TraceCmd {
    private TraceCmd() {}

    public static final Duration TIMEOUT = Duration.ofSeconds(60);
    public static final String PROPERTY = "exitscope.trace-cmd";

    private static volatile String version;

    /** The result of one run. */
    public record Result(int exitCode, List<String> stdout, String stderr) {}

    /** True when the trace-cmd executable is found and answers {@code --version}. */
    public static boolean available() {
        return version() != null;
    }

    /** The first line of {@code trace-cmd --version} ("trace-cmd version 3.1.6 (...)"), or null. */
    public static String version() {
        String v = version;
        if (v == null) {
            v = "";
            String exe = executable();
            if (exe != null) {
                try {
                    Result r = exec(Duration.ofSeconds(20), exe, "--version");
                    v = r.stdout.stream().filter(l -> l.contains("version")).findFirst()
                            .orElse(r.stderr.lines().filter(l -> l.contains("version")).findFirst().orElse(""));
                    if (v.isEmpty() && r.exitCode == 0) v = "trace-cmd (unknown version)";
                } catch (IOException e) {
                    v = "";
                }
            }
            version = v;
        }
        return v.isEmpty() ? null : v;
    }

    /** The trace-cmd to run, or null when there is none. */
    private static String executable() {
        String exe = System.getProperty(PROPERTY, "trace-cmd");
        if (exe.contains(File.separator)) return Files.isExecutable(Path.of(exe)) ? exe : null;
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String d : path.split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, exe))) return Path.of(d, exe).toString();
        }
        return null;
    }

    /** Skips the calling test when trace-cmd is missing. */
    public static void assumeAvailable() {
        Assumptions.assumeTrue(available(), () -> "trace-cmd not found (" + System.getProperty(PROPERTY, "on the PATH")
                + "; apt-get install trace-cmd): skipping the comparison with trace-cmd");
    }

    /** {@code trace-cmd ARGS...}: skips when trace-cmd is missing; any exit code is returned. */
    public static Result run(String... args) throws IOException {
        assumeAvailable();
        String[] cmd = new String[args.length + 1];
        cmd[0] = executable();
        System.arraycopy(args, 0, cmd, 1, args.length);
        return exec(TIMEOUT, cmd);
    }

    /**
     * {@code trace-cmd report -t -R FILE}: every event with full-ns time stamps and raw fields.
     * Fails (with trace-cmd's stderr) when trace-cmd exits non-zero.
     */
    public static List<String> reportRaw(Path file) throws IOException {
        return report(file, "-t", "-R");
    }

    /** {@code trace-cmd report OPTIONS... FILE}, failing on a non-zero exit. */
    public static List<String> report(Path file, String... options) throws IOException {
        String[] args = new String[options.length + 3];
        args[0] = "report";
        System.arraycopy(options, 0, args, 1, options.length);
        args[options.length + 1] = "-i";
        args[options.length + 2] = file.toString();
        Result r = run(args);
        if (r.exitCode != 0) {
            throw new AssertionError("trace-cmd report " + file + " exited with " + r.exitCode + "; stderr:\n" + r.stderr);
        }
        return r.stdout;
    }

    private static Result exec(Duration timeout, String... cmd) throws IOException {
        Path err = Files.createTempFile("trace-cmd", ".stderr");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            AtomicBoolean timedOut = new AtomicBoolean();
            Thread watchdog = new Thread(() -> {
                try {
                    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                        timedOut.set(true);
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                }
            }, "trace-cmd-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            // stdout is read here and stderr goes to a file, so no pipe can fill up and block
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            int code;
            try {
                code = p.waitFor();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running trace-cmd", e);
            }
            if (timedOut.get()) throw new AssertionError("trace-cmd timed out after " + timeout + ": " + String.join(" ", cmd));
            return new Result(code, lines(out), Files.readString(err, StandardCharsets.ISO_8859_1));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static List<String> lines(byte[] out) {
        // Latin-1 keeps every byte as one char, so comparisons with our output are byte-exact
        String s = new String(out, StandardCharsets.ISO_8859_1);
        return new ArrayList<>(s.lines().toList());
    }
}
