package io.exitscope.view.tui;

import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.input.KeyType;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.ExitCounters;
import io.exitscope.stats.FrozenStats;
import io.exitscope.exit.Arch;
import io.exitscope.exit.ExitClass;
import io.exitscope.exit.ExitRecord;
import io.exitscope.exit.Measure;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.NotificationEvidence;
import io.exitscope.view.tui.feed.Frame;
import io.exitscope.view.tui.Glyphs;
import io.exitscope.view.tui.Optimizations;
import io.exitscope.view.tui.Projector;
import io.exitscope.view.tui.feed.Side;
import io.exitscope.view.tui.TuiOptions;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Live-mode frames with made-up figures: lost events, long keys, the projector hook. */
class TuiMadeUpDataTest {

    static ExitRecord exit(long ts, int tid, int vcpu, String reason, long code, String subkey, long address, ExitClass cls, boolean blocking,
                           long latency) {
        return new ExitRecord(ts, ts + latency, tid, vcpu, vcpu, "qemu-guest1", Arch.X86_VMX, code, reason, subkey, address, address >= 0, cls,
                blocking, Measure.EXIT_TO_ENTRY, latency, cls == ExitClass.USERSPACE ? latency / 2 : -1, 0, cls == ExitClass.USERSPACE ? 2 : -1);
    }

    static Frame frame(long lost) {
        ExitStats st = new ExitStats();
        NotificationEvidence ne = new NotificationEvidence();
        long ts = 1_000_000_000L;
        for (int i = 0; i < 3000; i++) {
            ExitRecord[] rs = {
                    exit(ts += 1000, 100, 0, "EXTERNAL_INTERRUPT", 1, null, -1, ExitClass.KERNEL, false, 900 + i % 50),
                    exit(ts += 1000, 101, 1, "IO_INSTRUCTION", 30, "port 0x500 out", 0x500, ExitClass.USERSPACE, false, 12_000 + i),
                    exit(ts += 1000, 100, 0, "EPT_MISCONFIGURATION_WITH_A_VERY_LONG_NAME", 49, "gpa 0xfe000000 w", 0xfe000000L,
                            i % 3 == 0 ? ExitClass.USERSPACE : ExitClass.KERNEL, false, 3_000 + i % 700),
                    exit(ts += 1000, 101, 1, "HLT", 12, null, -1, ExitClass.KERNEL, true, 2_000_000 + i)};
            for (ExitRecord r : rs) {
                st.accept(r);
                ne.accept(r);
            }
        }
        AnalysisResult r = new AnalysisResult(List.of(), FrozenStats.of(st), ne, new ExitCounters(40_000, 12_000, 3, Map.of("EPT_MISCONFIG", 3L), lost, 0,
                lost > 0 ? Map.of(3, lost) : Map.of(), 0, 0, 0, 0, 4000, 12_000, 1200, 0, -1), EnumSet.of(Measure.EXIT_TO_ENTRY), EnumSet.of(Arch.X86_VMX), false, "/sys/module/kvm: built in",
                1_000_000_000L, ts);
        Side cum = Side.of("cumulative", r, 12.0, List.of(), true);
        Side iv = Side.of("interval", r, 1.0, List.of(), true);
        return new Frame(7, new Frame.Source("live, tracefs instance exitscope-4242", "live tracefs", "mono", 8, false, true, true), cum, iv,
                null, "12:00:00", 12_000_000_000L, 1_000_000_000L, null, false);
    }

    @Test
    void lostEventsCannotBeMissedWithOrWithoutColour() throws Exception {
        try (TuiHarness h = new TuiHarness(new StaticFeed(frame(1234)), 80, 24, false, Glyphs.ASCII)) {
            List<String> l = h.lines();
            String header = String.join("\n", l.subList(0, 4));
            assertTrue(header.contains("!! LOST 1234 EVENTS !!"), header);
            assertTrue(l.get(0).startsWith("exitscope live | exits  live, tracefs instance exitscope-4242"), l.get(0));
            assertTrue(header.contains("up 12.0s"), header);
        }
        try (TuiHarness h = new TuiHarness(new StaticFeed(frame(1234)), 80, 24, true, Glyphs.UNICODE)) {
            List<String> l = h.lines();
            int row = -1, col = -1;
            for (int r = 0; r < 4; r++) {
                if (l.get(r).contains("LOST 1234 EVENTS")) {
                    row = r;
                    col = l.get(r).indexOf("LOST 1234 EVENTS");
                }
            }
            assertTrue(row > 0, String.join("\n", l));
            assertEquals(TextColor.ANSI.RED, h.at(col, row).getBackgroundColor(), "white on red");
            assertTrue(h.at(col, row).isBold());
        }
        try (TuiHarness h = new TuiHarness(new StaticFeed(frame(0)), 80, 24, true, Glyphs.UNICODE)) {
            assertTrue(h.text().contains("lost 0"), h.text());
            assertFalse(h.text().contains("LOST"), h.text());
        }
    }

    @Test
    void longKeysAndAllScreensAt80x24() throws Exception {
        try (TuiHarness h = new TuiHarness(new StaticFeed(frame(0)), 80, 24, true, Glyphs.UNICODE)) {
            List<String> l = h.lines();
            String t = String.join("\n", l);
            assertTrue(t.contains("EPT_MISCONFIGURAT\u2026"), "a long key is cut with an ellipsis, inside its column\n" + t);
            assertTrue(t.matches("(?s).*IO_INSTRUCTION +user +3000 +250 .*"), "rate per second over the 1s interval? no: cumulative 12s\n" + t);
            assertTrue(t.contains("blocking exits (guest idle; not in %TIME)"), t);
            assertTrue(t.matches("(?s).*HLT +kern +3000 +250 +- .*"), t);
            for (int i = 0; i < 4; i++) h.key('k'); // to "reason": classes mix within a row
            t = h.text();
            assertTrue(t.matches("(?s).*EPT_MISCONFIGURAT\u2026 KKKUU +3000 .*"), "2/3 kernel, 1/3 userspace as a letter bar\n" + t);
            h.key('k');
            h.key('x');
            h.key(KeyType.ArrowUp); // the next key clears the "grouped by" message
            List<String> x = h.lines();
            assertTrue(String.join("\n", x).contains("IO_INSTRUCTION po\u2026 user"), "cut inside its column\n" + String.join("\n", x));
            assertTrue(x.get(23).startsWith("\u25b8 IO_INSTRUCTION port 0x500 out   ? help  q quit"), "the whole key in the footer: " + x.get(23));
            h.key('x');
            h.key(KeyType.Enter);
            assertTrue(h.text().contains("latency histogram"), h.text());
            h.key(' '); // live: freeze the display
            assertTrue(h.text().contains("FROZEN (collecting)"), h.text());
            h.key(' ');
            h.key('.');
            assertTrue(h.lines().get(23).startsWith("'.  n' works in replay only"), h.lines().get(23));
        }
    }

    @Test
    void projectorHookFillsProjectedColumnAndSwitchSet() throws Exception {
        Projector p = new Projector() {
            @Override
            public String name() {
                return "test model";
            }

            @Override
            public String switchSet(Side side) {
                return "ioeventfd=on";
            }

            @Override
            public List<Optimizations.Row> rows(Side side) {
                return List.of(new Optimizations.Row("s390-fastpath", "C fast path", "DIAG 0x500", Optimizations.State.OFF, "off",
                        "model switch", 42, 0.5, true));
            }

            @Override
            public String projectedShift(Optimizations.Row f, Side side) {
                return f.id().equals("ioeventfd") ? "p50 12.0us->410ns" : null;
            }
        };
        try (TuiHarness h = new TuiHarness(new StaticFeed(frame(0)), 120, 40, new TuiOptions(true, Glyphs.UNICODE, p))) {
            assertTrue(h.text().contains("switches ioeventfd=on"), h.text());
            h.key('O');
            String t = h.text();
            assertTrue(t.contains("projections: test model"), t);
            assertTrue(t.matches("(?s).*ioeventfd port 0x500 out +OFF no ioeventfd +3000 .*p50 12\\.0us->410ns.*"), t);
            assertTrue(t.matches("(?s).*C fast path DIAG 0x500 +OFF off +42 +~50\\.0%.*"), t);
        }
    }
}
