package io.exitscope.analysis;

import io.exitscope.event.Event;
import io.exitscope.event.EventStream;
import io.exitscope.exit.Arch;
import io.exitscope.exit.ExitClass;
import io.exitscope.exit.ExitRecord;
import io.exitscope.exit.Measure;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceSource;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live records each exit once, into its interval, and adds intervals up for the cumulative
 * view: that must give exactly what one pass over the whole trace gives.
 */
class LiveAnalysisTest {
    static final GroupBy FINE = GroupBy.FINE;

    /** Everything a report shows of a group, in a comparable form. */
    static Map<String, String> view(StatsSnapshot s) {
        Map<String, String> m = new TreeMap<>();
        for (StatsSnapshot.Group g : s.groups()) {
            m.put(g.key().toString(), g.count() + " " + g.measured() + " " + g.totalNs() + " " + g.userspaceNs() + " " + g.kernelNs()
                    + " p50=" + g.percentile(50) + " p99=" + g.percentile(99) + " max=" + g.max() + " min=" + g.min()
                    + " req=" + g.requestsKnown() + "/" + g.requestsPending() + " slowest=" + g.slowest().stream().map(ExitStats.Slow::latencyNs).toList());
        }
        return m;
    }

    @Test
    void intervalsAddUpToTheWholeTrace() throws Exception {
        Path file = Path.of("traces/pvm-ioeventfd-ab.dat");
        AnalysisResult whole;
        try (TraceSource src = TraceFiles.open(file, InputFormat.AUTO)) {
            whole = TraceAnalysis.run(List.of(src), AnalysisOptions.ALL);
        }
        for (long intervalNs : new long[]{100_000L, 3_000_000L, Long.MAX_VALUE / 4}) {
            long exitsInIntervals = 0;
            java.util.Map<String, Long> incompleteInIntervals = new java.util.TreeMap<>();
            AnalysisResult cum;
            try (TraceSource src = TraceFiles.open(file, InputFormat.AUTO); EventStream s = src.events()) {
                LiveAnalysis la = new LiveAnalysis(src.info(), AnalysisOptions.ALL, null, null, src.recordsUserspaceExits());
                long next = Long.MIN_VALUE;
                int intervals = 0;
                while (s.advance()) {
                    Event e = s.current();
                    if (e.kind() == Event.Kind.EVENT) {
                        if (next == Long.MIN_VALUE) next = e.timestamp() + intervalNs;
                        while (e.timestamp() >= next) {
                            AnalysisResult iv = la.takeInterval(next);
                            exitsInIntervals += iv.stats().exits();
                            iv.incompleteByReason().forEach((k, n) -> incompleteInIntervals.merge(k, n, Long::sum));
                            intervals++;
                            next += intervalNs;
                        }
                    }
                    la.accept(e);
                }
                la.finish();
                AnalysisResult mid = la.cumulative();   // before the last interval is taken
                AnalysisResult last = la.takeInterval(la.lastTimestamp());
                exitsInIntervals += last.stats().exits();
                last.incompleteByReason().forEach((k, n) -> incompleteInIntervals.merge(k, n, Long::sum));
                cum = la.cumulative();
                assertEquals(view(mid.stats().snapshot(GroupBy.FINE)), view(cum.stats().snapshot(GroupBy.FINE)));
                if (intervalNs == 100_000L) assertTrue(intervals > 100, "intervals: " + intervals);
            }
            assertTrue(whole.stats().exits() > 9_000, "exits: " + whole.stats().exits());
            assertEquals(whole.stats().exits(), cum.stats().exits());
            assertEquals(whole.stats().exits(), exitsInIntervals);
            assertEquals(whole.stats().measured(), cum.stats().measured());
            assertEquals(view(whole.stats().snapshot(GroupBy.FINE)), view(cum.stats().snapshot(GroupBy.FINE)), "interval " + intervalNs);
            assertEquals(whole.notifications().addresses(), cum.notifications().addresses());
            assertEquals(2, whole.incompleteExits());   // each run's last exit: its guest stopped
            assertEquals(whole.incompleteByReason(), cum.incompleteByReason());
            assertEquals(whole.incompleteByReason(), incompleteInIntervals);
        }
    }

    static ExitRecord exit(int tid, String subkey, long latency) {
        return new ExitRecord(0, latency, tid, 0, 0, "vm", Arch.X86_VMX, 30, "IO_INSTRUCTION", subkey, 0x500, true,
                ExitClass.USERSPACE, false, Measure.EXIT_TO_ENTRY, latency, latency / 2, -1, 2);
    }

    @Test
    void addingKeepsTheSubkeyCapAndTheSlowestExits() {
        // more distinct subkeys than the cap, interned as the assembler interns them
        String[] subkeys = new String[ExitStats.MAX_SUBKEYS_PER_REASON + 100];
        for (int i = 0; i < subkeys.length; i++) subkeys[i] = "port 0x" + Integer.toHexString(i);
        SplittableRandom rnd = new SplittableRandom(7);
        List<ExitRecord> exits = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            int k = i < subkeys.length ? i : rnd.nextInt(subkeys.length);
            exits.add(exit(1 + rnd.nextInt(3), subkeys[k], 100 + rnd.nextLong(1_000_000)));
        }
        ExitStats direct = new ExitStats(), added = new ExitStats();
        ExitStats part = new ExitStats();
        for (int i = 0; i < exits.size(); i++) {
            direct.accept(exits.get(i));
            part.accept(exits.get(i));
            if (i % 377 == 0) {
                added.add(part);
                part = new ExitStats();
            }
        }
        added.add(part);
        assertEquals(view(direct.snapshot(GroupBy.FINE)), view(added.snapshot(GroupBy.FINE)));
        assertEquals(view(direct.snapshot(GroupBy.parse("subkey"))), view(added.snapshot(GroupBy.parse("subkey"))));
        assertEquals(ExitStats.MAX_SUBKEYS_PER_REASON + 1, added.snapshot(GroupBy.parse("subkey")).groups().size());
    }
}
