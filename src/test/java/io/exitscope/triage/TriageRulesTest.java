package io.exitscope.triage;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.ExitCounters;
import io.exitscope.stats.FrozenStats;
import io.exitscope.exit.Arch;
import io.exitscope.exit.ExitClass;
import io.exitscope.exit.ExitRecord;
import io.exitscope.exit.Measure;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.NotificationEvidence;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each triage rule on synthetic exits whose answer is known. */
class TriageRulesTest {

    /** Builds an AnalysisResult from exit records, as TraceAnalysis would. */
    static final class Builder {
        final ExitStats stats = new ExitStats();
        final NotificationEvidence notes = new NotificationEvidence();
        final ConcurrencyTracker conc = new ConcurrencyTracker();
        long reqKnown, reqPending, lost, first = Long.MAX_VALUE, last;
        Boolean module;
        final Map<Integer, Long> lostByCpu = new TreeMap<>();

        void add(ExitRecord r) {
            for (Consumer<ExitRecord> c : List.<Consumer<ExitRecord>>of(stats, notes, conc)) c.accept(r);
            if (r.requests() >= 0) {
                reqKnown++;
                if (r.requests() != 0) reqPending++;
            }
            first = Math.min(first, r.exitTs());
            last = Math.max(last, r.exitTs() + Math.max(0, r.latencyNs()));
        }

        void exit(long ts, int tid, int vcpu, String vm, String reason, ExitClass cls, long lat, long us, long requests, String subkey,
                  long address, boolean blocking) {
            add(new ExitRecord(ts, ts + lat, tid, 0, vcpu, vm, Arch.X86_VMX, 1, reason, subkey, address, address >= 0, cls, blocking,
                    Measure.EXIT_TO_ENTRY, lat, us, requests, cls == ExitClass.USERSPACE ? 2 : -1));
        }

        AnalysisResult result() {
            long exits = stats.exits();
            return new AnalysisResult(List.of(), FrozenStats.of(stats), notes, new ExitCounters(exits * 2 + lost, exits, 0, Map.of(), lost, 0,
                    lostByCpu, 0, 0, 0, 0, 0, reqKnown, reqPending, 0, -1), EnumSet.of(Measure.EXIT_TO_ENTRY), EnumSet.of(Arch.X86_VMX), module, "test", first, last);
        }
    }

    static Finding find(TriageReport t, String kind) {
        for (Finding f : t.findings()) if (f.kind().equals(kind)) return f;
        return null;
    }

    @Test
    void exitStormOnOneVcpu() {
        Builder b = new Builder();
        // 1 s: vCPU 0 has 20 000 EPT_MISCONFIG exits, vCPUs 1..3 100 each
        for (int i = 0; i < 20_000; i++) b.exit(i * 50_000L, 100, 0, "vm1", "EPT_MISCONFIG", ExitClass.KERNEL, 2_000, -1, -1, null, -1, false);
        for (int v = 1; v <= 3; v++) {
            for (int i = 0; i < 100; i++) b.exit(i * 10_000_000L + v, 100 + v, v, "vm1", "MSR_WRITE", ExitClass.KERNEL, 500, -1, -1, null, -1, false);
        }
        TriageReport t = Triage.analyze(b.result(), TriageOptions.DEFAULT, null);
        Finding s = find(t, "exit-storm");
        assertNotNull(s, t.toJson(true));
        assertEquals("vm vm1 vcpu 0", s.key());
        assertEquals("EPT_MISCONFIG", ((List<?>) s.evidence().get("top_reasons")).isEmpty() ? null
                : ((Map<?, ?>) ((List<?>) s.evidence().get("top_reasons")).get(0)).get("reason"));
        assertTrue((double) s.evidence().get("ratio") >= 100, s.evidence().toString());
        // a VM with several vCPUs compared with nothing else: no VM-level storm
        assertEquals(1, t.findings().stream().filter(f -> f.kind().equals("exit-storm")).count());
    }

    @Test
    void longTailKeepsTheSlowestTimestamps() {
        Builder b = new Builder();
        for (int i = 0; i < 5000; i++) b.exit(i * 100_000L, 7, 0, "vm", "EPT_VIOLATION", ExitClass.KERNEL, 1_000 + (i % 50), -1, -1, null, -1, false);
        b.exit(123_456_789L, 7, 0, "vm", "EPT_VIOLATION", ExitClass.KERNEL, 5_000_000, -1, -1, null, -1, false);
        TriageReport t = Triage.analyze(b.result(), TriageOptions.DEFAULT, null);
        Finding f = find(t, "long-tail");
        assertNotNull(f, t.toJson(true));
        assertEquals(f, t.findings().get(0), "the one slow exit holds half the time");
        Map<?, ?> slow = (Map<?, ?>) ((List<?>) f.evidence().get("slowest")).get(0);
        assertEquals(123_456_789L, slow.get("ts_ns"));
        assertEquals(5_000_000L, ((Number) slow.get("latency_ns")).longValue(), 5_000);
    }

    @Test
    void requestsPendingAtMostExits() {
        Builder b = new Builder();
        for (int i = 0; i < 1000; i++) b.exit(i * 1000L, 7, 0, "vm", "EXTERNAL_INTERRUPT", ExitClass.KERNEL, 800, -1, i % 4 == 0 ? 0 : 0x40, null, -1, false);
        Finding f = find(Triage.analyze(b.result(), TriageOptions.DEFAULT, null), "requests-pending");
        assertNotNull(f);
        assertEquals(750L, f.evidence().get("requests_pending"));
        assertEquals(0.75, f.share(), 1e-6);
        Builder few = new Builder();
        for (int i = 0; i < 1000; i++) few.exit(i * 1000L, 7, 0, "vm", "HLT", ExitClass.KERNEL, 800, -1, i % 4 == 0 ? 1 : 0, null, -1, false);
        assertNull(find(Triage.analyze(few.result(), TriageOptions.DEFAULT, null), "requests-pending"));
    }

    @Test
    void bigLockWhenRoundTripsGrowWithConcurrency() {
        Builder b = new Builder();
        Random rnd = new Random(1);
        // 4 vCPU threads behind one lock: the k-th arrival waits for the k before it (5 us each, 10 us with the wait)
        long t = 0;
        for (int i = 0; i < 400; i++) {
            int together = i % 4 == 0 ? 1 : 1 + rnd.nextInt(4);
            for (int k = 0; k < together; k++) {
                long dur = 5_000 + 10_000L * k;
                b.exit(t + k, 200 + k, k, "vmX", "IO_INSTRUCTION", ExitClass.USERSPACE, dur + 500, dur, -1, "port 0x3f8 out", -1, false);
            }
            t += 1_000_000;
        }
        TriageReport r = Triage.analyze(b.result(), TriageOptions.DEFAULT, b.conc);
        Finding f = find(r, "big-lock");
        assertNotNull(f, r.toJson(true));
        assertEquals("vm vmX", f.key());
        assertTrue((double) f.evidence().get("ratio") >= 2, f.evidence().toString());
        // no contention: same durations whatever the concurrency
        Builder flat = new Builder();
        t = 0;
        for (int i = 0; i < 400; i++) {
            int together = 1 + i % 3;
            for (int k = 0; k < together; k++) flat.exit(t + k, 200 + k, k, "vmY", "IO_INSTRUCTION", ExitClass.USERSPACE, 5_500, 5_000, -1, null, -1, false);
            t += 1_000_000;
        }
        assertNull(find(Triage.analyze(flat.result(), TriageOptions.DEFAULT, flat.conc), "big-lock"));
    }

    @Test
    void lostEventsComeFirstAndKvmModuleIsReported() {
        Builder b = new Builder();
        for (int i = 0; i < 100; i++) b.exit(i * 1000L, 7, 0, "vm", "CPUID", ExitClass.KERNEL, 800, -1, -1, null, -1, false);
        b.lost = 50;
        b.lostByCpu.put(3, 50L);
        b.module = true;
        TriageReport t = Triage.analyze(b.result(), TriageOptions.DEFAULT, null);
        assertTrue(t.partial());
        assertEquals("lost-events", t.findings().get(0).kind());
        assertEquals("cpu 3", t.findings().get(0).key());
        Finding m = find(t, "kvm-module");
        assertNotNull(m);
        assertEquals(0.0, m.share());
        GainModel model = new GainModel() {
            @Override
            public java.util.OptionalDouble builtInSaving(AnalysisResult r) {
                return java.util.OptionalDouble.of(0.02);
            }
        };
        assertEquals(0.02, find(Triage.analyze(b.result(), new TriageOptions(-1, model), null), "kvm-module").share(), 1e-9);
    }

    @Test
    void noIoeventfdUsesTheKernelCostMeasuredForTheSameAddressAndTheModelHook() {
        Builder b = new Builder();
        for (int i = 0; i < 100; i++) {
            b.exit(i * 100_000L, 1, 0, "vm", "IO_INSTRUCTION", ExitClass.USERSPACE, 10_000, 9_000, -1, "port 0xc050 out", 0xc050, false);
            b.exit(i * 100_000L + 50_000, 2, 1, "vm", "IO_INSTRUCTION", ExitClass.KERNEL, 600, -1, -1, "port 0xc050 out", 0xc050, false);
        }
        TriageReport t = Triage.analyze(b.result(), TriageOptions.DEFAULT, null);
        Finding f = t.findings().get(0);
        assertEquals("no-ioeventfd", f.kind());
        assertEquals("port 0xc050", f.key());
        assertEquals(600L, f.evidence().get("projected_kernel_ns"));
        assertEquals(9_400L, f.evidence().get("projected_gain_per_exit_ns"));
        assertEquals(true, f.evidence().get("ioeventfd_seen_elsewhere"));
        // without a measured kernel cost the model hook answers before the default
        Builder u = new Builder();
        for (int i = 0; i < 100; i++) u.exit(i * 100_000L, 1, 0, "vm", "IO_INSTRUCTION", ExitClass.USERSPACE, 10_000, 9_000, -1, "port 0xc050 out", 0xc050, false);
        GainModel model = new GainModel() {
            @Override
            public java.util.OptionalLong kernelNotifyNs(Arch arch, String reason, String address, long measuredNs, AnalysisResult r) {
                return java.util.OptionalLong.of(1234);
            }
        };
        Finding g = Triage.analyze(u.result(), new TriageOptions(-1, model), null).findings().get(0);
        assertEquals(1234L, g.evidence().get("projected_kernel_ns"));
        assertEquals("exit-path model", g.evidence().get("projected_kernel_ns_from"));
    }

    @Test
    void emptyResultHasNoFindings() {
        TriageReport t = Triage.analyze(new Builder().result(), TriageOptions.DEFAULT, null);
        assertTrue(t.findings().isEmpty());
        assertTrue(t.toJson(false).startsWith("{\"source\":\"\",\"partial\":false,\"findings\":[]"), t.toJson(false));
        List<String> lines = new ArrayList<>();
        java.io.StringWriter sw = new java.io.StringWriter();
        t.writeText(new java.io.PrintWriter(sw), 0);
        lines.addAll(sw.toString().lines().toList());
        assertTrue(lines.stream().anyMatch(l -> l.contains("nothing to triage")));
    }
}
