package io.exitscope.model;

import org.junit.jupiter.api.Test;

import static io.exitscope.model.ModelFixtures.assertWithin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model alone reproduces the published figures (KVM Forum 2016, Borntraeger; s390.md §6)
 * with the default config.
 */
class ExitPathModelTest {
    final ExitPathModel model = ModelFixtures.model();
    final SwitchSet current = ModelFixtures.profile("current");
    final SwitchSet old = ModelFixtures.profile("kernel-4.4");
    final SwitchSet tuned = ModelFixtures.profile("talk-2016-tuned");
    static final ExitKind DIAG500 = ExitKind.diag(0x500);

    ExitPath diag500(SwitchSet s, int disks, double wake) {
        boolean us = ExitPathModel.toUserspace(DIAG500, false, s);
        return model.path(ExitContext.of(DIAG500, us).withDevices(disks).withWake(wake), s);
    }

    @Test
    void diag500ExitLatency1400WithoutIoeventfdAnd410WithIt() {
        ExitPath without = diag500(current.with(Switch.IOEVENTFD, false), 100, 1);
        ExitPath with = diag500(current, 100, 1);
        assertTrue(without.toUserspace());
        assertFalse(with.toUserspace());
        assertWithin(1400, without.tracedMedian(), 0.10, "DIAG 0x500 exit latency without ioeventfd");
        assertWithin(410, with.tracedMedian(), 0.10, "DIAG 0x500 exit latency with ioeventfd");
    }

    @Test
    void diag500FlatFrom100To500Disks() {
        for (boolean ioeventfd : new boolean[]{true, false}) {
            SwitchSet s = current.with(Switch.IOEVENTFD, ioeventfd);
            double at100 = diag500(s, 100, 1).tracedMedian();
            for (int disks = 100; disks <= 500; disks += 100) {
                assertWithin(at100, diag500(s, disks, 1).tracedMedian(), 0.10, "DIAG 0x500 with " + disks + " disks, ioeventfd " + ioeventfd);
            }
        }
    }

    @Test
    void inKernelHypercallRoundTrip500OldAnd390Tuned() {
        // the hypercall loop keeps the consumer awake: no wake-up in the path
        assertWithin(500, diag500(old, 1, 0).roundTripMedian(), 0.10, "in-kernel hypercall round trip, kernel-4.4");
        assertWithin(390, diag500(tuned, 1, 0).roundTripMedian(), 0.10, "in-kernel hypercall round trip, talk-2016-tuned");
        assertEquals(500, diag500(old, 1, 0).roundTripMean(), 10, "mean, kernel-4.4");
        assertEquals(390, diag500(tuned, 1, 0).roundTripMean(), 10, "mean, tuned");
    }

    /** Saving of turning {@code s} on, from {@code set} with it off, on the hot exit's round trip. */
    double saving(SwitchSet set, Switch s) {
        return diag500(set.with(s, false), 1, 0).roundTripMean() - diag500(set.with(s, true), 1, 0).roundTripMean();
    }

    @Test
    void talkMicroOptimizationsForTheHotExit() {
        assertEquals(DIAG500, model.hotExit());
        assertWithin(40, saving(tuned, Switch.C_FASTPATH), 0.10, "C fast path");
        assertWithin(25, saving(tuned, Switch.SIE64A_SHORTCUT), 0.10, "sie64a shortcut");
        assertWithin(10, saving(tuned, Switch.IRQ_TOGGLE_REMOVAL), 0.10, "irq toggle removal");
        assertTrue(saving(tuned, Switch.KVM_BUILTIN) > 0 && saving(tuned, Switch.KVM_BUILTIN) < 10, "built in: a few ns");
        // the fast paths are for the hot exit only
        ExitPath sigp = model.path(ExitKind.sigp(3), false, tuned);
        assertTrue(sigp.has(Stage.PRE_RUN_IRQ) && sigp.has(Stage.SIGNAL_CHECK));
    }

    @Test
    void irqSaveRestoreIsFiveTimesDisableEnable() {
        double dis = diag500(current, 1, 0).stage(Stage.IRQ_TOGGLE).medianNs();
        double save = diag500(current.with(Switch.IRQ_DISABLE, false), 1, 0).stage(Stage.IRQ_TOGGLE).medianNs();
        assertEquals(5.0, save / dis, 1e-9);
    }

    @Test
    void userspaceExitsSlowDownBeyondFourVcpusWithTheBigLock() {
        SwitchSet bql = current.with(Switch.IOEVENTFD, false);
        SwitchSet pushed = bql.with(Switch.BQL_PUSHDOWN, true);
        double[] withLock = new double[17], without = new double[17];
        for (int v = 1; v <= 16; v++) {
            withLock[v] = model.path(ExitContext.of(DIAG500, true).withVcpus(v), bql).tracedMedian();
            without[v] = model.path(ExitContext.of(DIAG500, true).withVcpus(v), pushed).tracedMedian();
        }
        for (int v = 2; v <= 4; v++) assertEquals(withLock[1], withLock[v], 1e-9, "flat up to 4 vCPUs");
        for (int v = 5; v <= 16; v++) assertTrue(withLock[v] > withLock[v - 1] + 50, "grows beyond 4 vCPUs at " + v);
        assertTrue(withLock[16] > 1.5 * withLock[4]);
        for (int v = 2; v <= 16; v++) assertEquals(without[1], without[v], 1e-9, "flat with the lock pushed down");
    }

    @Test
    void syncRegsAndSyncStateFollowTheTalksCycleCounts() {
        // 9,000 -> 60,000 cycles when cpu_synchronize_state costs ioctls: +51,000 cycles at 5 GHz
        SwitchSet noSync = current.with(Switch.IOEVENTFD, false).with(Switch.SYNC_REGS, false);
        double added = model.path(DIAG500, true, noSync).tracedMean() - model.path(DIAG500, true, current.with(Switch.IOEVENTFD, false)).tracedMean();
        assertWithin(51_000 / 5.0 - 80, added, 0.02, "ioctl register transfer");
    }

    @Test
    void hiddenStagesAreOutsideTheTracedInterval() {
        ExitPath p = diag500(current, 1, 0);
        assertEquals(p.roundTripMean(), p.tracedMean() + p.hiddenMean(), 1e-6);
        for (StageCost s : p.hidden()) {
            assertTrue(s.stage() == Stage.HW_SIE_EXIT || s.stage() == Stage.HW_SIE_ENTRY || s.stage().id.startsWith("sie64a")
                    || s.stage().id.startsWith("guest-timing") || s.stage() == Stage.IRQ_TOGGLE || s.stage() == Stage.SRCU
                    || s.stage() == Stage.SIGNAL_CHECK, s.stage().id);
        }
    }
}
