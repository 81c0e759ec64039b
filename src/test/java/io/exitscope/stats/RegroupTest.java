package io.exitscope.stats;

import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceSource;
import io.exitscope.testutil.SharedTraces;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Regrouping the finest groups (what the TUI and the model do with a snapshot) gives what
 * {@link ExitStats#snapshot} makes from its cells: the same groups, figures, histograms and
 * order, the class counts in the same (enum) order, so a tie in the dominant class is decided
 * the same way everywhere and on every run.
 */
class RegroupTest {
    static final String[] GROUPINGS = {"reason", "reason,class", "class", "subkey", "reason,subkey", "vcpu", "vm",
            "reason,class,vcpu", "reason,class,subkey,vcpu,vm"};

    static AnalysisResult analyse(Path file) throws Exception {
        try (TraceSource src = TraceFiles.open(file, InputFormat.AUTO)) {
            return TraceAnalysis.run(List.of(src), AnalysisOptions.ALL);
        }
    }

    static void assertSameGroups(FrozenStats stats) {
        Collection<StatsSnapshot.Group> fine = stats.fineGroups();
        for (String by : GROUPINGS) {
            GroupBy g = GroupBy.parse(by);
            List<StatsSnapshot.Group> want = stats.snapshot(g).groups();
            List<StatsSnapshot.Group> got = StatsSnapshot.regroup(fine, g, k -> true);
            assertEquals(want.size(), got.size(), by);
            for (int i = 0; i < want.size(); i++) {
                StatsSnapshot.Group w = want.get(i), r = got.get(i);
                String at = by + " #" + i + " " + w.key().label();
                assertEquals(w.key(), r.key(), at);
                assertEquals(List.of(w.count(), w.measured(), w.totalNs(), w.userspaceNs(), w.kernelNs(), w.requestsKnown(), w.requestsPending()),
                        List.of(r.count(), r.measured(), r.totalNs(), r.userspaceNs(), r.kernelNs(), r.requestsKnown(), r.requestsPending()), at);
                assertEquals(w.histogram(), r.histogram(), at);
                assertEquals(new ArrayList<>(w.classCounts().entrySet()), new ArrayList<>(r.classCounts().entrySet()), at);
                assertEquals(w.dominantClass(), r.dominantClass(), at);
                assertEquals(w.subkeyCounts(), r.subkeyCounts(), at);
                assertEquals(w.slowest().stream().map(ExitStats.Slow::latencyNs).toList(),
                        r.slowest().stream().map(ExitStats.Slow::latencyNs).toList(), at);
                assertEquals(w.blocking(), r.blocking(), at);
            }
        }
    }

    @Test
    void pvmTraceWithMixedClassPorts() throws Exception {
        // port 0x500 is userspace in one run and kernel-handled in the other: 4000 of each, a tie
        assertSameGroups(analyse(Path.of("traces/pvm-ioeventfd-ab.dat")).stats());
    }

    @Test
    void vmxHostTrace() throws Exception {
        assertSameGroups(analyse(SharedTraces.require("x86-vmx-linux-6.5/host-kvm-tsc2nsec.dat")).stats());
    }

    @Test
    void simulatedS390() throws Exception {
        assertSameGroups(analyse(Path.of("traces/sim-s390-diag500-ioeventfd-off.dat")).stats());
    }
}
