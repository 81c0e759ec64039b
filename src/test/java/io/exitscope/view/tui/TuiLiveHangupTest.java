package io.exitscope.view.tui;

import io.exitscope.testutil.Tmux;
import io.exitscope.testutil.Kvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The terminal of the live view goes away, as when an SSH connection drops or the tmux session is
 * killed (the kernel hangs up the terminal: SIGHUP, then EIO on it): exitscope ends within seconds,
 * removes its instance and leaves the top-level tracing files as found. Root, tracefs and tmux.
 */
class TuiLiveHangupTest {
    @Test
    void killingTheTmuxSessionEndsLiveAndRemovesItsInstance(@TempDir Path dir) throws Exception {
        Path tracefs = TuiLiveTmuxTest.assumeLiveInTmux();
        Map<String, String> top = Kvm.topLevelSnapshot();
        Path sh = Tmux.launcher(dir);
        Tmux t = new Tmux(80, 24, dir);
        Path instance;
        long pid;
        try {
            instance = TuiLiveTmuxTest.startLive(t, sh, dir, tracefs, "300ms");
            pid = Tmux.launchedPid(dir);
            t.run("kill-session", "-t", "e2e");
        } finally {
            t.close();
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        long deadline = System.currentTimeMillis() + 20_000;
        while (h.map(ProcessHandle::isAlive).orElse(false) && System.currentTimeMillis() < deadline) Thread.sleep(50);
        assertFalse(h.map(ProcessHandle::isAlive).orElse(false), "exitscope ended after its terminal went away");
        assertFalse(Files.exists(instance), "its instance is removed");
        assertEquals(top, Kvm.topLevelSnapshot(), "top-level tracing files unchanged");
        assertTrue(Kvm.instances("exitscope-" + pid).isEmpty());
    }
}
