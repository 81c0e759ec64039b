package io.exitscope.source.live;

import io.exitscope.testutil.Kvm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way {@code exitscope live} ends leaves the host as found: its instance removed (a stale one
 * of a SIGKILLed run removed, and announced, by the next start) and the top-level {@code set_event},
 * {@code tracing_on}, {@code trace_clock}, {@code current_tracer}, {@code buffer_size_kb} unchanged.
 * Signals need a real process: {@code java -cp <test class path> io.exitscope.cli.Main live --batch}.
 */
class LiveTeardownTest {
    static Map<String, String> before;
    static final List<Long> started = new ArrayList<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void snapshot() throws IOException {
        if (Kvm.isRoot() && Kvm.hasTracefs()) before = Kvm.topLevelSnapshot();
    }

    @AfterAll
    static void hostAsFound() throws IOException {
        if (before == null) return;
        assertEquals(before, Kvm.topLevelSnapshot(), "top-level tracing files read exactly as before");
        for (long pid : started) assertFalse(Kvm.instanceExists(pid), "no instance left by process " + pid);
    }

    private Process live(String name, String... args) throws IOException {
        List<String> a = new ArrayList<>(List.of("live", "--batch", "--interval", "200ms"));
        a.addAll(List.of(args));
        Process p = Kvm.startMain(tmp.resolve(name + ".out"), tmp.resolve(name + ".err"), a.toArray(String[]::new));
        started.add(p.pid());
        return p;
    }

    private String err(String name) throws IOException {
        return Files.readString(tmp.resolve(name + ".err"));
    }

    private void assertClean(Process p, String name) throws IOException {
        assertFalse(Kvm.instanceExists(p.pid()), name + ": instance exitscope-" + p.pid() + " removed\n" + err(name));
        assertEquals(before, Kvm.topLevelSnapshot(), name + ": top-level tracing files unchanged");
    }

    private int waitExit(Process p, String name) throws InterruptedException, IOException {
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            String threads = Kvm.threadDump(p.pid());
            p.destroyForcibly();
            throw new AssertionError(name + ": exitscope did not end within 20 s; stderr: " + err(name) + "\n" + threads);
        }
        return p.exitValue();
    }

    @Test
    void endOfDuration() throws Exception {
        Kvm.assumeLiveTracing();
        Process p = live("duration", "--duration", "1");
        assertEquals(0, waitExit(p, "duration"), err("duration"));
        assertTrue(Files.readString(tmp.resolve("duration.out")).contains("==="), "printed intervals");
        assertClean(p, "duration");
    }

    @Test
    void sigintSigtermSighup() throws Exception {
        Kvm.assumeLiveTracing();
        List<Process> ps = new ArrayList<>();
        List<String> sigs = Kvm.stoppingSignals();
        for (String sig : sigs) ps.add(live("sig" + sig));
        for (Process p : ps) assertTrue(Kvm.awaitTracing(p.pid(), 20_000), "tracing started in " + p.pid());
        Thread.sleep(300); // inside the read loop
        for (int i = 0; i < ps.size(); i++) Kvm.signal(ps.get(i).pid(), sigs.get(i));
        for (int i = 0; i < ps.size(); i++) {
            int code = waitExit(ps.get(i), "sig" + sigs.get(i));
            assertTrue(code != 0, "ended by SIG" + sigs.get(i) + " (exit " + code + ")");
            assertClean(ps.get(i), "sig" + sigs.get(i));
        }
    }

    @Test
    void sigkillThenNewStartRemovesStaleInstance() throws Exception {
        Kvm.assumeLiveTracing();
        Process killed = live("killed");
        assertTrue(Kvm.awaitTracing(killed.pid(), 20_000), "tracing started");
        Kvm.signal(killed.pid(), "KILL");
        killed.waitFor(10, TimeUnit.SECONDS);
        // SIGKILL leaves the instance behind (nothing can run); another exitscope starting right now would remove it first
        Assumptions.assumeTrue(Kvm.instanceExists(killed.pid()), "another exitscope on this host removed the stale instance first");
        Process next = live("next", "--duration", "500ms");
        assertEquals(0, waitExit(next, "next"), err("next"));
        String e = err("next");
        assertTrue(e.contains("removed stale tracefs instance exitscope-" + killed.pid()), "the new start says so: " + e);
        assertFalse(Kvm.instanceExists(killed.pid()), "stale instance removed");
        assertClean(next, "next");
    }
}
