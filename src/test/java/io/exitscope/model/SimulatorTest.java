package io.exitscope.model;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.exit.ExitClass;
import io.exitscope.model.sim.SimOptions;
import io.exitscope.stats.StatsSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.exitscope.model.ModelFixtures.assertWithin;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Simulated traces read back through the normal pipeline show the published figures. */
class SimulatorTest {
    @TempDir
    Path tmp;

    @Test
    void diag500FromASimulatedTrace() throws Exception {
        SimOptions on = SimFixtures.options("diag500", 2, 0.1, 1, "current");
        SimOptions off = on.withSwitches(on.switches().with(Switch.IOEVENTFD, false), null);
        AnalysisResult a = SimFixtures.analyse(SimFixtures.simulate(tmp, "on.dat", on));
        AnalysisResult b = SimFixtures.analyse(SimFixtures.simulate(tmp, "off.dat", off));
        assertTrue(a.synthetic() && b.synthetic());
        StatsSnapshot.Group ga = SimFixtures.group(a, "DIAG (0x500)"), gb = SimFixtures.group(b, "DIAG (0x500)");
        System.out.println("diag500 ioeventfd on p50=" + ga.percentile(50) + " p99=" + ga.percentile(99) + " n=" + ga.count()
                + "; off p50=" + gb.percentile(50) + " p99=" + gb.percentile(99) + " n=" + gb.count());
        assertWithin(410, ga.percentile(50), 0.10, "DIAG 0x500 p50 with ioeventfd");
        assertWithin(1400, gb.percentile(50), 0.10, "DIAG 0x500 p50 without ioeventfd");
        assertEquals(ga.count(), ga.classCounts().getOrDefault(ExitClass.KERNEL, 0L));
        assertEquals(gb.count(), gb.classCounts().getOrDefault(ExitClass.USERSPACE, 0L));
        assertTrue(ga.count() > 3000, "enough exits: " + ga.count());
    }

    @Test
    void deterministicForASeed() throws Exception {
        SimOptions o = SimFixtures.options("sigp", 3, 0.01, 7, "current");
        byte[] x = Files.readAllBytes(SimFixtures.simulate(tmp, "a.dat", o));
        byte[] y = Files.readAllBytes(SimFixtures.simulate(tmp, "b.dat", o));
        assertArrayEquals(x, y);
    }
}
