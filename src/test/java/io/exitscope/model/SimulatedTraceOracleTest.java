package io.exitscope.model;

import io.exitscope.testutil.Cli;
import io.exitscope.testutil.TraceCmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * trace-cmd, the oracle, reads simulated big-endian s390 traces and sees exactly the events
 * {@code exitscope dump} sees; and it parses every print format we wrote.
 */
class SimulatedTraceOracleTest {
    @TempDir
    Path tmp;

    @Test
    void traceCmdReadsEveryWorkloadLikeDump() throws Exception {
        TraceCmd.assumeAvailable();
        for (String w : List.of("diag500", "rr", "sigp", "bql")) {
            Path f = tmp.resolve(w + ".dat");
            Cli sim = Cli.run("simulate", "--workload", w, "--vcpus", "3", "--seconds", "0.01", "--seed", "3",
                    "--switch", "ioeventfd=" + (w.equals("rr") ? "on" : "off"), "-o", f.toString());
            assertEquals(0, sim.code, sim.toString());
            List<String> theirs = TraceCmd.reportRaw(f);
            List<String> ours = Cli.run("dump", f.toString()).out.lines().toList();
            assertTrue(ours.size() > 100, w + ": " + ours.size() + " lines");
            for (int i = 0; i < Math.min(theirs.size(), ours.size()); i++) {
                if (!theirs.get(i).equals(ours.get(i))) fail(w + " line " + (i + 1) + "\n  trace-cmd: " + theirs.get(i) + "\n  exitscope: " + ours.get(i));
            }
            assertEquals(theirs.size(), ours.size(), w + ": line count");
        }
    }

    @Test
    void traceCmdSeesAnS390BigEndianSimulatedFile() throws Exception {
        TraceCmd.assumeAvailable();
        Path f = tmp.resolve("d.dat");
        assertEquals(0, Cli.run("simulate", "--workload", "diag500", "--seconds", "0.005", "--switch", "ioeventfd=off", "-o", f.toString()).code);
        TraceCmd.Result stat = TraceCmd.run("report", "--stat", "-i", f.toString());
        assertEquals(0, stat.exitCode(), stat.stderr());
        List<String> printed = TraceCmd.report(f);
        // the print formats are parsed (no "[FAILED TO PARSE]"), the symbolic tables resolve
        assertTrue(printed.stream().noneMatch(l -> l.contains("FAILED TO PARSE")), String.join("\n", printed.subList(0, 5)));
        assertTrue(printed.stream().anyMatch(l -> l.contains("handle diagnose call 0500 (DIAG (0x500) KVM virtio functions)")));
        assertTrue(printed.stream().anyMatch(l -> l.contains("intercepted instruction 8324050000000000 (DIAG)")));
        assertTrue(printed.stream().anyMatch(l -> l.contains("reason KVM_EXIT_S390_SIEIC (13)")));
        TraceCmd.Result dump = TraceCmd.run("dump", "--options", "-i", f.toString());
        String meta = String.join("\n", dump.stdout()) + dump.stderr();
        assertTrue(meta.contains("s390x") && meta.contains("simulated"), meta);
        TraceCmd.Result head = TraceCmd.run("dump", "--summary", "-i", f.toString());
        String s = String.join("\n", head.stdout()) + head.stderr();
        assertTrue(s.toLowerCase().contains("big endian") || s.contains("endian"), s);
    }
}
