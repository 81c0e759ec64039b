package io.exitscope.view.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.evidence.OptimizationEvidence;
import io.exitscope.exit.ExitClass;
import io.exitscope.exit.Measure;
import io.exitscope.stats.GroupJson;
import io.exitscope.stats.NotificationEvidence;
import io.exitscope.stats.StatsSnapshot;

import java.io.IOException;
import java.io.Writer;
import java.util.Map;

/**
 * The JSON contract of {@code report --format json} (README "JSON output"): top level
 * {@code source, events, exits, incomplete_exits, lost_events, groups[]}; each group
 * {@code reason, reason_code, class, count, total_ns, p50_ns, p90_ns, p99_ns, p999_ns, max_ns}
 * plus {@code subkey, vcpu, vm} when grouped by them. Times are integer ns; percentiles are null
 * for groups whose exits could not be timed.
 */
public final class JsonReport {
    private JsonReport() {}

    static final JsonFactory FACTORY = new JsonFactory();

    public static void write(ReportData d, Writer w, boolean pretty) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            if (pretty) g.useDefaultPrettyPrinter();
            g.writeStartObject();
            writeBody(d, g, null);
            g.writeEndObject();
        }
        w.write('\n');
        w.flush();
    }

    /** The fields of a report object, for embedding (live intervals add their own). */
    public static void writeBody(ReportData d, JsonGenerator g, Map<String, Long> extraLongs) throws IOException {
        AnalysisResult r = d.result;
        g.writeStringField("source", r.sourceLabel());
        if (extraLongs != null) for (Map.Entry<String, Long> e : extraLongs.entrySet()) g.writeNumberField(e.getKey(), e.getValue());
        g.writeNumberField("events", r.events());
        g.writeNumberField("exits", r.exits());
        g.writeNumberField("incomplete_exits", r.incompleteExits());
        g.writeObjectFieldStart("incomplete_by_reason");
        for (Map.Entry<String, Long> e : r.incompleteByReason().entrySet()) g.writeNumberField(e.getKey(), e.getValue());
        g.writeEndObject();
        g.writeNumberField("truncated_at_start", r.truncatedAtStart());
        g.writeNumberField("lost_events", r.lostEvents());
        if (r.damagedLines() > 0) {                                       // absent when none: older outputs stay byte-identical
            g.writeNumberField("damaged_lines", r.damagedLines());
            g.writeNumberField("first_damaged_line", r.firstDamagedLine());
        }
        if (d.unknownClassExits() > 0) {                                  // absent when every class is known: outputs stay byte-identical
            g.writeNumberField("class_unknown_exits", d.unknownClassExits());
            g.writeStringField("class_unknown_why", ExitClass.UNKNOWN_WHY);
            g.writeStringField("class_unknown_add_event", ExitClass.EVIDENCE_EVENT);
        }
        g.writeBooleanField("partial", r.partial());
        g.writeBooleanField("synthetic", r.synthetic());
        g.writeStringField("group_by", d.options.groupBy().toString());
        g.writeArrayFieldStart("measures");
        for (Measure m : r.measures()) g.writeString(m.label);
        g.writeEndArray();
        g.writeNumberField("first_ts_ns", r.firstTs());
        g.writeNumberField("last_ts_ns", r.lastTs());
        g.writeArrayFieldStart("groups");
        for (StatsSnapshot.Group grp : d.groups) writeGroup(d, grp, g);
        g.writeEndArray();
        g.writeObjectFieldStart("evidence");
        g.writeArrayFieldStart("notifications");
        OptimizationEvidence ev = d.optimizations;
        for (OptimizationEvidence.Notification a : ev.notifications()) {
            g.writeStartObject();
            g.writeStringField("address", a.address());
            g.writeStringField("reason", a.reason());
            g.writeNumberField("tid", a.tid());
            g.writeStringField("vm", a.vm());
            g.writeNumberField("to_userspace", a.toUserspace());
            g.writeNumberField("in_kernel", a.inKernel());
            if (a.seen().unknownClass() > 0) g.writeNumberField("unknown_class", a.seen().unknownClass()); // absent when known
            g.writeStringField("verdict", a.verdict().json);
            g.writeBooleanField("ioeventfd", a.verdict().ioeventfd);
            if (a.basis() != null) g.writeStringField("basis", a.basis());
            if (a.userspaceMeasured() > 0) g.writeNumberField("mean_userspace_ns", a.meanUserspaceNs());
            g.writeEndObject();
        }
        g.writeEndArray();
        if (ev.notificationWritesLeftOut() > 0) g.writeNumberField("notification_writes_left_out", ev.notificationWritesLeftOut());
        g.writeNumberField("requests_known", ev.requests().known());
        g.writeNumberField("requests_pending", ev.requests().pending());
        if (ev.kvm().module() == null) g.writeNullField("kvm_module");
        else g.writeBooleanField("kvm_module", ev.kvm().module());
        g.writeStringField("kvm_module_evidence", ev.kvm().evidence());
        g.writeNumberField("fpu_loads", ev.fpu().loads());
        g.writeNumberField("fpu_unloads", ev.fpu().unloads());
        g.writeNumberField("userspace_returns", ev.fpu().userspaceReturns());
        g.writeEndObject();
    }

    static void writeGroup(ReportData d, StatsSnapshot.Group grp, JsonGenerator g) throws IOException {
        g.writeStartObject();
        GroupJson.fields(g, grp, d.share(grp), true);
        g.writeEndObject();
    }
}
