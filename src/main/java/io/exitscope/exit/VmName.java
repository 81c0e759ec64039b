package io.exitscope.exit;

import io.exitscope.event.Event;

import java.util.Map;

/**
 * The VM an exit belongs to, named from its vCPU thread: the guest name when the trace maps the
 * thread to one (trace.dat GUEST option, QEMU's {@code -name}), else the thread's command name,
 * else {@code pid N} when the trace does not know the command ({@code <...>}).
 */
public final class VmName {
    private VmName() {}

    public static String of(Event e) {
        String c = e.comm();
        return c == null || c.equals("<...>") ? "pid " + e.pid() : c;
    }

    public static String of(Event e, Map<Integer, String> guestOf) {
        String g = guestOf.get(e.pid());
        return g != null ? g : of(e);
    }
}
