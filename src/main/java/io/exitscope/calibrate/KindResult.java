package io.exitscope.calibrate;

import com.fasterxml.jackson.core.JsonGenerator;
import io.exitscope.exit.ExitClass;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What one exit kind gave: the exerciser's own counts next to what the live trace showed.
 * {@link #writeJson} is the {@code calibrate --format json} contract (README "calibrate").
 *
 * @param exits           target exits seen in the trace (their child events: kvm_pio / kvm_mmio /
 *                        kvm_userspace_exit HLT), kernel-handled ones included
 * @param expectedExits   the same from the exerciser's own counts
 * @param classCounts     completed target exits per class (the last exit of a run never returns to
 *                        the guest and is incomplete, so these may sum to one less than {@code exits})
 * @param interruptedExits target exits followed by a return from KVM_RUN for a signal
 *                        (KVM_EXIT_INTR, the --seconds timer): not counted in a class
 * @param measure         what the latencies measure ({@code exit->entry}, {@code userspace round trip},
 *                        {@code count only}); null when no target exit completed
 * @param events          per tracepoint: traced count and expected count (null when the exerciser
 *                        cannot know it, e.g. kvm_exit)
 * @param spanNs          first to last traced event of the exerciser's thread, trace clock ns
 */
public record KindResult(
        Kind kind,
        List<String> exerciserArgs,
        ExerciserRun.Result ex,
        long exits,
        long expectedExits,
        Map<ExitClass, Long> classCounts,
        String measure,
        long measured,
        long p50Ns,
        long p99Ns,
        long maxNs,
        long meanUserspaceNs,
        long allExits,
        long incompleteExits,
        long userspaceExits,
        long interruptedExits,
        Map<String, long[]> events,
        long lostEvents,
        long spanNs,
        String clock,
        List<Group> groups,
        AB ab) {

    /** One (reason, subkey, class) group of all the run's exits. */
    public record Group(String reason, String subkey, String exitClass, long count, long measured, long p50Ns, long p99Ns, long maxNs) {}

    /**
     * The ioeventfd A/B for the port: the same guest program without ({@link Kind#MIXED}) and with
     * ({@link Kind#PIO_IOEVENTFD}) KVM_IOEVENTFD.
     *
     * @param costWithoutNs estimated cost of one notification that goes to userspace, from the
     *                      exerciser's elapsed time per pass: pass = (ratio+1) such writes
     * @param costWithNs    estimated cost of one kernel-handled notification: pass = ratio of them + 1 userspace
     *                      write; NaN when the two runs were too noisy to separate (the estimate came out negative)
     * @param passWithoutNs exerciser time per guest loop pass without ioeventfd
     * @param passWithNs    the same with ioeventfd
     */
    public record AB(int port, double notificationsPerSWithout, double notificationsPerSWith, double userspaceShareWithout,
                     double userspaceShareWith, long roundTripP50Without, double costWithoutNs, double costWithNs,
                     double passWithoutNs, double passWithNs) {}

    /** Class of the completed target exits: the single class, "mixed", or "none". */
    public String classLabel() {
        ExitClass only = null;
        int n = 0;
        for (Map.Entry<ExitClass, Long> e : classCounts.entrySet()) {
            if (e.getValue() > 0) {
                only = e.getKey();
                n++;
            }
        }
        return n == 0 ? "none" : n == 1 ? only.label : "mixed";
    }

    /** Target exits per second by the exerciser's counts and elapsed time. */
    public double exitsPerS() {
        return ex.elapsedNs() > 0 ? expectedExits / (ex.elapsedNs() / 1e9) : 0;
    }

    /** Target exits per second in the trace (over the span of the exerciser's events). */
    public double tracedExitsPerS() {
        return spanNs > 0 ? exits / (spanNs / 1e9) : 0;
    }

    /** Every compared count equals the exerciser's (trace events per tracepoint, target exits). */
    public boolean countsMatch() {
        if (exits != expectedExits) return false;
        for (long[] v : events.values()) if (v[1] >= 0 && v[0] != v[1]) return false;
        return true;
    }

    public long eventsTraced() {
        long s = 0;
        for (long[] v : events.values()) s += v[0];
        return s;
    }

    public double userspaceShare() {
        long u = classCounts.getOrDefault(ExitClass.USERSPACE, 0L), all = 0;
        for (long v : classCounts.values()) all += v;
        return all == 0 ? Double.NaN : (double) u / all;
    }

    public void writeJson(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("kind", kind.label);
        g.writeStringField("description", kind.description);
        g.writeStringField("exerciser_args", String.join(" ", exerciserArgs));
        g.writeNumberField("cpu", ex.cpu());
        g.writeNumberField("iterations", ex.iterations());
        g.writeNumberField("elapsed_ns", ex.elapsedNs());
        g.writeStringField("stopped_by", ex.stoppedBy());
        g.writeStringField("target", kind.targetText());
        g.writeStringField("class", classLabel());
        g.writeStringField("expected_class", kind.expectedClass.label);
        g.writeObjectFieldStart("class_counts");
        for (Map.Entry<ExitClass, Long> e : classCounts.entrySet()) g.writeNumberField(e.getKey().label, e.getValue());
        g.writeEndObject();
        g.writeNumberField("exits", exits);
        g.writeNumberField("expected_exits", expectedExits);
        g.writeNumberField("exits_per_s", round1(exitsPerS()));
        g.writeNumberField("traced_exits_per_s", round1(tracedExitsPerS()));
        if (measure == null) g.writeNullField("measure");
        else g.writeStringField("measure", measure);
        g.writeNumberField("measured", measured);
        num(g, "p50_ns", measured > 0, p50Ns);
        num(g, "p99_ns", measured > 0, p99Ns);
        num(g, "max_ns", measured > 0, maxNs);
        g.writeNumberField("all_exits", allExits);
        g.writeNumberField("incomplete_exits", incompleteExits);
        g.writeNumberField("interrupted_exits", interruptedExits);
        g.writeNumberField("userspace_exits", userspaceExits);
        g.writeNumberField("expected_userspace_exits", ex.userspaceExits());
        g.writeObjectFieldStart("events");
        for (Map.Entry<String, long[]> e : events.entrySet()) {
            g.writeObjectFieldStart(e.getKey());
            g.writeNumberField("traced", e.getValue()[0]);
            if (e.getValue()[1] >= 0) g.writeNumberField("expected", e.getValue()[1]);
            else g.writeNullField("expected");
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeBooleanField("counts_match", countsMatch());
        g.writeNumberField("lost_events", lostEvents);
        g.writeBooleanField("partial", lostEvents != 0);
        g.writeNumberField("span_ns", spanNs);
        g.writeStringField("clock", clock);
        g.writeArrayFieldStart("groups");
        for (Group gr : groups) {
            g.writeStartObject();
            g.writeStringField("reason", gr.reason());
            if (gr.subkey() == null) g.writeNullField("subkey");
            else g.writeStringField("subkey", gr.subkey());
            g.writeStringField("class", gr.exitClass());
            g.writeNumberField("count", gr.count());
            g.writeNumberField("measured", gr.measured());
            num(g, "p50_ns", gr.measured() > 0, gr.p50Ns());
            num(g, "p99_ns", gr.measured() > 0, gr.p99Ns());
            num(g, "max_ns", gr.measured() > 0, gr.maxNs());
            g.writeEndObject();
        }
        g.writeEndArray();
        if (ab != null) {
            g.writeObjectFieldStart("ioeventfd_ab");
            g.writeStringField("port", "0x" + Integer.toHexString(ab.port()));
            g.writeObjectFieldStart("without");
            g.writeStringField("kind", Kind.MIXED.label);
            g.writeNumberField("notifications_per_s", round1(ab.notificationsPerSWithout()));
            share(g, ab.userspaceShareWithout());
            if (ab.roundTripP50Without() > 0) g.writeNumberField("userspace_round_trip_p50_ns", ab.roundTripP50Without());
            cost(g, ab.costWithoutNs());
            g.writeNumberField("pass_ns", Math.round(ab.passWithoutNs()));
            g.writeEndObject();
            g.writeObjectFieldStart("with");
            g.writeStringField("kind", Kind.PIO_IOEVENTFD.label);
            g.writeNumberField("notifications_per_s", round1(ab.notificationsPerSWith()));
            share(g, ab.userspaceShareWith());
            cost(g, ab.costWithNs());
            g.writeNumberField("pass_ns", Math.round(ab.passWithNs()));
            g.writeEndObject();
            g.writeNumberField("notifications_per_s_ratio", ab.notificationsPerSWithout() > 0
                    ? Math.round(ab.notificationsPerSWith() / ab.notificationsPerSWithout() * 1000) / 1000.0 : 0);
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void cost(JsonGenerator g, double ns) throws IOException {
        if (Double.isNaN(ns)) g.writeNullField("est_cost_ns");
        else g.writeNumberField("est_cost_ns", Math.round(ns));
    }

    private static void share(JsonGenerator g, double s) throws IOException {
        if (Double.isNaN(s)) g.writeNullField("userspace_share");
        else g.writeNumberField("userspace_share", Math.round(s * 1e6) / 1e6);
    }

    static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static void num(JsonGenerator g, String name, boolean present, long v) throws IOException {
        if (present) g.writeNumberField(name, v);
        else g.writeNullField(name);
    }
}
