package io.exitscope.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.source.TraceSource;
import io.exitscope.stats.Comparison;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.GroupJson;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.util.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** Distribution shift per key between two traces (or two threads / windows of one trace). */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare exits of trace A (baseline) with trace B, key by key: count, class mix and percentile",
                "shifts, ranked by how much each key's distribution moved. The biggest movers are marked with *.",
                "A and B may be the same file with --a-tid/--b-tid (e.g. two runs on two threads)."})
final class CompareCommand implements Callable<Integer> {
    enum Format { table, json }

    @Parameters(index = "0", paramLabel = "A", description = "baseline trace")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "trace to compare")
    Path b;

    @Option(names = "--by", paramLabel = "DIMS", converter = GroupByConverter.class, description = "Grouping (default: subkey, i.e. reason and subkey).")
    GroupBy by = GroupBy.parse("subkey");

    @Option(names = {"-f", "--format"}, paramLabel = "FMT", description = "table (default) or json")
    Format format = Format.table;

    @Option(names = "--a-tid", paramLabel = "TID", description = "Only this thread of A.")
    int aTid = -1;

    @Option(names = "--b-tid", paramLabel = "TID", description = "Only this thread of B.")
    int bTid = -1;

    @Option(names = "--include-blocking", description = "Count blocking exits in the time shares.")
    boolean includeBlocking;

    @Option(names = "--top", paramLabel = "N", description = "Show the N biggest movers (default 20).")
    int top = 20;

    @Mixin
    TraceInputs inputs;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        GroupBy groupBy = by;
        AnalysisOptions base = inputs.options();
        AnalysisResult ra = analyse(a, aTid >= 0 ? base.withTid(aTid) : base);
        AnalysisResult rb = analyse(b, bTid >= 0 ? base.withTid(bTid) : base);
        StatsSnapshot sa = ra.stats().snapshot(groupBy), sb = rb.stats().snapshot(groupBy);
        List<Comparison.Shift> shifts = Comparison.compare(sa, sb, includeBlocking);
        PrintWriter w = spec.commandLine().getOut();
        if (format == Format.json) json(ra, rb, shifts, w);
        else table(ra, rb, shifts, w);
        w.flush();
        return 0;
    }

    private AnalysisResult analyse(Path p, AnalysisOptions opt) throws Exception {
        List<TraceSource> s = inputs.open(List.of(p));
        try {
            return TraceAnalysis.run(s, opt);
        } finally {
            TraceInputs.closeAll(s);
        }
    }

    private String side(AnalysisResult r, int tid) {
        return r.sourceLabel() + (tid >= 0 ? " (tid " + tid + ")" : "") + ": " + r.exits() + " exits, lost " + r.lostEvents()
                + (r.synthetic() ? ", SIMULATED" : "");
    }

    private void table(AnalysisResult ra, AnalysisResult rb, List<Comparison.Shift> shifts, PrintWriter w) {
        w.println("A  " + side(ra, aTid));
        w.println("B  " + side(rb, bTid));
        w.println("ranked by distribution shift (class mix + share of time + percentile ratio); * = biggest movers");
        w.println();
        int kw = 12;
        for (Comparison.Shift s : shifts) kw = Math.max(kw, s.key().label().length());
        kw = Math.min(kw, 40);
        w.printf("  %-" + kw + "s %15s %17s %17s %6s  %s%n", "KEY", "COUNT A->B", "P50 A->B", "P99 A->B", "SCORE", "WHY");
        double topScore = shifts.isEmpty() ? 0 : shifts.get(0).score();
        int n = 0;
        for (Comparison.Shift s : shifts) {
            if (n++ >= top) break;
            boolean mover = s.score() > 0.1 && s.score() >= topScore * 0.5;
            String key = s.key().label();
            if (key.length() > kw) key = key.substring(0, kw - 1) + "~";
            w.printf("%s %-" + kw + "s %15s %17s %17s %6.2f  %s%n", mover ? "*" : " ", key,
                    count(s.a()) + "->" + count(s.b()), pct(s.a(), 50) + "->" + pct(s.b(), 50),
                    pct(s.a(), 99) + "->" + pct(s.b(), 99), s.score(), s.why());
        }
    }

    private static String count(StatsSnapshot.Group g) {
        return g == null ? "0" : Long.toString(g.count());
    }

    private static String pct(StatsSnapshot.Group g, double p) {
        return g == null || g.measured() == 0 ? "-" : Durations.format(g.percentile(p));
    }

    private void json(AnalysisResult ra, AnalysisResult rb, List<Comparison.Shift> shifts, PrintWriter w) throws Exception {
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("a", side(ra, aTid));
            g.writeStringField("b", side(rb, bTid));
            g.writeStringField("group_by", by.toString());
            g.writeArrayFieldStart("shifts");
            int rank = 0;
            for (Comparison.Shift s : shifts) {
                g.writeStartObject();
                g.writeNumberField("rank", ++rank);
                g.writeStringField("key", s.key().label());
                if (s.key().reason() != null) g.writeStringField("reason", s.key().reason());
                if (s.key().subkey() != null) g.writeStringField("subkey", s.key().subkey());
                if (s.key().exitClass() != null) g.writeStringField("class", s.key().exitClass().label);
                g.writeNumberField("score", Math.round(s.score() * 1000) / 1000.0);
                g.writeNumberField("class_distance", Math.round(s.classDistance() * 1000) / 1000.0);
                g.writeNumberField("share_a", Math.round(s.shareA() * 1e6) / 1e6);
                g.writeNumberField("share_b", Math.round(s.shareB() * 1e6) / 1e6);
                side(g, "a_", s.a());
                side(g, "b_", s.b());
                g.writeStringField("why", s.why());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        w.println();
    }

    private static void side(JsonGenerator g, String p, StatsSnapshot.Group grp) throws Exception {
        g.writeNumberField(p + "count", grp == null ? 0 : grp.count());
        GroupJson.percentiles(g, p, grp != null && grp.measured() > 0 ? grp.histogram() : null, Comparison.COMPARED, false);
        if (grp != null) GroupJson.classCounts(g, p, grp.classCounts());
    }
}
