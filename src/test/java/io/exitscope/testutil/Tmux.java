package io.exitscope.testutil;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The end-to-end tests' terminal: a private tmux server (own socket) with one shell pane, driven
 * as a person would: keys in with {@code send-keys}, the screen out with {@code capture-pane -p};
 * closing it kills the server. Also how exitscope is started in it ({@link #launcher}) and found
 * again ({@link #launchedPid}).
 */
public final class Tmux implements AutoCloseable {
    /** The directory the tests run in (the checkout): bundled traces are named relative to it. */
    public static final Path CWD = Path.of("").toAbsolutePath();

    private static int counter;
    final String socket;
    final Path dir;

    /** Skips the test where tmux is not installed. */
    public static void assumeAvailable() {
        Assumptions.assumeTrue(available(), "tmux is not installed");
    }

    /**
     * A script that records its pid in {@code dir/pid}, then becomes the JVM running exitscope with
     * its arguments: the classes under test (the test class path), so the tests work in
     * {@code mvn test} before the jar is packaged.
     */
    public static Path launcher(Path dir) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path cp = dir.resolve("classpath");
        Files.writeString(cp, System.getProperty("java.class.path"));
        Path sh = dir.resolve("exitscope.sh");
        Files.writeString(sh, "#!/bin/sh\n"
                + "echo $$ > '" + dir.resolve("pid") + "'\n"
                + "exec '" + java + "' -Xmx512m -cp \"$(cat '" + cp + "')\" io.exitscope.cli.Main \"$@\"\n");
        return sh;
    }

    /** The pid of the exitscope the {@link #launcher} in {@code dir} started last (waits up to 10 s for it). */
    public static long launchedPid(Path dir) throws IOException, InterruptedException {
        Path f = dir.resolve("pid");
        for (int i = 0; i < 200 && (!Files.exists(f) || Files.readString(f).isBlank()); i++) Thread.sleep(50);
        return Long.parseLong(Files.readString(f).strip());
    }

    public static boolean available() {
        try {
            Process p = new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A pane of {@code cols} x {@code rows} whose shell starts in the checkout ({@link #CWD}); {@code dir} takes its files. */
    public Tmux(int cols, int rows, Path dir) throws IOException, InterruptedException {
        this(cols, rows, CWD, dir);
    }

    public Tmux(int cols, int rows, Path cwd, Path dir) throws IOException, InterruptedException {
        synchronized (Tmux.class) {
            socket = "exitscope-test-" + ProcessHandle.current().pid() + "-" + (++counter);
        }
        this.dir = dir;
        // a plain shell with a fixed prompt; the test's locale, so the UI picks the same glyphs as a user's
        run("new-session", "-d", "-s", "e2e", "-x", Integer.toString(cols), "-y", Integer.toString(rows), "-c", cwd.toString(),
                "env", "PS1=$ ", "bash", "--norc", "--noprofile");
        run("set-option", "-t", "e2e", "-g", "window-size", "manual");
    }

    public String run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("tmux " + args[0] + " hangs");
        }
        if (p.exitValue() != 0) throw new IOException("tmux " + String.join(" ", args) + ": " + out);
        return out;
    }

    /** Keys as tmux names them (Enter, Escape, C-c) or plain characters. */
    public void keys(String... keys) throws IOException, InterruptedException {
        List<String> a = new ArrayList<>(List.of("send-keys", "-t", "e2e"));
        a.addAll(List.of(keys));
        run(a.toArray(new String[0]));
    }

    /** Types text literally (no key-name lookup), then Enter. */
    public void line(String text) throws IOException, InterruptedException {
        run("send-keys", "-t", "e2e", "-l", text);
        keys("Enter");
    }

    public String capture() throws IOException, InterruptedException {
        return run("capture-pane", "-p", "-t", "e2e");
    }

    public String waitFor(String what, Predicate<String> p, long seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        String s = "";
        while (System.nanoTime() < deadline) {
            s = capture();
            if (p.test(s)) return s;
            Thread.sleep(100);
        }
        throw new AssertionError("waited " + seconds + "s for " + what + "; the pane shows:\n" + s);
    }

    /** Waits until the whole pane matches {@code regex} (a screen is drawn in pieces: wait for all of it). */
    public String waitMatch(String what, String regex, long seconds) throws IOException, InterruptedException {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(regex, java.util.regex.Pattern.DOTALL);
        return waitFor(what, s -> p.matcher(s).matches(), seconds);
    }

    public String waitFor(String text, long seconds) throws IOException, InterruptedException {
        return waitFor("'" + text + "'", s -> s.contains(text), seconds);
    }

    /**
     * True when the pane, blanks aside, shows nothing but {@code EXIT=code} (and the next prompt):
     * what the shell screen holds after {@code clear; PROGRAM; echo EXIT=$?} once the program has
     * given the terminal back. Anything else is a frame drawn after the alternate screen was left.
     */
    public static boolean onlyExitStatus(String pane, int code) {
        return pane.replaceAll("\\s", "").matches("EXIT=" + code + "\\$?");
    }

    public void resize(int cols, int rows) throws IOException, InterruptedException {
        run("resize-window", "-t", "e2e", "-x", Integer.toString(cols), "-y", Integer.toString(rows));
    }

    /** Saves {@code stty -a} of the pane's terminal into {@code name} and waits for it. */
    public String stty(String name) throws IOException, InterruptedException {
        Path f = dir.resolve(name);
        Path tmp = dir.resolve(name + ".tmp"); // written whole, then renamed: the wait below never sees half of it
        line("stty -a > " + tmp + " && mv " + tmp + " " + f);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline && !Files.exists(f)) Thread.sleep(50);
        if (!Files.exists(f)) throw new AssertionError("stty -a did not run; the pane shows:\n" + capture());
        return Files.readString(f);
    }

    @Override
    public void close() {
        try {
            run("kill-server");
        } catch (IOException | InterruptedException e) {
            // already gone
        }
    }
}
