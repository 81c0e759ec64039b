package io.exitscope.model;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.exit.ExitClass;
import io.exitscope.evidence.OptimizationEvidence;
import io.exitscope.model.sim.SimOptions;
import io.exitscope.stats.GroupBy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The API the TUI's Optimizations screen uses: per switch, per key, the projected shift. */
class SwitchShiftsTest {
    @TempDir
    Path tmp;

    @Test
    void perSwitchShiftsOfASimulatedTrace() throws Exception {
        SimOptions o = SimFixtures.options("diag500", 2, 0.05, 31, "current");
        AnalysisResult r = SimFixtures.analyse(SimFixtures.simulate(tmp, "s.dat", o));
        ExitPathModel m = ModelFixtures.model();
        List<SwitchShift> shifts = SwitchShifts.of(r, m);
        assertThrows(UnsupportedOperationException.class, () -> shifts.add(shifts.get(0)));
        SwitchShift io = shifts.stream().filter(s -> s.sw() == Switch.IOEVENTFD && s.key().subkey() != null
                && s.key().subkey().contains("0x500")).findFirst().orElseThrow();
        assertTrue(io.from() && !io.to());
        assertEquals(ExitClass.KERNEL, io.measuredClass());
        assertEquals(ExitClass.USERSPACE, io.projectedClass());
        assertTrue(io.deltaP50Ns() > 900, io.toString());
        // a hidden-stage switch: no exit-latency change, a round-trip change
        SwitchShift sie = shifts.stream().filter(s -> s.sw() == Switch.IRQ_DISABLE && s.key().subkey() != null
                && s.key().subkey().contains("0x500")).findFirst().orElseThrow();
        assertEquals(0, sie.deltaTotalNs());
        assertTrue(sie.roundTripDeltaNs() > 0);
        List<SwitchRanking> ranking = SwitchShifts.rank(shifts, 1);
        assertEquals(Switch.IOEVENTFD, ranking.get(0).sw());
        assertTrue(io.describe().contains("kernel->userspace"), io.describe());
        assertTrue(sie.describe().contains("round trip +"), sie.describe());

        // the same from the finest snapshot a screen keeps (no AnalysisResult)
        ModelInput in = ModelInput.of(r.stats().snapshot(GroupBy.FINE), r.measures(), OptimizationEvidence.of(r));
        assertTrue(in.s390());
        RecordedSwitches rec = new SwitchDetector(m).detect(in, null, List.of(), true);
        assertEquals(o.switches().on(Switch.IOEVENTFD), rec.switches().on(Switch.IOEVENTFD));
        List<SwitchShift> again = SwitchShifts.of(in, m, o.switches(), GroupBy.parse("subkey"), 1);
        assertEquals(shifts, again);
    }

    /**
     * The PVM A/B trace: port 0x500 is 4000 userspace exits (run A) and 4000 kernel-handled ones
     * (run B), a tie. Only ioeventfd moves it (the other switches are s390's stage model), and the
     * move is told as a mix becoming kernel, not as whichever class a tie happened to pick.
     */
    @Test
    void aMixedGroupMovesOnlyWhenItsClassMixChanges() throws Exception {
        AnalysisResult r;
        try (io.exitscope.source.TraceSource src = io.exitscope.source.TraceFiles.open(Path.of("traces/pvm-ioeventfd-ab.dat"),
                io.exitscope.source.InputFormat.AUTO)) {
            r = io.exitscope.analysis.TraceAnalysis.run(List.of(src), io.exitscope.analysis.AnalysisOptions.ALL);
        }
        List<SwitchShift> shifts = SwitchShifts.of(r, ModelFixtures.model());
        assertTrue(shifts.stream().allMatch(x -> x.sw() == Switch.IOEVENTFD), shifts.toString());
        SwitchShift io = shifts.stream().filter(x -> "port 0x500 out".equals(x.key().subkey())).findFirst().orElseThrow();
        assertTrue(io.measuredMixed() && io.classMoved(), io.toString());
        assertEquals("mixed", io.measuredClassLabel());
        assertEquals(ExitClass.KERNEL, io.projectedClass());
        assertTrue(io.describe().contains("mixed->kernel"), io.describe());
        assertEquals(shifts, SwitchShifts.of(r, ModelFixtures.model()), "the same on every call");
    }
}
