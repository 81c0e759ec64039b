package io.exitscope.source;

import io.exitscope.event.Event;
import io.exitscope.event.EventFormat;
import io.exitscope.event.EventStream;

import java.io.IOException;

/**
 * Whether a trace can tell an exit handled in userspace from one handled in the kernel: only when
 * {@code kvm_userspace_exit} (include/trace/events/kvm.h, fired as KVM_RUN returns to the VMM) is
 * among the events it recorded. Without it every exit looks kernel-handled, and its class is
 * {@code unknown}. What "recorded" means depends on what the source says about its event set:
 * <ul>
 * <li>perf.data: its tracing data holds the formats of exactly the events perf opened (perf's
 *     {@code tracing_data_get} over the event list; {@code perf kvm stat record}'s file holds 5:
 *     kvm_entry, kvm_exit, kvm_mmio, kvm_pio, kvm_msr), so the format is the answer, even for an
 *     event that never fired.</li>
 * <li>trace.dat: no format, not recorded (trace-cmd saves the formats of the events named with
 *     {@code -e}: host-kvm-tsc2nsec.dat, recorded with kvm_exit and kvm_entry, holds those two
 *     kvm formats). A format alone does not show the event was enabled: recording without an
 *     event list, or {@code trace-cmd extract}, saves every format of the kernel (2323 in
 *     pvm-ioeventfd-ab.dat). So a trace-cmd file counts only where the event occurs. Files
 *     exitscope wrote (VERSION {@code exitscope ...}) declare what they recorded: {@code record}
 *     enables kvm_userspace_exit wherever the kernel has it, the simulator emits one per userspace exit.</li>
 * <li>text: no format list; recorded when a {@code kvm_userspace_exit} line occurs.</li>
 * <li>live: the source enabled its events itself and knows.</li>
 * </ul>
 * Where the event occurs is found by reading the trace up to its first one, before the analysis,
 * so that every exit gets its class as it is assembled (views show exits while a replay runs).
 */
public final class UserspaceExitEvidence {
    private UserspaceExitEvidence() {}

    /** The event's name in a trace (system {@code kvm}). */
    public static final String EVENT = "kvm_userspace_exit";

    /** A {@code kvm_userspace_exit} event occurs in {@code src}: read up to the first one (the whole trace when none). */
    public static boolean occursIn(TraceSource src) throws IOException {
        try (EventStream s = src.events()) {
            while (s.advance()) {
                Event e = s.current();
                if (e.kind() != Event.Kind.EVENT) continue;
                EventFormat f = e.format();
                if (f != null && EVENT.equals(f.name)) return true;
            }
        }
        return false;
    }
}
