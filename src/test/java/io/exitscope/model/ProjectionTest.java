package io.exitscope.model;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.model.sim.SimOptions;
import io.exitscope.stats.ExitKey;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.exitscope.model.ModelFixtures.assertWithin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A trace simulated with switch set A, projected onto set B, matches a trace simulated directly
 * with B: p50 and p99 within 10% for every key with enough exits; and the recorded set is found.
 */
class ProjectionTest {
    static final GroupBy BY = GroupBy.parse("subkey");
    static final int MIN_EXITS = 300;
    final ExitPathModel model = ModelFixtures.model();

    @TempDir
    Path tmp;

    /** Simulates A and B (different seeds), projects A onto B's set using the detected recorded set. */
    int check(SimOptions a, SimOptions b, boolean useFileDeclaration) throws Exception {
        AnalysisResult ra = SimFixtures.analyse(SimFixtures.simulate(tmp, "a.dat", a));
        AnalysisResult rb = SimFixtures.analyse(SimFixtures.simulate(tmp, "b.dat", b));
        RecordedSwitches rec = new SwitchDetector(model).detect(ra, null, List.of(), useFileDeclaration);
        ProjectionResult p = Projection.run(ra, model, rec.switches(), b.switches(), BY, 1);
        Map<ExitKey, StatsSnapshot.Group> direct = new HashMap<>();
        for (StatsSnapshot.Group g : rb.stats().snapshot(BY).groups()) direct.put(g.key(), g);
        int compared = 0;
        for (KeyProjection k : p.keys()) {
            StatsSnapshot.Group d = direct.get(k.key());
            if (d == null || d.measured() < MIN_EXITS || k.measured().measured() < MIN_EXITS) continue;
            String what = k.key().label() + " " + a.describe() + " -> " + b.switches().describe();
            System.out.printf("%-60s p50 %d vs %d, p99 %d vs %d%n", k.key().label(), k.projectedPercentile(50), d.percentile(50),
                    k.projectedPercentile(99), d.percentile(99));
            assertWithin(d.percentile(50), k.projectedPercentile(50), 0.10, "p50 of " + what);
            assertWithin(d.percentile(99), k.projectedPercentile(99), 0.10, "p99 of " + what);
            assertEquals(d.dominantClass(), k.projectedClass(), "class of " + what);
            compared++;
        }
        assertTrue(compared > 0, "no key with enough exits to compare");
        return compared;
    }

    static SimOptions sim(String workload, int vcpus, long seed, String profile) {
        return SimFixtures.options(workload, vcpus, 0.3, seed, profile);
    }

    @Test
    void ioeventfdOnToOff() throws Exception {
        SimOptions a = sim("diag500", 2, 1, "current");
        check(a, a.withSwitches(a.switches().with(Switch.IOEVENTFD, false), null).withSeed(2), true);
    }

    @Test
    void ioeventfdOffToOn() throws Exception {
        SimOptions a = sim("diag500", 2, 3, "current");
        a = a.withSwitches(a.switches().with(Switch.IOEVENTFD, false), null);
        check(a, a.withSwitches(a.switches().with(Switch.IOEVENTFD, true), "current").withSeed(4), true);
    }

    @Test
    void oldKernelToTunedProfile() throws Exception {
        SimOptions a = sim("hypercall", 2, 5, "kernel-4.4");
        ModelConfig c = ModelFixtures.config();
        check(a, a.withSwitches(c.profile("talk-2016-tuned").switches(), "talk-2016-tuned").withSeed(6), true);
    }

    @Test
    void bigLockPushedDownAndRegisterSync() throws Exception {
        SimOptions a = sim("bql", 8, 7, "current");
        check(a, a.withSwitches(a.switches().with(Switch.BQL_PUSHDOWN, true), null).withSeed(8), true);
        check(a, a.withSwitches(a.switches().with(Switch.SYNC_REGS, false).with(Switch.LAZY_FPU, false), null).withSeed(9), true);
    }

    @Test
    void rrAndSigpWorkloads() throws Exception {
        SimOptions rr = sim("rr", 2, 10, "kernel-4.4");
        check(rr, rr.withSwitches(ModelFixtures.profile("current"), "current").withSeed(11), true);
        SimOptions sigp = sim("sigp", 2, 12, "current");
        check(sigp, sigp.withSwitches(sigp.switches().with(Switch.REQUEST_EARLY_EXIT, false), null).withSeed(13), true);
    }

    @Test
    void recoversTheSwitchSetFromTheFileAndByFitting() throws Exception {
        SimOptions a = sim("diag500", 2, 14, "kernel-4.4");
        AnalysisResult ra = SimFixtures.analyse(SimFixtures.simulate(tmp, "old.dat", a));
        RecordedSwitches declared = new SwitchDetector(model).detect(ra, null, List.of(), true);
        assertEquals(a.switches(), declared.switches(), "with the file's declaration");
        assertEquals("kernel-4.4", declared.profile());
        assertEquals(RecordedSwitches.How.EVIDENCE, declared.states().get(Switch.IOEVENTFD).how());
        assertEquals(RecordedSwitches.How.EVIDENCE, declared.states().get(Switch.KVM_BUILTIN).how());

        // without it: starting from the default profile, the fit must find what the exit latencies show
        RecordedSwitches fitted = new SwitchDetector(model).detect(ra, null, List.of(), false);
        for (Switch s : new Switch[]{Switch.IOEVENTFD, Switch.KVM_BUILTIN, Switch.REQUEST_EARLY_EXIT, Switch.C_FASTPATH}) {
            assertEquals(a.switches().on(s), fitted.switches().on(s), s + ": " + fitted.states().get(s));
        }
        assertEquals(RecordedSwitches.How.FIT, fitted.states().get(Switch.REQUEST_EARLY_EXIT).how());
        // and that is good enough to project onto another set
        ModelConfig c = ModelFixtures.config();
        check(a, a.withSwitches(c.profile("talk-2016-tuned").switches(), "talk-2016-tuned").withSeed(15), false);
    }

    @Test
    void identityProjectionKeepsEveryExit() throws Exception {
        SimOptions a = sim("wait", 2, 16, "current");
        AnalysisResult ra = SimFixtures.analyse(SimFixtures.simulate(tmp, "w.dat", a));
        ProjectionResult p = Projection.run(ra, model, a.switches(), a.switches(), BY, 1);
        for (KeyProjection k : p.keys()) {
            assertEquals(k.measured().totalNs(), k.projectedTotalNs(), k.key().label());
            assertEquals(k.measured().percentile(50), k.projectedPercentile(50), k.measured().percentile(50) / 500.0 + 1, k.key().label());
        }
    }
}
