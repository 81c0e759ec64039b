package io.exitscope.stats;

import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.TimeWindows;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.exit.Arch;
import io.exitscope.exit.ExitClass;
import io.exitscope.exit.ExitRecord;
import io.exitscope.exit.Measure;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceSource;
import io.exitscope.testutil.SharedTraces;
import io.exitscope.triage.FailExpr;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compare verdicts against known truth: seeded synthetic runs drawn from one distribution (A/A:
 * the false-positive rate must be the stated level) or from two (A/B: a 5 % latency shift and a
 * class-mix change must be found, with the right effect), and sub-windows of real recordings.
 */
class SignificanceTest {
    static final GroupBy BY = GroupBy.parse("subkey");
    static final double SECONDS = 1.0;

    /**
     * One synthetic run: {@code rate} exits/s on average (Poisson) over 1 s of port 0x500 writes,
     * lognormal latencies (median 5 us × {@code scale}, σ 0.5: a long right tail), a
     * {@code userspace} fraction of them reaching userspace; split into {@code windows} windows.
     */
    static List<ExitStats> run(Random rnd, int rate, double scale, double userspace, int windows) {
        List<ExitStats> w = new ArrayList<>();
        for (int i = 0; i < windows; i++) w.add(new ExitStats());
        int n = (int) Math.round(rate + rnd.nextGaussian() * Math.sqrt(rate));
        for (int i = 0; i < n; i++) {
            long ts = (long) (rnd.nextDouble() * SECONDS * 1e9);
            long lat = Math.max(1, Math.round(5000 * scale * Math.exp(0.5 * rnd.nextGaussian())));
            ExitClass c = rnd.nextDouble() < userspace ? ExitClass.USERSPACE : ExitClass.KERNEL;
            w.get((int) (ts * windows / (long) (SECONDS * 1e9))).accept(new ExitRecord(ts, ts + lat, 100, 0, 0, "vm", Arch.X86_VMX, 30,
                    "IO_INSTRUCTION", "port 0x500 out", 0x500, true, c, false, Measure.EXIT_TO_ENTRY, lat, 0, -1, -1));
        }
        return w;
    }

    static Significance.Sample sample(List<ExitStats> windows) {
        List<Significance.Replicate> reps = new ArrayList<>();
        if (windows.size() > 1) for (ExitStats w : windows) reps.add(new Significance.Replicate(FrozenStats.of(w).snapshot(BY), SECONDS / windows.size()));
        return new Significance.Sample(FrozenStats.of(windows.toArray(new ExitStats[0])).snapshot(BY), SECONDS, reps, "windows");
    }

    /**
     * A/A: 600 comparisons of two runs from the same distribution (20 000 exits each). Each
     * single test rejects at 5 % unadjusted in 5 % of trials (binomial sampling: 3–7 %), and a
     * comparison flags anything (Holm, family-wise) in at most 5 % (+ sampling) of trials: with
     * sampling noise only, and with the noise measured across 8 windows per side. (With fewer
     * exits the percentile tests are conservative: discrete order statistics widened to their
     * buckets; p99 of 5000 exits rejected in 2.8 %.)
     */
    @Test
    void aToAFalsePositiveRateIsTheLevel() {
        for (int windows : new int[]{1, 8}) {
            Random rnd = new Random(1234 + windows);
            int trials = 600, anyFlagged = 0;
            Map<Significance.Measure, Integer> rejected = new EnumMap<>(Significance.Measure.class), tested = new EnumMap<>(Significance.Measure.class);
            for (int t = 0; t < trials; t++) {
                List<Comparison.Shift> s = Comparison.compare(sample(run(rnd, 20_000, 1, 0.2, windows)), sample(run(rnd, 20_000, 1, 0.2, windows)), false);
                if (s.stream().anyMatch(Comparison.Shift::significant)) anyFlagged++;
                for (Significance.Test x : s.get(0).tests()) {
                    tested.merge(x.measure(), 1, Integer::sum);
                    if (x.pValue() < Significance.LEVEL) rejected.merge(x.measure(), 1, Integer::sum);
                }
            }
            StringBuilder rates = new StringBuilder("windows " + windows + ": any flagged " + anyFlagged + "/" + trials + ";");
            for (var e : tested.entrySet()) rates.append(' ').append(e.getKey().label).append(' ').append(rejected.getOrDefault(e.getKey(), 0)).append('/').append(e.getValue());
            System.out.println("A/A false positives, " + rates);
            assertEquals(4, tested.size(), rates.toString());
            for (var e : tested.entrySet()) {
                double r = (double) rejected.getOrDefault(e.getKey(), 0) / e.getValue();
                assertTrue(r >= 0.03 && r <= 0.07, "per-test false-positive rate of " + e.getKey() + ": " + rates);
            }
            assertTrue(anyFlagged <= 0.065 * trials, rates.toString());
        }
    }

    /** A/B: a 5 % slower latency and a class mix moved by 10 points are flagged, with effects whose intervals hold the truth. */
    @Test
    void aToBShiftsAreFoundWithTheirEffect() {
        Random rnd = new Random(99);
        List<Comparison.Shift> s = Comparison.compare(sample(run(rnd, 20_000, 1, 0.2, 8)), sample(run(rnd, 20_000, 1.05, 0.3, 8)), false);
        Comparison.Shift k = s.get(0);
        Significance.Test p50 = k.test(Significance.Measure.P50), cls = k.test(Significance.Measure.CLASS);
        assertEquals("slower", p50.verdict(), k.tests().toString());
        assertTrue(p50.effectLow() < 0.05 && 0.05 < p50.effectHigh(), p50.toString());
        assertEquals("more userspace", cls.verdict(), cls.toString());
        assertTrue(cls.effectLow() < 0.10 && 0.10 < cls.effectHigh(), cls.toString());
        assertTrue(p50.resolvable() < 0.05, "a 5% shift at 20 000 exits is within what the test resolves: " + p50);
        System.out.println("A/B 20 000 exits in 8 windows per side: " + k.verdictText() + "; resolvable p50 " + pct(p50.resolvable())
                + ", p99 " + pct(k.test(Significance.Measure.P99).resolvable()) + ", rate " + pct(k.test(Significance.Measure.RATE).resolvable())
                + ", class " + pct(cls.resolvable()) + " pts");

        FailExpr gate = FailExpr.parseCompare("slower(p50, port=0x500) > 2%");
        assertTrue(gate.evaluate(null, s).crossed(), gate.evaluate(null, s).detailText());
        assertFalse(FailExpr.parseCompare("slower(p50) > 20%").evaluate(null, s).crossed());
        assertFalse(FailExpr.parseCompare("faster(p50) > 0%").evaluate(null, s).crossed());
        assertTrue(FailExpr.parseCompare("more(class) > 5%").evaluate(null, s).crossed());
        assertThrows(FailExpr.SyntaxError.class, () -> FailExpr.parse("slower(p99) > 2%"), "triage has no comparison");
        assertThrows(FailExpr.SyntaxError.class, () -> FailExpr.parseCompare("slower(rate) > 2%"));
    }

    static String pct(double f) {
        return String.format("%.1f%%", f * 100);
    }

    /**
     * A/A on real recordings: one recording cut into 8 windows, the even ones against the odd
     * ones (both sides see every phase of the workload), for the VMX host trace and each of the
     * two PVM exerciser runs: no key is flagged. (First half against second half is no A/A for
     * the VMX trace: APIC_WRITE p50 falls from 480 to 264 ns between its halves.)
     */
    @Test
    void halvesOfARealRecordingShowNoSignificantChange() throws Exception {
        for (Path f : new Path[]{SharedTraces.require("x86-vmx-linux-6.5/host-kvm-tsc2nsec.dat"), Path.of("traces/pvm-ioeventfd-ab.dat")}) {
            for (int tid : f.toString().contains("pvm") ? new int[]{13435, 13438} : new int[]{-1}) {
                TimeWindows tw = new TimeWindows(8);
                try (TraceSource src = TraceFiles.open(f, InputFormat.AUTO)) {
                    TraceAnalysis.run(List.of(src), AnalysisOptions.ALL.withTid(tid), tw);
                }
                List<TimeWindows.Window> w = tw.windows();
                assertEquals(8, w.size());
                List<Comparison.Shift> s = Comparison.compare(half(List.of(w.get(0), w.get(2), w.get(4), w.get(6))),
                        half(List.of(w.get(1), w.get(3), w.get(5), w.get(7))), false);
                for (Comparison.Shift x : s) assertFalse(x.significant(), f + " tid " + tid + ": " + x.key().label() + " " + x.tests());
            }
        }
    }

    static Significance.Sample half(List<TimeWindows.Window> ws) {
        List<Significance.Replicate> reps = new ArrayList<>();
        double seconds = 0;
        for (TimeWindows.Window w : ws) {
            reps.add(new Significance.Replicate(w.stats().snapshot(BY), w.seconds()));
            seconds += w.seconds();
        }
        return new Significance.Sample(FrozenStats.sum(ws.stream().map(TimeWindows.Window::stats).toList()).snapshot(BY), seconds, reps, "windows");
    }
}
