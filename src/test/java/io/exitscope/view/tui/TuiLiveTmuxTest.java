package io.exitscope.view.tui;

import io.exitscope.testutil.Kvm;
import io.exitscope.testutil.Tmux;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code exitscope live} in tmux. Without a guest (root, tracefs): q and SIGTERM leave terminal and
 * tracing as found. While the KVM exerciser runs (also /dev/kvm and the exerciser,
 * {@code exitscope.native.dir}): its port shows up in the table with the number of exits the
 * exerciser made, and after q the tracefs instance is gone and the terminal is as before.
 */
class TuiLiveTmuxTest {
    static final String PORT = "0x5a5"; // a port nobody else's test writes to: our row, not theirs

    /** tmux, root and a tracefs with instances, or the test is skipped; the tracefs found. */
    static Path assumeLiveInTmux() {
        Tmux.assumeAvailable();
        Kvm.assumeLiveTracing();
        return Kvm.TRACEFS;
    }

    /** Starts {@code exitscope live} in the pane, waits for its view; its private instance, checked to exist. */
    static Path startLive(Tmux t, Path sh, Path dir, Path tracefs, String interval) throws Exception {
        t.line("clear; sh " + sh + " live --interval " + interval + "; echo EXIT=$?");
        t.waitFor("the live view", x -> x.matches("(?s).*exitscope live . exits +live, tracefs instance exitscope-\\d+.*"), 60);
        Path instance = tracefs.resolve("instances").resolve("exitscope-" + Tmux.launchedPid(dir));
        assertTrue(Files.isDirectory(instance), "the private instance " + instance);
        return instance;
    }

    /**
     * The live view's ways out that need no guest, as a person uses it: it opens on this host, q
     * and SIGTERM each leave the terminal as it was ({@code stty -a}), remove the private
     * instance, and the top-level tracing files read as before.
     */
    @Test
    void liveViewWithoutAGuestLeavesTerminalAndTracingAsFound(@TempDir Path dir) throws Exception {
        Path tracefs = assumeLiveInTmux();
        java.util.Map<String, String> top = Kvm.topLevelSnapshot();
        Path sh = Tmux.launcher(dir);
        for (String way : new String[]{"q", "SIGTERM"}) {
            try (Tmux t = new Tmux(80, 24, dir)) {
                String before = t.stty("stty-before");
                Path instance = startLive(t, sh, dir, tracefs, "300ms");
                long pid = Tmux.launchedPid(dir);
                t.keys("?");
                t.waitFor("this help", 10);
                String s;
                if (way.equals("q")) {
                    t.keys("Escape");
                    // the feed thread's commands: a baseline closes the window and opens the compare screen
                    t.keys("b");
                    t.waitMatch("the compare screen", ".*A baseline: window \\d\\d:\\d\\d:\\d\\d\\.\\.\\d\\d:\\d\\d:\\d\\d.*", 10);
                    t.keys("q");
                    s = t.waitFor("EXIT=0", 30);
                } else {
                    new ProcessBuilder("kill", "-TERM", Long.toString(pid)).start().waitFor(5, TimeUnit.SECONDS);
                    // the status, not the typed "echo EXIT=$?": that shows as soon as the terminal is
                    // restored, while the teardown hook may still be removing the instance
                    s = t.waitMatch("the exit status", "(?s).*EXIT=\\d+.*", 30);
                    assertTrue(s.contains("EXIT=143"), "SIGTERM: exit status 143\n" + s);
                }
                assertFalse(s.contains("exitscope live"), way + ": the alternate screen is gone\n" + s);
                assertTrue(Tmux.onlyExitStatus(s, way.equals("q") ? 0 : 143), way + ": nothing drawn on the shell screen\n" + s);
                assertFalse(Files.exists(instance), way + ": the instance is removed");
                assertEquals(before, t.stty("stty-after"), way + ": stty -a");
            }
        }
        assertEquals(top, Kvm.topLevelSnapshot(), "top-level tracing files");
    }

    @Test
    void liveViewShowsTheExercisersExitsAndRemovesItsInstance(@TempDir Path dir) throws Exception {
        Path tracefs = assumeLiveInTmux();
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/kvm")), "no /dev/kvm");
        Path exerciser = Path.of(System.getProperty("exitscope.native.dir", "target/native"), "kvm-exerciser");
        Assumptions.assumeTrue(Files.isExecutable(exerciser), "no KVM exerciser at " + exerciser + " (built by mvn compile when gcc is present)");

        Path sh = Tmux.launcher(dir);
        try (Tmux t = new Tmux(120, 40, dir)) {
            String before = t.stty("stty-before");
            Path instance = startLive(t, sh, dir, tracefs, "500ms");
            t.keys("x"); // subkeys: ports
            t.keys("f");
            t.line(PORT); // only our port: other tests may run VMs at the same time
            t.waitFor("filter /" + PORT + "/", 10);

            Process ex = new ProcessBuilder(exerciser.toString(), "-m", "pio", "-p", PORT, "-n", "20000").redirectErrorStream(true).start();
            String json = new String(ex.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(ex.waitFor(60, TimeUnit.SECONDS) && ex.exitValue() == 0, json);
            Matcher m = Pattern.compile("\"io_by_port\":\\{\"" + PORT + "\":(\\d+)").matcher(json);
            assertTrue(m.find(), json);
            long made = Long.parseLong(m.group(1));

            Pattern row = Pattern.compile("PIO port " + PORT + " out +0/0/100 +(\\d+) ");
            String s = t.waitFor("all " + made + " exits on port " + PORT, x -> {
                Matcher r = row.matcher(x);
                return r.find() && Long.parseLong(r.group(1)) >= made - 2;
            }, 30);
            Matcher r = row.matcher(s);
            assertTrue(r.find(), s);
            long shown = Long.parseLong(r.group(1));
            if (s.contains("lost 0")) {
                assertTrue(shown <= made && shown >= made - 2, "shown " + shown + " of " + made + " (the last exit may still be open)\n" + s);
            }


            // b: what was counted becomes the baseline; a second, shorter run shows as the shift
            t.keys("b");
            t.waitMatch("the compare screen", ".*A baseline: window \\d\\d:\\d\\d:\\d\\d\\.\\.\\d\\d:\\d\\d:\\d\\d.*", 10);
            ex = new ProcessBuilder(exerciser.toString(), "-m", "pio", "-p", PORT, "-n", "5000").redirectErrorStream(true).start();
            json = new String(ex.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(ex.waitFor(60, TimeUnit.SECONDS) && ex.exitValue() == 0, json);
            s = t.waitMatch("the second run against the first", ".*PIO port " + PORT + " out +\\d+\u2192(499[89]|5000) .*", 30);

            t.keys("q");
            s = t.waitFor("EXIT=0", 30);
            assertFalse(s.contains("exitscope live"), "the alternate screen is gone\n" + s);
            assertTrue(Tmux.onlyExitStatus(s, 0), "nothing drawn on the shell screen\n" + s);
            assertFalse(Files.exists(instance), "the instance is removed on q");
            assertEquals(before, t.stty("stty-after"), "stty -a after q");
        }
    }
}
