package io.exitscope.model;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.exit.ExitClass;
import io.exitscope.stats.GroupBy;
import io.exitscope.testutil.SharedTraces;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real x86 traces: only ioeventfd is projected (PIO/MMIO writes that reach userspace become
 * kernel-handled), and the result says what was and was not projected.
 */
class NotificationProjectionTest {
    final ExitPathModel model = ModelFixtures.model();

    static Path pvm() {
        Path bundled = Path.of("traces", "pvm-ioeventfd-ab.dat");
        if (Files.isRegularFile(bundled)) return bundled;
        return SharedTraces.require("x86-pvm-linux-6.18/pvm-ioeventfd-ab.dat");
    }

    @Test
    void pvmTraceIoeventfdEverywhere() throws Exception {
        AnalysisResult r = SimFixtures.analyse(pvm());
        RecordedSwitches rec = new SwitchDetector(model).detect(r, null, List.of(), true);
        assertEquals(RecordedSwitches.How.EVIDENCE, rec.states().get(Switch.IOEVENTFD).how());
        assertTrue(!rec.switches().on(Switch.IOEVENTFD), "some notifications reach userspace: recorded as off");
        assertEquals(RecordedSwitches.How.NOT_MODELLED, rec.states().get(Switch.REQUEST_EARLY_EXIT).how());
        // what the trace shows of switches x86 does not model is recorded as seen, with the trace's value
        assertEquals(RecordedSwitches.How.SEEN_NOT_MODELLED, rec.states().get(Switch.LAZY_FPU).how());
        assertTrue(rec.switches().on(Switch.LAZY_FPU), "one kvm_fpu load per KVM_RUN: " + rec.states().get(Switch.LAZY_FPU));
        assertEquals(RecordedSwitches.How.SEEN_NOT_MODELLED, rec.states().get(Switch.KVM_BUILTIN).how());
        assertEquals(r.kvmModule() == Boolean.FALSE, rec.switches().on(Switch.KVM_BUILTIN), "kallsyms: " + r.kvmModuleEvidence());
        ProjectionResult p = Projection.run(r, model, rec.switches(), rec.switches().with(Switch.IOEVENTFD, true), GroupBy.parse("subkey,class"), 1);
        assertTrue(p.projected().get(0).startsWith("ioeventfd"), p.projected().toString());
        assertTrue(p.notProjected().get(0).contains("not modelled"), p.notProjected().toString());
        boolean sawPort500 = false;
        for (KeyProjection k : p.keys()) {
            String sub = String.valueOf(k.key().subkey());
            // the serial port's writes carry its bytes: no ioeventfd can take them, they stay as measured
            if (k.key().exitClass() == ExitClass.USERSPACE && sub.endsWith(" out") && !sub.equals("port 0x3f8 out")) {
                assertEquals(ExitClass.KERNEL, k.projectedClass(), sub);
                assertTrue(k.projectedPercentile(50) < k.measured().percentile(50), sub + ": kernel-handled is cheaper than the round trip");
                sawPort500 |= sub.equals("port 0x500 out");
            } else {
                assertEquals(k.measured().totalNs(), k.projectedTotalNs(), "unchanged: " + sub + " " + k.key().exitClass());
            }
        }
        assertTrue(sawPort500);
        // every other switch leaves an x86 trace alone
        for (Switch s : Switch.values()) {
            if (s == Switch.IOEVENTFD) continue;
            ProjectionResult q = Projection.run(r, model, rec.switches(), rec.switches().flip(s), GroupBy.parse("subkey,class"), 1);
            for (KeyProjection k : q.keys()) assertEquals(k.measured().totalNs(), k.projectedTotalNs(), s + " " + k.key().label());
        }
    }

    @Test
    void vmxTraceUsesItsOwnKernelHandledNotifications() throws Exception {
        Path f = SharedTraces.require("x86-vmx-linux-6.5/host-kvm-x86tsc.v7-zstd.dat");
        AnalysisResult r = SimFixtures.analyse(f);
        RecordedSwitches rec = new SwitchDetector(model).detect(r, null, List.of(), true);
        Assumptions.assumeTrue(!rec.switches().on(Switch.IOEVENTFD));
        ProjectionResult p = Projection.run(r, model, rec.switches(), rec.switches().with(Switch.IOEVENTFD, true), GroupBy.parse("subkey,class"), 1);
        assertEquals("x86", p.arch());
        for (KeyProjection k : p.keys()) {
            if (k.key().exitClass() == ExitClass.USERSPACE && String.valueOf(k.key().subkey()).endsWith(" write")) {
                assertEquals(ExitClass.KERNEL, k.projectedClass());
            }
        }
    }
}
