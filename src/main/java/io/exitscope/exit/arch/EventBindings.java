package io.exitscope.exit.arch;

import io.exitscope.event.EventFormat;

import java.util.ArrayList;
import java.util.List;

/**
 * Every architecture's event bindings. Several architectures name an event alike ({@code kvm_exit}
 * of x86, arm64 and riscv); each binds it only when the format has its fields, and a text format,
 * which declares the fields of every form, tries each binding in turn per line.
 */
public final class EventBindings {
    /** One file per architecture, plus the neutral events. */
    public static final List<ArchEvents> ALL = List.of(new X86Events(), new X86SvmEvents(), new S390Events(), new Arm64Events(),
            new RiscvEvents(), new KvmEvents());

    private EventBindings() {}

    /** The decoder for a format, or null when no architecture gives the event a meaning. */
    public static EventDecoder bind(EventFormat f) {
        List<EventDecoder> found = new ArrayList<>(2);
        for (ArchEvents a : ALL) {
            EventDecoder d = a.bind(f);
            if (d != null) found.add(d);
        }
        if (found.isEmpty()) return null;
        if (found.size() == 1) return found.get(0);
        EventDecoder[] tries = found.toArray(EventDecoder[]::new);
        return (e, to) -> {
            for (EventDecoder d : tries) if (d.decode(e, to)) return true;
            return false;
        };
    }
}
