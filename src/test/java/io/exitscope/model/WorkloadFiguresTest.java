package io.exitscope.model;

import io.exitscope.model.sim.SimOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.exitscope.model.ModelFixtures.assertWithin;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The published figures that need a workload: from simulated traces read back by the normal pipeline. */
class WorkloadFiguresTest {
    @TempDir
    Path tmp;

    long p50(SimOptions o, String subkey) throws Exception {
        return SimFixtures.group(SimFixtures.analyse(SimFixtures.simulate(tmp, "t.dat", o)), subkey).percentile(50);
    }

    @Test
    void diag500IsFlatFrom100To500Disks() throws Exception {
        for (boolean ioeventfd : new boolean[]{true, false}) {
            SimOptions o = SimFixtures.options("diag500", 2, 0.1, 21, "current");
            o = o.withSwitches(o.switches().with(Switch.IOEVENTFD, ioeventfd), null);
            long at100 = p50(o.withDisks(100), "DIAG (0x500)");
            for (int disks : new int[]{200, 300, 400, 500}) {
                assertWithin(at100, p50(o.withDisks(disks), "DIAG (0x500)"), 0.10, disks + " disks, ioeventfd " + ioeventfd);
            }
        }
    }

    @Test
    void userspaceExitsSlowDownBeyondFourVcpusWithTheBigLockOnly() throws Exception {
        SimOptions base = SimFixtures.options("bql", 1, 0.05, 22, "current");
        SimOptions pushed = base.withSwitches(base.switches().with(Switch.BQL_PUSHDOWN, true), null);
        int[] vcpus = {1, 2, 4, 8, 16};
        long[] lock = new long[vcpus.length], flat = new long[vcpus.length];
        for (int i = 0; i < vcpus.length; i++) {
            lock[i] = p50(base.withVcpus(vcpus[i]), "SSCH");
            flat[i] = p50(pushed.withVcpus(vcpus[i]), "SSCH");
        }
        System.out.println("SSCH p50 with the big lock " + java.util.Arrays.toString(lock) + ", pushed down " + java.util.Arrays.toString(flat));
        assertWithin(lock[0], lock[2], 0.05, "1 -> 4 vCPUs with the big lock");
        assertTrue(lock[3] > lock[2] * 1.15, "8 vCPUs slower than 4");
        assertTrue(lock[4] > lock[3] * 1.15, "16 vCPUs slower than 8");
        for (int i = 1; i < vcpus.length; i++) assertWithin(flat[0], flat[i], 0.05, vcpus[i] + " vCPUs with the lock pushed down");
    }
}
