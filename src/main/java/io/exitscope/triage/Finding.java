package io.exitscope.triage;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One triage finding: what costs exit time, the figures that show it, and what to do.
 *
 * @param kind     stable identifier ({@link Kind#id}), e.g. {@code no-ioeventfd}
 * @param title    one line for a human
 * @param key      what the finding is about: an address ({@code port 0x500}), a reason, a vCPU, a VM
 * @param share    share of overhead exit time (blocking exits excluded) the finding is about, 0..1
 * @param evidence figures from the trace (numbers in ns, counts, fractions), insertion-ordered
 * @param advice   what to do
 * @param groups   report groups ({@code REASON [class]}) the finding explains; used for ranking
 */
public record Finding(String kind, String title, String key, double share, Map<String, Object> evidence, String advice,
                      List<String> groups) {

    /** The kinds of findings; {@link #id} is the JSON contract. */
    public enum Kind {
        LOST_EVENTS("lost-events"),
        NO_IOEVENTFD("no-ioeventfd"),
        USERSPACE_DOMINATED("userspace-dominated"),
        EXIT_STORM("exit-storm"),
        LONG_TAIL("long-tail"),
        REQUESTS_PENDING("requests-pending"),
        BIG_LOCK("big-lock"),
        EXIT_TIME("exit-time"),
        KVM_MODULE("kvm-module"),
        IDLE("idle"),
        /** The trace has no kvm_userspace_exit: where exits were handled is unknown, so are the rules that need it. */
        CLASS_UNKNOWN("class-unknown");

        public final String id;

        Kind(String id) {
            this.id = id;
        }
    }

    public Finding {
        share = Double.isNaN(share) ? 0 : Math.max(0, Math.min(1, share));
        evidence = Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
        groups = List.copyOf(groups);
    }

    /** True for the plain "where the time goes" entries (one per report group). */
    public boolean isRanking() {
        return kind.equals(Kind.EXIT_TIME.id);
    }
}
