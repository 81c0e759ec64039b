package io.exitscope.source.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exitscope.testutil.Kvm;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileSystemException;
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
 * {@code live --batch} survives what its environment does to it (root and tracefs; no guest
 * needed): someone removing its private instance (the kernel refuses while the readers hold it
 * open, so live goes on), its tracefs mount unmounted under it (a separate mount the test makes,
 * never the system's; lazily, as plain umount is refused while files are open), a CPU going
 * offline and online. Each run ends with exit 0, every interval printed back to back, its
 * instance removed and the top-level tracing files as found. (Signals and SIGKILL: LiveTeardownTest;
 * the terminal going away: view.tui.TuiLiveTmuxTest.)
 */
class LiveEnvironmentTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static void assumeLive() {
        Assumptions.assumeTrue(Kvm.isRoot(), "live tracing needs root");
        Assumptions.assumeTrue(Kvm.hasTracefs(), "no tracefs at " + Kvm.TRACEFS);
        Assumptions.assumeTrue(Files.exists(Kvm.TRACEFS.resolve("events/kvm")), "no kvm tracepoints (KVM not loaded)");
    }

    private Process live(String name, Map<String, String> env) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Kvm.javaBin(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", String.join(File.pathSeparator, Kvm.classPath()), "io.exitscope.cli.Main",
                "live", "--batch", "--interval", "250ms", "--duration", "4s", "-f", "json"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(tmp.resolve(name + ".out").toFile()).redirectError(tmp.resolve(name + ".err").toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Exit 0, nothing on stderr, at least 10 intervals each starting where the last ended, instance gone. */
    private void assertWentOn(Process p, String name, Map<String, String> top) throws Exception {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(name + ": live did not end within 30 s");
        }
        String err = Files.readString(tmp.resolve(name + ".err"));
        assertEquals(0, p.exitValue(), name + ": " + err);
        assertEquals("", err.strip(), name + ": nothing to say");
        long prevEnd = -1;
        int n = 0;
        for (String l : Files.readAllLines(tmp.resolve(name + ".out"))) {
            JsonNode j = JSON.readTree(l);
            if (prevEnd >= 0) assertEquals(prevEnd, j.get("interval_start_ns").asLong(), name + ": intervals back to back");
            prevEnd = j.get("interval_end_ns").asLong();
            n++;
        }
        assertTrue(n >= 10, name + ": 4 s of 250 ms intervals, got " + n);
        assertFalse(Kvm.instanceExists(p.pid()), name + ": instance removed");
        assertEquals(top, Kvm.topLevelSnapshot(), name + ": top-level tracing files unchanged");
    }

    private static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(20, TimeUnit.SECONDS);
        return p.exitValue() + " " + out.strip();
    }

    @Test
    void instanceRemovedBySomeoneElse() throws Exception {
        assumeLive();
        Map<String, String> top = Kvm.topLevelSnapshot();
        Process p = live("rmdir", Map.of());
        assertTrue(Kvm.awaitTracing(p.pid(), 20_000), "tracing started");
        Thread.sleep(500);
        Path inst = Kvm.TRACEFS.resolve("instances").resolve("exitscope-" + p.pid());
        FileSystemException refused = null;
        try {
            Files.delete(inst);
        } catch (FileSystemException e) {
            refused = e;
        }
        // the kernel keeps an instance whose files are open (kernel/trace/trace.c, __remove_instance: -EBUSY)
        assertTrue(refused != null && String.valueOf(refused.getReason()).contains("busy"), "rmdir refused as busy: " + refused);
        assertWentOn(p, "rmdir", top);
    }

    @Test
    void tracefsUnmountedUnderIt() throws Exception {
        assumeLive();
        Path mnt = Files.createDirectories(tmp.resolve("tracefs"));
        String m = sh("mount", "-t", "tracefs", "nodev", mnt.toString());
        Assumptions.assumeTrue(m.startsWith("0"), "cannot mount a tracefs here: " + m);
        boolean mounted = true;
        try {
            Map<String, String> top = Kvm.topLevelSnapshot();
            Process p = live("umount", Map.of("EXITSCOPE_TRACEFS", mnt.toString()));
            assertTrue(Kvm.awaitTracing(p.pid(), 20_000), "tracing started");
            assertTrue(Files.isDirectory(mnt.resolve("instances").resolve("exitscope-" + p.pid())), "its instance, through the test's mount");
            Thread.sleep(500);
            assertTrue(sh("umount", mnt.toString()).contains("busy"), "plain umount is refused while live reads");
            assertTrue(sh("umount", "-l", mnt.toString()).startsWith("0"), "lazy umount");
            mounted = false;
            assertWentOn(p, "umount", top);
        } finally {
            if (mounted) sh("umount", "-l", mnt.toString());
        }
    }

    @Test
    void aCpuGoesOfflineAndOnline() throws Exception {
        assumeLive();
        Path online = Path.of("/sys/devices/system/cpu/cpu1/online");
        Assumptions.assumeTrue(Files.isWritable(online), "no writable " + online + " (one CPU, or CPU hotplug not offered here)");
        Assumptions.assumeTrue(Files.readString(online).strip().equals("1"), "CPU 1 is offline");
        Map<String, String> top = Kvm.topLevelSnapshot();
        Process p = live("hotplug", Map.of());
        try {
            assertTrue(Kvm.awaitTracing(p.pid(), 20_000), "tracing started");
            Thread.sleep(500);
            Files.writeString(online, "0");
            Thread.sleep(700); // short: the machine is shared
        } finally {
            Files.writeString(online, "1");
        }
        assertWentOn(p, "hotplug", top);
    }
}
