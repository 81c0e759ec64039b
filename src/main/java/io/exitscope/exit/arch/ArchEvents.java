package io.exitscope.exit.arch;

import io.exitscope.event.EventFormat;

/**
 * One architecture's KVM events, in the way perf's {@code tools/perf/arch/* /util/kvm-stat.c}
 * bind {@code is_begin_event}/{@code is_end_event}/{@code decode_key} while {@code builtin-kvm.c}
 * stays neutral: which events begin, refine and end an exit, their fields, and the reason tables.
 * Adding an event or an architecture means editing one of these files and {@link EventBindings}.
 */
public interface ArchEvents {
    /** The decoder for events of this format, or null when the architecture has no such event. */
    EventDecoder bind(EventFormat f);

    /** Names of the events this architecture binds (for the README table and for checks). */
    java.util.List<String> events();
}
