package io.exitscope.source.tracedat;

import io.exitscope.event.EventStream;
import io.exitscope.source.TraceInfo;
import io.exitscope.testutil.SharedTraces;
import io.exitscope.view.DumpFormatter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The trace.dat reader against trace-cmd itself: every event of every real trace, line for line
 * with {@code trace-cmd report -t -R} (timestamp to the ns, CPU, pid, name, every field).
 * The zlib files are compared with the stored trace-cmd 3.1.6 outputs (Debian's trace-cmd has
 * no zlib); the others also with trace-cmd run here when it is installed.
 */
public class TraceDatOracleTest {
    static final String VMX = "x86-vmx-linux-6.5/";
    static final String PVM = "x86-pvm-linux-6.18/";

    static List<String> dump(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        try (TraceDatReader r = TraceDatReader.open(file)) {
            TraceInfo info = r.info();
            out.add("cpus=" + info.cpus());
            DumpFormatter f = DumpFormatter.forTrace(info);
            try (EventStream s = r.events()) {
                while (s.advance()) out.add(f.format(s.current()).toString());
            }
        }
        return out;
    }

    static void assertSameLines(List<String> expected, List<String> actual, String what) {
        int n = Math.min(expected.size(), actual.size());
        for (int i = 0; i < n; i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                fail(what + ": line " + (i + 1) + " differs\n  trace-cmd: " + expected.get(i) + "\n  exitscope: " + actual.get(i));
            }
        }
        assertEquals(expected.size(), actual.size(), what + ": line count");
    }

    static List<String> traceCmdReport(Path file) throws Exception {
        Assumptions.assumeTrue(new java.io.File("/usr/bin/trace-cmd").canExecute() || which("trace-cmd"),
                "trace-cmd not installed (apt-get install trace-cmd)");
        Process p = new ProcessBuilder("trace-cmd", "report", "-t", "-R", file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "trace-cmd timed out");
        assertEquals(0, p.exitValue(), "trace-cmd report failed on " + file);
        return new String(out, StandardCharsets.UTF_8).lines().toList();
    }

    public static boolean which(String cmd) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (new java.io.File(dir, cmd).canExecute()) return true;
        }
        return false;
    }

    @Test
    void tsc2nsecZlibV7MatchesReference() throws IOException {
        Path f = SharedTraces.require(VMX + "host-kvm-tsc2nsec.dat");
        List<String> ref = SharedTraces.lines(VMX + "reference/host-kvm-tsc2nsec.report.tc316-raw-fields-fullts.txt.gz");
        List<String> ours = dump(f);
        assertSameLines(ref, ours, f.toString());
        // 11,721 events on 15 CPUs incl. CPU 0 (which trace-cmd convert drops)
        assertEquals(11_721 + 1, ours.size());
        assertTrue(ours.stream().anyMatch(l -> l.contains("[000]")), "CPU 0 events present");
    }

    @Test
    void rawTscZstdV7MatchesReferenceAndTraceCmd() throws Exception {
        Path f = SharedTraces.require(VMX + "host-kvm-x86tsc.v7-zstd.dat");
        List<String> ref = SharedTraces.lines(VMX + "reference/host-kvm-x86tsc.report.tc316-raw-fields-fullts.txt.gz");
        List<String> ours = dump(f);
        assertSameLines(ref, ours, f.toString());
        assertEquals(7_792 + 1, ours.size());
        assertSameLines(traceCmdReport(f), ours, f + " (trace-cmd run here)");
    }

    @Test
    void uncompressedV6MatchesReferenceAndTraceCmd(@TempDir Path tmp) throws Exception {
        Path f = SharedTraces.gunzip(VMX + "host-kvm-x86tsc.v6-uncompressed.dat.gz", tmp);
        List<String> ref = SharedTraces.lines(VMX + "reference/host-kvm-x86tsc.report.tc316-raw-fields-fullts.txt.gz");
        List<String> ours = dump(f);
        assertSameLines(ref, ours, f.toString());
        assertSameLines(traceCmdReport(f), ours, f + " (trace-cmd run here)");
    }

    @Test
    void pvmInstanceBufferZstdMatchesReferenceAndTraceCmd() throws Exception {
        Path f = SharedTraces.require(PVM + "pvm-ioeventfd-ab.dat");
        List<String> ref = SharedTraces.lines(PVM + "reference/pvm-ioeventfd-ab.report-raw-fields-fullts.txt.gz");
        List<String> ours = dump(f);
        assertSameLines(ref, ours, f.toString());
        assertSameLines(traceCmdReport(f), ours, f + " (trace-cmd run here)");
    }

    @Test
    void metadataOfRealFiles() throws IOException {
        try (TraceDatReader r = TraceDatReader.open(SharedTraces.require(VMX + "host-kvm-tsc2nsec.dat"))) {
            TraceInfo i = r.info();
            assertEquals(7, i.fileVersion());
            assertTrue(i.compression().startsWith("zlib"), i.compression());
            assertEquals("tsc2nsec", i.clock()); // the buffer's clock as recorded; TRACECLOCK says x86-tsc
            assertTrue(((io.exitscope.source.TraceInfo.TraceDat) i.details()).clocksAvailable().contains("x86-tsc"));
            assertEquals(735842807L, i.tsc2nsec().mult());
            assertEquals(31, i.tsc2nsec().shift());
            assertEquals(20, i.cpus());
            assertEquals("Linux pamhal 6.5.0-21-generic x86_64", i.uname());
            assertEquals(1, i.guests().size());
            assertTrue(i.nanosecondClock());
            assertEquals(15, ((io.exitscope.source.TraceInfo.TraceDat) i.details()).buffers().stream().mapToInt(b -> b.cpus().size()).sum());
        }
        try (TraceDatReader r = TraceDatReader.open(SharedTraces.require(PVM + "pvm-ioeventfd-ab.dat"))) {
            TraceInfo i = r.info();
            assertEquals("local", i.clock());
            assertEquals(2, i.cpus());
            assertTrue(((io.exitscope.source.TraceInfo.TraceDat) i.details()).buffers().stream().anyMatch(b -> b.name().equals("ref") && b.cpus().size() == 2));
            assertEquals("g2", r.comm(21516));
            Kallsyms k = r.kallsyms();
            assertTrue(k.symbols() > 1000);
        }
    }
}
