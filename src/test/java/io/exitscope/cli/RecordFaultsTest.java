package io.exitscope.cli;

import io.exitscope.event.Event;
import io.exitscope.event.EventStream;
import io.exitscope.source.tracedat.TraceDatReader;
import io.exitscope.source.tracedat.TraceDatWriter;
import io.exitscope.testutil.Cli;
import io.exitscope.testutil.Kvm;
import io.exitscope.testutil.TraceCmd;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code exitscope record} cut short keeps what it recorded: on a file system that fills up
 * (a 3 MiB tmpfs mounted by the test), on SIGINT/SIGTERM/SIGHUP, and after SIGKILL through
 * {@code info} and {@code recover}. With no guest here the KVM tracepoints are quiet, so the
 * recording adds the scheduler's and read()'s tracepoints ({@code -e}), which this busy host
 * fires thousands of times a second. The truth: trace-cmd's own count of the events in the file
 * equals the count exitscope reports as kept, and exitscope reads the same number.
 */
class RecordFaultsTest {
    static final String[] LOAD = {"-e", "sched/sched_switch", "-e", "sched/sched_wakeup", "-e", "syscalls/sys_enter_read"};
    static final Pattern KEPT = Pattern.compile("kept (\\d+) events in .*, lost (\\d+) \\((\\d+) dropped by the kernel, (\\d+) not written\\)");
    /** A trace-cmd report event line: "comm-pid [cpu] seconds: name: ...". */
    static final Pattern EVENT_LINE = Pattern.compile("\\[\\d{3}\\] +\\d+\\.\\d+: [a-z_0-9]+:");

    @TempDir
    Path tmp;

    static void assumeRecording() {
        Assumptions.assumeTrue(Kvm.isRoot(), "recording needs root");
        Assumptions.assumeTrue(Kvm.hasTracefs(), "no tracefs at " + Kvm.TRACEFS);
        Assumptions.assumeTrue(Files.exists(Kvm.TRACEFS.resolve("events/kvm")), "no kvm tracepoints (KVM not loaded)");
        Assumptions.assumeTrue(Files.exists(Kvm.TRACEFS.resolve("events/sched/sched_switch")), "no sched tracepoints");
    }

    private Process record(String name, Path out, String... more) throws IOException {
        List<String> a = new ArrayList<>(List.of("record", "-o", out.toString(), "--buffer-kb", "1024"));
        a.addAll(List.of(LOAD));
        a.addAll(List.of(more));
        return Kvm.startMain(tmp.resolve(name + ".out"), tmp.resolve(name + ".err"), a.toArray(String[]::new));
    }

    private String err(String name) throws IOException {
        return Files.readString(tmp.resolve(name + ".err"));
    }

    private static int waitExit(Process p, int seconds) throws InterruptedException {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("record did not end within " + seconds + " s");
        }
        return p.exitValue();
    }

    /** Events in the file by trace-cmd report (when installed) and by exitscope's reader: equal, and returned. */
    static long eventsInFile(Path f) throws IOException {
        long ours = 0;
        try (TraceDatReader r = TraceDatReader.open(f); EventStream s = r.events()) {
            while (s.advance()) if (s.current().kind() != Event.Kind.LOST) ours++;
        }
        if (TraceCmd.available()) {
            long theirs = TraceCmd.report(f).stream().filter(l -> EVENT_LINE.matcher(l).find()).count();
            assertEquals(theirs, ours, "trace-cmd report and exitscope read the same events from " + f);
        }
        Cli rep = Cli.run("report", f.toString());
        assertEquals(0, rep.code, "exitscope report opens it: " + rep);
        return ours;
    }

    /** Waits for "recording N events on M CPUs into FILE": the file is open and pages are read. */
    private void awaitRecording(Process p, String name) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!err(name).contains(" CPUs into ")) {
            assertTrue(p.isAlive() && System.currentTimeMillis() < deadline, "recording did not start: " + err(name));
            Thread.sleep(50);
        }
    }

    static long kept(String err) {
        Matcher m = KEPT.matcher(err);
        assertTrue(m.find(), "kept and lost counts in: " + err);
        assertEquals(Long.parseLong(m.group(2)), Long.parseLong(m.group(3)) + Long.parseLong(m.group(4)), "lost = kernel + not written");
        return Long.parseLong(m.group(1));
    }

    private static void sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + ": " + out);
    }

    /**
     * The disk fills: exit 1, "No space left on device", kept and lost counts, and the file holds
     * exactly the events said to be kept; nothing else is left on the file system, no instance on the host.
     */
    @Test
    void aFullDiskKeepsWhatWasRecorded() throws Exception {
        assumeRecording();
        Path mnt = Files.createDirectories(tmp.resolve("small"));
        try {
            sh("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mnt.toString());
        } catch (IOException e) {
            Assumptions.abort("cannot mount a tmpfs here: " + e.getMessage());
        }
        try {
            Path out = mnt.resolve("r.dat");
            Map<String, String> top = Kvm.topLevelSnapshot();
            Process p = record("full", out, "--duration", "120s");
            int code = waitExit(p, 150);
            String e = err("full");
            assertEquals(1, code, e);
            assertTrue(e.contains("recording cut short: No space left on device"), e);
            long kept = kept(e);
            assertTrue(kept > 0, e);
            try (var ds = Files.list(mnt)) {
                assertEquals(List.of(out), ds.toList(), "only the recording is on the full disk");
            }
            assertEquals(kept, eventsInFile(out), "the events said to be kept are in the file");
            assertFalse(Kvm.instanceExists(p.pid()), "instance removed");
            assertEquals(top, Kvm.topLevelSnapshot(), "top-level tracing files unchanged");
        } finally {
            sh("umount", mnt.toString());
        }
    }

    /** SIGINT, SIGTERM, SIGHUP: exit 128 + signal, the file holds the events said to be kept. */
    @Test
    void signalsFinishTheFile() throws Exception {
        assumeRecording();
        Map<String, Integer> sigs = Map.of("INT", 130, "TERM", 143, "HUP", 129);
        for (String sig : io.exitscope.testutil.Kvm.stoppingSignals()) {
            Path out = tmp.resolve(sig + ".dat");
            Process p = record(sig, out);
            awaitRecording(p, sig);
            Thread.sleep(1000);
            Kvm.signal(p.pid(), sig);
            int code = waitExit(p, 30);
            String e = err(sig);
            assertEquals(sigs.get(sig), code, sig + ": " + e);
            assertTrue(e.contains("recording stopped by a signal"), sig + ": " + e);
            long kept = kept(e);
            assertTrue(kept > 0, e);
            assertEquals(kept, eventsInFile(out), sig + ": the events said to be kept are in the file");
            assertFalse(Files.exists(TraceDatWriter.partialDir(out)), "no working directory left");
            assertFalse(Kvm.instanceExists(p.pid()), sig + ": instance removed");
        }
    }

    /**
     * SIGKILL leaves FILE.partial; info FILE says how many pages are recoverable and how;
     * recover writes a file trace-cmd and exitscope read, with that many pages of events.
     */
    @Test
    void afterSigkillInfoSaysWhatIsRecoverableAndRecoverRecoversIt() throws Exception {
        assumeRecording();
        Path out = tmp.resolve("killed.dat");
        Process p = record("killed", out);
        awaitRecording(p, "killed");
        Thread.sleep(2000);
        Kvm.signal(p.pid(), "KILL");
        waitExit(p, 20);
        // the killed process's instance stays until the next exitscope starts; this test removes its own
        Files.deleteIfExists(Kvm.TRACEFS.resolve("instances").resolve("exitscope-" + p.pid()));
        assertFalse(Files.exists(out));
        Cli info = Cli.run("info", out.toString());
        assertEquals(1, info.code, info.toString());
        Matcher m = Pattern.compile("(\\d+) pages of (\\d+) CPUs \\((\\d+) bytes\\) are recoverable; recover it with: exitscope recover ").matcher(info.err);
        assertTrue(m.find(), info.toString());
        long pages = Long.parseLong(m.group(1));
        assertTrue(pages > 0, info.toString());
        Cli rec = Cli.run("recover", out.toString());
        assertEquals(0, rec.code, rec.toString());
        assertTrue(rec.err.contains("recovered " + pages + " pages"), rec.toString());
        assertFalse(Files.exists(TraceDatWriter.partialDir(out)), "FILE.partial removed");
        long events = eventsInFile(out);
        assertTrue(events > pages, "a page of scheduler events holds many: " + events + " in " + pages);
        try (TraceDatReader r = TraceDatReader.open(out)) {
            long recovered = ((io.exitscope.source.TraceInfo.TraceDat) r.info().details()).buffers().get(0).cpus().stream().mapToLong(c -> c.size()).sum();
            assertTrue(recovered > 0, "CPU data in the recovered file");
        }
    }
}
