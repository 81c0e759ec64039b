package io.exitscope.model;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.exit.ExitClass;
import io.exitscope.source.TraceInfo;
import io.exitscope.stats.ExitKey;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.util.Durations;
import org.HdrHistogram.Histogram;

import java.io.PrintWriter;
import java.util.Set;

/** {@code model --format table}: measured beside projected per key, then the switch ranking. */
public final class ModelTable {
    private ModelTable() {}

    public static void write(ModelRun run, PrintWriter w, boolean explain, int top) {
        AnalysisResult r = run.analysis();
        for (TraceInfo i : r.sources()) {
            w.printf("source     %s%s%n", i.path(), i.synthetic() ? "  ** SIMULATED DATA **" : "");
        }
        w.printf("exits      %d   incomplete %d   lost events %d%s%n", r.exits(), r.incompleteExits(), r.lostEvents(),
                r.partial() ? "   PARTIAL: counts are lower bounds" : "");
        w.printf("config     %s%n", run.configOrigin());
        RecordedSwitches rec = run.recorded();
        w.printf("recorded   %s%n", rec.profile() != null ? "profile " + rec.profile() : "no profile matches exactly");
        for (Switch s : Switch.values()) {
            RecordedSwitches.State f = rec.states().get(s);
            w.printf("           %-24s %s: %s%n", s.cliName + "=" + (f.value() ? "on" : "off"), f.how().text, f.detail());
        }
        Set<Switch> changed = rec.switches().differences(run.target());
        StringBuilder ch = new StringBuilder();
        for (Switch s : changed) ch.append(ch.length() == 0 ? "" : ", ").append(s.cliName).append(' ')
                .append(rec.switches().on(s) ? "on->off" : "off->on");
        w.printf("target     %s%s%n", run.targetProfile() != null ? "profile " + run.targetProfile() + ": " : "",
                changed.isEmpty() ? "same as recorded (projection = measurement; see the ranking below)" : ch);
        ProjectionResult p = run.projection();
        for (String s : p.projected()) w.printf("projected  %s%n", s);
        for (String s : p.notProjected()) w.printf("not projected  %s%n", s);
        w.println();

        int kw = 12;
        for (KeyProjection k : p.keys()) kw = Math.max(kw, label(k.key()).length());
        kw = Math.min(kw, 44);
        boolean rt = p.arch().equals("s390");
        w.printf("%-" + kw + "s %-9s %8s %8s %8s | %-9s %8s %8s %8s%s%n", "KEY", "CLASS", "COUNT", "P50", "P99", "PROJECTED", "P50", "P99",
                "TIME", rt ? "   ROUND TRIP P50" : "");
        int n = 0;
        if (p.keys().isEmpty()) w.println("(no exits)");
        for (KeyProjection k : p.keys()) {
            if (top > 0 && n++ >= top) break;
            StatsSnapshot.Group m = k.measured();
            boolean timed = m.measured() > 0;
            String key = label(k.key());
            if (key.length() > kw) key = key.substring(0, kw - 1) + "~";
            String time = m.blocking() ? "idle" : !timed ? "-" : m.totalNs() == 0 ? "0" : String.format("%+.0f%%", 100.0 * (k.projectedTotalNs() - m.totalNs()) / m.totalNs());
            w.printf("%-" + kw + "s %-9s %8d %8s %8s | %-9s %8s %8s %8s%s%n", key, cls(m), m.count(), pct(timed, m.histogram(), 50),
                    pct(timed, m.histogram(), 99), k.projectedClassLabel(), pct(timed, k.projected(), 50), pct(timed, k.projected(), 99),
                    time, rt && k.measuredRoundTrip() != null ? "   " + pct(timed, k.measuredRoundTrip(), 50) + " -> " + pct(timed, k.projectedRoundTrip(), 50) : "");
            if (explain && !k.stages().isEmpty()) stages(k, w);
        }
        w.println();
        w.println("which switch moves what most (each flipped alone from the recorded set):");
        int rank = 0;
        for (SwitchRanking s : run.ranking()) {
            SwitchShift first = s.keys().get(0);
            String moved = s.deltaTotalNs() != 0
                    ? String.format("exit time %+.1f%% (%s)", 100 * s.shareOfExitTime(), signed(s.deltaTotalNs()))
                    : "exit time unchanged; round trip " + signed(s.roundTripDeltaNs());
            w.printf("%3d. %-20s %-9s %s; %s: p50 %s -> %s%s%n", ++rank, s.sw().cliName, (s.from() ? "on" : "off") + "->" + (s.to() ? "on" : "off"),
                    moved, label(first.key()), Durations.format(first.measuredP50Ns()), Durations.format(first.projectedP50Ns()),
                    first.classMoved() && first.projectedClass() != null
                            ? " [" + first.measuredClassLabel() + " -> " + first.projectedClass().label + "]" : "");
        }
        if (run.ranking().isEmpty()) w.println("  (no switch changes these exits)");
        w.flush();
    }

    private static void stages(KeyProjection k, PrintWriter w) {
        w.printf("      %-20s %-6s %-9s %-13s %10s %10s%n", "stage", "ref", "class", "at", "measured", "projected");
        for (StageShare s : k.stages()) {
            w.printf("      %-20s %-6s %-9s %-13s %10s %10s%n", s.stage().id, s.stage().ref, s.exitClass().label, s.at().label,
                    String.format("%.1f", s.measuredNs()), String.format("%.1f", s.projectedNs()));
        }
    }

    private static String signed(long ns) {
        return (ns < 0 ? "-" : "+") + Durations.format(Math.abs(ns));
    }

    private static String cls(StatsSnapshot.Group g) {
        if (g.key().exitClass() != null) return g.key().exitClass().label;
        if (g.mixedClass()) return "mixed";
        ExitClass c = g.dominantClass();
        return c == null ? "-" : c.label;
    }

    private static String pct(boolean timed, Histogram h, double p) {
        return !timed || h == null || h.getTotalCount() == 0 ? "-" : Durations.format(h.getValueAtPercentile(p));
    }

    static String label(ExitKey k) {
        StringBuilder sb = new StringBuilder();
        if (k.reason() != null) sb.append(k.reason());
        if (k.subkey() != null) sb.append(sb.length() > 0 ? " " : "").append(k.subkey());
        if (k.vm() != null) sb.append(sb.length() > 0 ? " " : "").append("vm ").append(k.vm());
        if (k.vcpu() != null) sb.append(sb.length() > 0 ? " " : "").append("vcpu ").append(k.vcpu());
        return sb.length() == 0 ? "all" : sb.toString();
    }
}
