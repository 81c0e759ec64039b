package io.exitscope.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.exit.Measure;
import io.exitscope.stats.ExitKey;
import io.exitscope.stats.GroupJson;
import io.exitscope.stats.Percentile;
import io.exitscope.stats.StatsSnapshot;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.Writer;

/**
 * {@code model --format json} (README "Model JSON"): the top level of {@code report --format json}
 * (source, events, exits, incomplete_exits, lost_events, groups) plus {@code recorded},
 * {@code target}, {@code projection} and {@code ranking}; each group carries the report's fields
 * and a {@code projected} object with the same percentile fields (and, for s390, {@code
 * round_trip} objects and the {@code stages} breakdown). Times are integer ns.
 */
public final class ModelJson {
    private ModelJson() {}

    public static void write(ModelRun run, Writer w) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            header(run, g);
            recorded(run, g);
            target(run, g);
            ProjectionResult p = run.projection();
            g.writeObjectFieldStart("projection");
            g.writeStringField("arch", p.arch());
            strings(g, "projected", p.projected());
            strings(g, "not_projected", p.notProjected());
            g.writeEndObject();
            long total = p.measuredTotalNs();
            g.writeArrayFieldStart("groups");
            for (KeyProjection k : p.keys()) group(k, total, p.projectedTotalNs(), g);
            g.writeEndArray();
            g.writeObjectFieldStart("totals");
            g.writeNumberField("measured_ns", total);
            g.writeNumberField("projected_ns", p.projectedTotalNs());
            g.writeNumberField("round_trip_delta_ns", p.roundTripDeltaNs());
            g.writeEndObject();
            ranking(run, g);
            g.writeEndObject();
        }
        w.write('\n');
        w.flush();
    }

    private static void header(ModelRun run, JsonGenerator g) throws IOException {
        AnalysisResult r = run.analysis();
        g.writeStringField("source", r.sourceLabel());
        g.writeBooleanField("synthetic", r.synthetic());
        g.writeStringField("arch", run.projection().arch());
        g.writeNumberField("events", r.events());
        g.writeNumberField("exits", r.exits());
        g.writeNumberField("incomplete_exits", r.incompleteExits());
        g.writeNumberField("lost_events", r.lostEvents());
        g.writeBooleanField("partial", r.partial());
        g.writeStringField("group_by", run.projection().groupBy().toString());
        g.writeArrayFieldStart("measures");
        for (Measure m : r.measures()) g.writeString(m.label);
        g.writeEndArray();
        g.writeStringField("config", run.configOrigin());
    }

    private static void recorded(ModelRun run, JsonGenerator g) throws IOException {
        RecordedSwitches rec = run.recorded();
        g.writeObjectFieldStart("recorded");
        nullable(g, "profile", rec.profile());
        g.writeNumberField("fit_error", Math.round(rec.fitError() * 1e6) / 1e6);
        g.writeObjectFieldStart("switches");
        for (Switch s : Switch.values()) {
            RecordedSwitches.State f = rec.states().get(s);
            g.writeObjectFieldStart(s.cliName);
            g.writeStringField("value", f.value() ? "on" : "off");
            g.writeStringField("how", f.how().name().toLowerCase());
            g.writeStringField("detail", f.detail());
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void target(ModelRun run, JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("target");
        nullable(g, "profile", run.targetProfile());
        g.writeObjectFieldStart("switches");
        for (Switch s : Switch.values()) g.writeStringField(s.cliName, run.target().on(s) ? "on" : "off");
        g.writeEndObject();
        g.writeArrayFieldStart("changed");
        for (Switch s : run.recorded().switches().differences(run.target())) g.writeString(s.cliName);
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void group(KeyProjection k, long total, long projectedTotal, JsonGenerator g) throws IOException {
        StatsSnapshot.Group m = k.measured();
        g.writeStartObject();
        GroupJson.fields(g, m, StatsSnapshot.share(m, total, false), false);
        boolean timed = m.measured() > 0;
        g.writeBooleanField("modelled", k.modelled());
        if (k.measuredRoundTrip() != null) {
            g.writeObjectFieldStart("round_trip");
            percentiles(g, timed ? k.measuredRoundTrip() : null, true);
            g.writeEndObject();
        }
        g.writeObjectFieldStart("projected");
        g.writeStringField("class", k.projectedClassLabel());
        GroupJson.classCounts(g, "", k.projectedClasses());
        g.writeNumberField("count", m.count());
        g.writeNumberField("total_ns", timed ? k.projectedTotalNs() : 0);
        GroupJson.share(g, m.blocking() ? Double.NaN : StatsSnapshot.share(timed ? k.projectedTotalNs() : 0, projectedTotal));
        percentiles(g, timed ? k.projected() : null, false);
        if (k.projectedRoundTrip() != null) {
            g.writeObjectFieldStart("round_trip");
            percentiles(g, timed ? k.projectedRoundTrip() : null, false);
            g.writeEndObject();
        }
        g.writeEndObject();
        if (!k.stages().isEmpty()) {
            g.writeArrayFieldStart("stages");
            for (StageShare s : k.stages()) {
                g.writeStartObject();
                g.writeStringField("stage", s.stage().id);
                g.writeStringField("ref", s.stage().ref);
                g.writeStringField("class", s.exitClass().label);
                g.writeStringField("at", s.at().label);
                g.writeNumberField("measured_ns", Math.round(s.measuredNs() * 10) / 10.0);
                g.writeNumberField("projected_ns", Math.round(s.projectedNs() * 10) / 10.0);
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static void ranking(ModelRun run, JsonGenerator g) throws IOException {
        g.writeArrayFieldStart("ranking");
        int rank = 0;
        for (SwitchRanking r : run.ranking()) {
            g.writeStartObject();
            g.writeNumberField("rank", ++rank);
            g.writeStringField("switch", r.sw().cliName);
            g.writeStringField("from", r.from() ? "on" : "off");
            g.writeStringField("to", r.to() ? "on" : "off");
            g.writeNumberField("total_ns_delta", r.deltaTotalNs());
            g.writeNumberField("share_of_exit_time_delta", Math.round(r.shareOfExitTime() * 1e6) / 1e6);
            g.writeNumberField("round_trip_ns_delta", r.roundTripDeltaNs());
            g.writeStringField("effect", r.sw().effect);
            g.writeArrayFieldStart("keys");
            for (SwitchShift s : r.keys().subList(0, Math.min(5, r.keys().size()))) {
                g.writeStartObject();
                key(s.key(), g);
                g.writeStringField("measured_class", s.measuredClassLabel());
                g.writeStringField("projected_class", s.projectedClass() == null ? "-" : s.projectedClass().label);
                g.writeNumberField("count", s.count());
                g.writeNumberField("p50_ns", s.measuredP50Ns());
                g.writeNumberField("projected_p50_ns", s.projectedP50Ns());
                g.writeNumberField("p99_ns", s.measuredP99Ns());
                g.writeNumberField("projected_p99_ns", s.projectedP99Ns());
                g.writeNumberField("total_ns_delta", s.deltaTotalNs());
                g.writeNumberField("round_trip_ns_delta", s.roundTripDeltaNs());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** The key of a ranked switch shift (no group: the class only when the key has one). */
    private static void key(ExitKey k, JsonGenerator g) throws IOException {
        g.writeStringField("reason", k.reason() != null ? k.reason() : "all");
        g.writeNumberField("reason_code", k.reason() != null ? k.reasonCode() : -1);
        if (k.exitClass() != null) g.writeStringField("class", k.exitClass().label);
        if (k.subkey() != null) g.writeStringField("subkey", k.subkey());
        if (k.vcpu() != null) g.writeStringField("vcpu", k.vcpu());
        if (k.vm() != null) g.writeStringField("vm", k.vm());
    }

    /** @param measured a measured histogram gets intervals; a projected one is the model's draw, not a sample of the system */
    private static void percentiles(JsonGenerator g, Histogram h, boolean measured) throws IOException {
        GroupJson.percentiles(g, "", h != null && h.getTotalCount() > 0 ? h : null, Percentile.SHOWN, true, measured);
    }

    private static void nullable(JsonGenerator g, String name, String v) throws IOException {
        if (v == null) g.writeNullField(name);
        else g.writeStringField(name, v);
    }

    private static void strings(JsonGenerator g, String name, java.util.List<String> l) throws IOException {
        g.writeArrayFieldStart(name);
        for (String s : l) g.writeString(s);
        g.writeEndArray();
    }
}
