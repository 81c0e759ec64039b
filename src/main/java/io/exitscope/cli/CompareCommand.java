package io.exitscope.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.TimeWindows;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.source.TraceSource;
import io.exitscope.stats.Comparison;
import io.exitscope.stats.FrozenStats;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.GroupJson;
import io.exitscope.stats.Significance;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.triage.FailExpr;
import io.exitscope.util.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Distribution shift per key between two traces (or two threads / windows of one trace), with a verdict on whether it is noise. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare exits of A (baseline) with B, key by key: exit rate, class mix, p50 and p99, each with a verdict",
                "(slower, faster, more, fewer, no significant change) at a 5%% family-wise level, ranked by significant effect.",
                "Several runs per side give the run-to-run noise: compare A1 A2 A3 -- B1 B2 B3. With one run per side,",
                "--split N cuts each into N time windows for a noise estimate; without either only sampling noise is known.",
                "A and B may be the same file with --a-tid/--b-tid (e.g. two runs on two threads).",
                "--fail-on EXPR exits with 2 when EXPR holds, e.g. 'slower(p99, reason=EPT_MISCONFIG) > 2%%'."})
final class CompareCommand implements Callable<Integer> {
    enum Format { table, json, html }

    @Parameters(arity = "2..*", paramLabel = "FILE", description = "A B, or A1 A2 ... -- B1 B2 ... (runs of each side); each a " + TraceInputs.FILES)
    List<Path> files;

    @Option(names = "--by", paramLabel = "DIMS", converter = GroupByConverter.class, description = "Grouping (default: subkey, i.e. reason and subkey).")
    GroupBy by = GroupBy.parse("subkey");

    @Option(names = {"-f", "--format"}, paramLabel = "FMT", description = "table (default), json, or html (one self-contained page: the ranking, then A and B side by side)")
    Format format = Format.table;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Option(names = "--a-tid", paramLabel = "TID", description = "Only this thread of A.")
    int aTid = -1;

    @Option(names = "--b-tid", paramLabel = "TID", description = "Only this thread of B.")
    int bTid = -1;

    @Option(names = "--split", paramLabel = "N", description = "With one run per side: cut each into N time windows to estimate run-to-run noise (2..64).")
    int split;

    @Option(names = "--fail-on", paramLabel = "EXPR", description = "Exit with 2 when EXPR holds, e.g. 'slower(p99) > 2%%' or 'more(class, port=0x500) > 10%%'.")
    String failOn;

    @Option(names = "--include-blocking", description = "Count blocking exits in the time shares.")
    boolean includeBlocking;

    @Option(names = "--top", paramLabel = "N", description = "Show the N first keys (default 20).")
    int top = 20;

    @Mixin
    TraceInputs inputs;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** One side: its runs, pooled, and the sample the tests read. */
    private record Side(String label, AnalysisResult first, long exits, long lost, boolean synthetic, Significance.Sample sample) {}

    @Override
    public Integer call() throws Exception {
        FailExpr gate = null;
        if (failOn != null) {
            try {
                gate = FailExpr.parseCompare(failOn);
            } catch (FailExpr.SyntaxError e) {
                throw new Main.UsageException("--fail-on \"" + failOn + "\": " + e.getMessage());
            }
        }
        if (split == 1 || split < 0 || split > 64) throw new Main.UsageException("--split " + split + ": give 2..64 windows");
        // picocli drops "--" from the positionals; every argument after it is a positional, so B is that many last files
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        int dash = args.lastIndexOf("--");
        int nb = dash < 0 ? 1 : args.size() - dash - 1;
        if (dash < 0 && files.size() != 2) {
            throw new Main.UsageException("compare takes A B, or the runs of each side as A1 A2 ... -- B1 B2 ...");
        }
        if (nb < 1 || nb >= files.size()) throw new Main.UsageException("compare: name at least one run on each side of --");
        List<Path> as = files.subList(0, files.size() - nb), bs = files.subList(files.size() - nb, files.size());
        AnalysisOptions base = inputs.options();
        if (format == Format.html) {
            if (as.size() != 1 || bs.size() != 1) throw new Main.UsageException("compare --format html takes one run per side");
            return html(as.get(0), bs.get(0), base, by);
        }
        Side sa = side(as, aTid >= 0 ? base.withTid(aTid) : base, aTid);
        Side sb = side(bs, bTid >= 0 ? base.withTid(bTid) : base, bTid);
        List<Comparison.Shift> shifts = Comparison.compare(sa.sample, sb.sample, includeBlocking);
        FailExpr.Outcome outcome = gate == null ? null : gate.evaluate(sb.first, shifts);
        PrintWriter w = output == null ? spec.commandLine().getOut()
                : new PrintWriter(new java.io.OutputStreamWriter(java.nio.file.Files.newOutputStream(output), java.nio.charset.StandardCharsets.UTF_8));
        if (format == Format.json) json(sa, sb, shifts, outcome, w);
        else table(sa, sb, shifts, w);
        w.flush();
        if (output != null) w.close();
        if (outcome != null) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("exitscope: threshold " + (outcome.crossed() ? "crossed" : "not crossed") + ": " + outcome.detailText());
            err.flush();
            return outcome.crossed() ? Main.EXIT_THRESHOLD : Main.EXIT_OK;
        }
        return 0;
    }

    /** The shifts (as --format json ranks them), then A and B each as report --format html shows one trace. */
    private int html(Path a, Path b, AnalysisOptions base, GroupBy groupBy) throws Exception {
        var ropt = new io.exitscope.view.report.ReportOptions(groupBy, includeBlocking, 0);
        var pa = HtmlParts.analyse(a + (aTid >= 0 ? " (tid " + aTid + ")" : ""), inputs.open(List.of(a)), aTid >= 0 ? base.withTid(aTid) : base, ropt);
        var pb = HtmlParts.analyse(b + (bTid >= 0 ? " (tid " + bTid + ")" : ""), inputs.open(List.of(b)), bTid >= 0 ? base.withTid(bTid) : base, ropt);
        List<Comparison.Shift> shifts = Comparison.compare(pa.data().snapshot, pb.data().snapshot, includeBlocking);
        java.io.Writer w = output == null ? spec.commandLine().getOut()
                : new java.io.OutputStreamWriter(java.nio.file.Files.newOutputStream(output), java.nio.charset.StandardCharsets.UTF_8);
        io.exitscope.view.html.HtmlReport.writeCompare(pa, pb, shifts, groupBy.toString(), w);
        if (output != null) w.close();
        return 0;
    }

    private Side side(List<Path> runs, AnalysisOptions opt, int tid) throws Exception {
        List<AnalysisResult> results = new ArrayList<>();
        List<Significance.Replicate> replicates = new ArrayList<>();
        for (Path p : runs) {
            List<TraceSource> s = inputs.open(List.of(p));
            try {
                TimeWindows windows = split >= 2 && runs.size() == 1 ? new TimeWindows(split) : null;
                results.add(TraceAnalysis.run(s, opt, windows));
                if (windows != null) {
                    for (TimeWindows.Window win : windows.windows()) replicates.add(new Significance.Replicate(win.stats().snapshot(by), win.seconds()));
                }
            } finally {
                TraceInputs.closeAll(s);
            }
        }
        String kind = "windows";
        if (results.size() > 1) {
            kind = "runs";
            for (AnalysisResult r : results) replicates.add(new Significance.Replicate(r.stats().snapshot(by), r.durationSeconds()));
        }
        FrozenStats pooled = results.size() == 1 ? results.get(0).stats() : FrozenStats.sum(results.stream().map(AnalysisResult::stats).toList());
        double seconds = results.stream().mapToDouble(AnalysisResult::durationSeconds).sum();
        StringBuilder label = new StringBuilder();
        long exits = 0, lost = 0;
        boolean synthetic = false;
        for (AnalysisResult r : results) {
            if (label.length() > 0) label.append(", ");
            label.append(r.sourceLabel());
            exits += r.exits();
            lost += r.lostEvents();
            synthetic |= r.synthetic();
        }
        if (tid >= 0) label.append(" (tid ").append(tid).append(')');
        if (results.size() > 1) label.append(" (").append(results.size()).append(" runs)");
        return new Side(label.toString(), results.get(0), exits, lost, synthetic,
                new Significance.Sample(pooled.snapshot(by), seconds, replicates, kind));
    }

    private static String sideText(Side s) {
        return s.label + ": " + s.exits + " exits, lost " + s.lost + (s.synthetic ? ", SIMULATED" : "");
    }

    private static String noise(Side a, Side b) {
        int ka = a.sample.replicates().size(), kb = b.sample.replicates().size();
        if (ka >= 2 && kb >= 2) {
            return "noise: measured across " + a.sample.replicateKind() + " (" + ka + " vs " + kb + ")";
        }
        return "noise: sampling only (one run per side; runs differ more than that: give several runs, A1 A2 -- B1 B2, or --split N)";
    }

    private void table(Side sa, Side sb, List<Comparison.Shift> shifts, PrintWriter w) {
        w.println("A  " + sideText(sa));
        w.println("B  " + sideText(sb));
        w.println(noise(sa, sb));
        int tests = 0;
        for (Comparison.Shift s : shifts) tests += s.tests().size();
        w.printf("verdicts at %.0f%% family-wise (Holm over %d tests: rate, class mix, p50, p99 per key); * = significant change,%n",
                Significance.LEVEL * 100, tests);
        w.println("ranked by significant effect, then by raw shift (class mix + share of time + percentile ratio)");
        resolvable(shifts, w);
        w.println();
        int kw = 12;
        for (Comparison.Shift s : shifts) kw = Math.max(kw, s.key().label().length());
        kw = Math.min(kw, 40);
        w.printf("  %-" + kw + "s %15s %17s %17s %6s  %s%n", "KEY", "COUNT A->B", "P50 A->B", "P99 A->B", "SCORE", "VERDICT | WHY");
        int n = 0;
        for (Comparison.Shift s : shifts) {
            if (n++ >= top) break;
            String key = s.key().label();
            if (key.length() > kw) key = key.substring(0, kw - 1) + "~";
            w.printf("%s %-" + kw + "s %15s %17s %17s %6.2f  %s | %s%n", s.significant() ? "*" : " ", key,
                    count(s.a()) + "->" + count(s.b()), pct(s.a(), 50) + "->" + pct(s.b(), 50),
                    pct(s.a(), 99) + "->" + pct(s.b(), 99), s.score(), s.verdictText(), s.why());
        }
    }

    /** The smallest effects the tests of the busiest key could resolve: what "no significant change" means here. */
    private static void resolvable(List<Comparison.Shift> shifts, PrintWriter w) {
        Comparison.Shift busiest = null;
        for (Comparison.Shift s : shifts) {
            if (s.a() == null || s.b() == null || s.key().blocking()) continue;
            if (busiest == null || s.a().count() + s.b().count() > busiest.a().count() + busiest.b().count()) busiest = s;
        }
        if (busiest == null) return;
        List<String> parts = new ArrayList<>();
        for (Significance.Test t : busiest.tests()) {
            parts.add(t.measure().label + (t.measure() == Significance.Measure.CLASS ? String.format(" %.1f pts", t.resolvable() * 100)
                    : String.format(" %.1f%%", t.resolvable() * 100)));
        }
        if (!parts.isEmpty()) w.println("resolvable (80% power) on the busiest key, " + busiest.key().label() + ": " + String.join(", ", parts));
    }

    private static String count(StatsSnapshot.Group g) {
        return g == null ? "0" : Long.toString(g.count());
    }

    private static String pct(StatsSnapshot.Group g, double p) {
        return g == null || g.measured() == 0 ? "-" : Durations.format(g.percentile(p));
    }

    private void json(Side sa, Side sb, List<Comparison.Shift> shifts, FailExpr.Outcome outcome, PrintWriter w) throws Exception {
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("a", sideText(sa));
            g.writeStringField("b", sideText(sb));
            g.writeStringField("group_by", by.toString());
            g.writeNumberField("level", Significance.LEVEL);
            g.writeStringField("noise", noise(sa, sb));
            if (outcome != null) {
                g.writeObjectFieldStart("fail_on");
                g.writeStringField("expression", failOn);
                g.writeBooleanField("crossed", outcome.crossed());
                g.writeArrayFieldStart("details");
                for (String d : outcome.details()) g.writeString(d);
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeArrayFieldStart("shifts");
            int rank = 0;
            for (Comparison.Shift s : shifts) {
                g.writeStartObject();
                g.writeNumberField("rank", ++rank);
                g.writeStringField("key", s.key().label());
                if (s.key().reason() != null) g.writeStringField("reason", s.key().reason());
                if (s.key().subkey() != null) g.writeStringField("subkey", s.key().subkey());
                if (s.key().exitClass() != null) g.writeStringField("class", s.key().exitClass().label);
                g.writeBooleanField("significant", s.significant());
                g.writeStringField("verdict", s.verdictText());
                g.writeNumberField("score", Math.round(s.score() * 1000) / 1000.0);
                g.writeNumberField("class_distance", Math.round(s.classDistance() * 1000) / 1000.0);
                g.writeNumberField("share_a", Math.round(s.shareA() * 1e6) / 1e6);
                g.writeNumberField("share_b", Math.round(s.shareB() * 1e6) / 1e6);
                side(g, "a_", s.a());
                side(g, "b_", s.b());
                g.writeArrayFieldStart("tests");
                for (Significance.Test t : s.tests()) test(g, t);
                g.writeEndArray();
                g.writeStringField("why", s.why());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        w.println();
    }

    private static void test(JsonGenerator g, Significance.Test t) throws Exception {
        g.writeStartObject();
        g.writeStringField("measure", t.measure().label);
        if (t.classLabel() != null) g.writeStringField("class", t.classLabel());
        g.writeStringField("verdict", t.verdict());
        g.writeBooleanField("significant", t.significant());
        g.writeNumberField("a", round(t.a()));
        g.writeNumberField("b", round(t.b()));
        finite(g, "effect", t.effect());
        g.writeArrayFieldStart("effect_ci");
        g.writeNumber(round(t.effectLow()));
        g.writeNumber(round(t.effectHigh()));
        g.writeEndArray();
        g.writeNumberField("p_value", t.pValue() < 1e-12 ? 0 : Double.parseDouble(String.format("%.3g", t.pValue())));
        finite(g, "resolvable_effect", t.resolvable());
        g.writeStringField("noise", t.basis());
        g.writeEndObject();
    }

    private static void finite(JsonGenerator g, String name, double v) throws Exception {
        if (Double.isFinite(v)) g.writeNumberField(name, round(v));
        else g.writeNullField(name);
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e6) / 1e6 : 0;
    }

    private static void side(JsonGenerator g, String p, StatsSnapshot.Group grp) throws Exception {
        g.writeNumberField(p + "count", grp == null ? 0 : grp.count());
        GroupJson.percentiles(g, p, grp != null && grp.measured() > 0 ? grp.histogram() : null, Comparison.COMPARED, false, true);
        if (grp != null) GroupJson.classCounts(g, p, grp.classCounts());
    }
}
