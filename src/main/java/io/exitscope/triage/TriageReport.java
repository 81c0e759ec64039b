package io.exitscope.triage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.exit.Measure;
import io.exitscope.source.TraceInfo;
import io.exitscope.util.Durations;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The outcome of triage and its two layouts. JSON contract (README "Triage"):
 * {@code {"source":…, "partial":bool, "findings":[{"kind","title","key","share","evidence":{…},"advice"}, …]}},
 * findings ranked most important first; further top-level fields may follow these.
 */
public record TriageReport(String source, boolean partial, List<Finding> findings, AnalysisResult result, long overheadNs,
                           long idleNs) {

    public Finding top() {
        return findings.isEmpty() ? null : findings.get(0);
    }

    public void writeJson(Writer w, boolean pretty) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            if (pretty) g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("source", source);
            g.writeBooleanField("partial", partial);
            g.writeArrayFieldStart("findings");
            for (Finding f : findings) writeFinding(g, f);
            g.writeEndArray();
            g.writeBooleanField("synthetic", result.synthetic());
            g.writeNumberField("events", result.events());
            g.writeNumberField("exits", result.exits());
            g.writeNumberField("incomplete_exits", result.incompleteExits());
            g.writeNumberField("lost_events", result.lostEvents());
            g.writeNumberField("overhead_ns", overheadNs);
            g.writeNumberField("idle_ns", idleNs);
            g.writeArrayFieldStart("measures");
            for (Measure m : result.measures()) g.writeString(m.label);
            g.writeEndArray();
            g.writeEndObject();
        }
        w.write('\n');
        w.flush();
    }

    public String toJson(boolean pretty) {
        StringWriter sw = new StringWriter();
        try {
            writeJson(sw, pretty);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return sw.toString();
    }

    static void writeFinding(JsonGenerator g, Finding f) throws IOException {
        g.writeStartObject();
        g.writeStringField("kind", f.kind());
        g.writeStringField("title", f.title());
        g.writeStringField("key", f.key());
        g.writeNumberField("share", Math.round(f.share() * 1e6) / 1e6);
        g.writeFieldName("evidence");
        writeValue(g, f.evidence());
        g.writeStringField("advice", f.advice());
        g.writeEndObject();
    }

    static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) g.writeNull();
        else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Collection<?> c) {
            g.writeStartArray();
            for (Object o : c) writeValue(g, o);
            g.writeEndArray();
        } else if (v instanceof Integer i) g.writeNumber(i);
        else if (v instanceof Long l) g.writeNumber(l);
        else if (v instanceof Double d) g.writeNumber(d);
        else if (v instanceof Float d) g.writeNumber(d);
        else if (v instanceof Boolean b) g.writeBoolean(b);
        else g.writeString(String.valueOf(v));
    }

    /** The human layout: header, then each finding with its key figures and advice. */
    public void writeText(PrintWriter w, int limit) {
        for (TraceInfo i : result.sources()) {
            w.printf("source     %s (%s, clock %s)%s%n", i.path(), i.format(), i.clock() == null ? "?" : i.clock(),
                    i.synthetic() ? "  ** SIMULATED DATA **" : "");
        }
        w.printf("exits      %d (%d incomplete), lost events %d, overhead %s, idle %s, span %s%n", result.exits(),
                result.incompleteExits(), result.lostEvents(), Durations.format(overheadNs), Durations.format(idleNs),
                Durations.format(result.lastTs() - result.firstTs()));
        if (partial) w.println("PARTIAL    events were lost: counts are lower bounds");
        w.println();
        if (findings.isEmpty()) w.println("no exits: nothing to triage");
        int n = 0;
        for (Finding f : findings) {
            if (limit > 0 && n == limit) {
                w.printf("(%d more; --all or --format json shows them)%n", findings.size() - n);
                break;
            }
            n++;
            w.printf("%2d. %-6s %-20s %s%n", n, f.share() > 0 ? Durations.percent(f.share()) : "-", f.kind(), f.title());
            String figs = figures(f);
            if (!figs.isEmpty()) w.printf("    %-27s %s%n", "", figs);
            if (!f.isRanking() || n <= 3) w.printf("    %-27s advice: %s%n", "", f.advice());
        }
        w.flush();
    }

    /** A few headline figures of a finding's evidence, for the table layout. */
    private static String figures(Finding f) {
        Map<String, Object> e = f.evidence();
        StringBuilder sb = new StringBuilder();
        for (String k : List.of("to_userspace", "in_kernel", "mean_ns", "projected_kernel_ns", "projected_gain_ns", "count", "p50_ns",
                "p99_ns", "p999_ns", "max_ns", "rate_per_s", "median_rate_of_others_per_s", "tail_exits", "lost_events",
                "requests_pending", "requests_known", "mean_alone_ns", "mean_concurrent_ns", "remaining_userspace_exits")) {
            Object v = e.get(k);
            if (v == null) continue;
            if (sb.length() > 0) sb.append("  ");
            String name = k.replace("_ns", "").replace("_per_s", "/s");
            sb.append(name).append(' ').append(k.endsWith("_ns") && v instanceof Number num ? Durations.format(num.longValue()) : v);
        }
        Object slow = e.get("slowest");
        if (slow instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map<?, ?> m) {
            sb.append("  slowest at +").append(m.get("offset_s")).append("s cpu ").append(m.get("cpu")).append(" tid ").append(m.get("tid"));
        }
        return sb.toString();
    }
}
