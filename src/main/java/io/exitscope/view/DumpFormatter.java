package io.exitscope.view;

import io.exitscope.event.Event;
import io.exitscope.event.EventFormat;
import io.exitscope.event.FieldFormat;
import io.exitscope.event.PrintFormat;
import io.exitscope.event.RawEvent;

/**
 * Formats events one per line in the shape of {@code trace-cmd report -t -R}:
 * {@code [BUFFER: ]COMM-PID [CPU] SECONDS.NANOSECONDS: NAME: field=value ...}.
 * Values are rendered with the event's own print-format conversions where it prints the field
 * directly, so lines match trace-cmd's byte for byte.
 */
public final class DumpFormatter {
    private static final String SPACES = "                    ";
    private final boolean nanosecondClock;
    private final int kernelLongSize;
    private final StringBuilder sb = new StringBuilder(256);
    /** Width of the buffer-name column; 0 when the trace has no named instance buffers. */
    private final int bufferWidth;
    private boolean skipPrefixOnce;
    /**
     * Char-array fields that printed as {@code ARRAY[..]} once: libtraceevent then drops their
     * string flag for good, so trace-cmd prints them as arrays from there on.
     */
    private final java.util.Set<FieldFormat> notStrings = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    public DumpFormatter(boolean nanosecondClock, int kernelLongSize) {
        this(nanosecondClock, kernelLongSize, 0);
    }

    /**
     * @param bufferWidth the longest instance buffer name (trace-cmd right-aligns names to it and
     *                    indents top-buffer lines by it); 0 when all events are in the top buffer
     */
    public DumpFormatter(boolean nanosecondClock, int kernelLongSize, int bufferWidth) {
        this.nanosecondClock = nanosecondClock;
        this.kernelLongSize = kernelLongSize;
        this.bufferWidth = bufferWidth;
    }

    /** A formatter laid out for this trace (clock units, kernel long size, buffer column). */
    public static DumpFormatter forTrace(io.exitscope.source.TraceInfo info) {
        java.util.List<String> names = new java.util.ArrayList<>();
        if (info.details() instanceof io.exitscope.source.TraceInfo.TraceDat t) {
            for (io.exitscope.source.TraceInfo.Buffer b : t.buffers()) names.add(b.name());
        }
        io.exitscope.source.TraceInfo.Layout layout = info.details().layout();
        return new DumpFormatter(info.nanosecondClock(), layout == null ? 0 : layout.kernelLongSize(), bufferWidth(names));
    }

    /** The buffer column width trace-cmd uses for a trace with these buffer names. */
    public static int bufferWidth(java.util.Collection<String> bufferNames) {
        int w = 0;
        for (String n : bufferNames) w = Math.max(w, n.length());
        return w;
    }

    private void prefix(StringBuilder s, String buffer) {
        if (skipPrefixOnce) {
            // trace-cmd prints a drop line and the event after it under one prefix
            skipPrefixOnce = false;
            return;
        }
        if (bufferWidth > 0) {
            Columns.right(s, buffer, bufferWidth);
            s.append(buffer.isEmpty() ? "  " : ": ");
        } else if (!buffer.isEmpty()) {
            s.append(buffer).append(": ");
        }
    }

    /** The line for one record (without a newline). Reuses an internal buffer. */
    public CharSequence format(Event e) {
        StringBuilder s = sb;
        s.setLength(0);
        if (e.kind() == Event.Kind.LOST) {
            long n = e.lostCount();
            prefix(s, e.buffer());
            s.append("CPU:").append(e.cpu());
            if (n > 0) s.append(" [").append(n).append(" EVENTS DROPPED]");
            else s.append(" [EVENTS DROPPED]");
            skipPrefixOnce = true;
            return s;
        }
        prefix(s, e.buffer());
        String comm = e.comm();
        Columns.right(s, comm, 16);
        s.append('-');
        int pidStart = s.length();
        s.append(e.pid());
        while (s.length() - pidStart < 5) s.append(' ');
        s.append(" [");
        int cpu = e.cpu();
        if (cpu < 100) s.append('0');
        if (cpu < 10) s.append('0');
        s.append(cpu).append(']');
        long ts = e.timestamp();
        if (nanosecondClock) {
            s.append(' ');
            String secs = Long.toUnsignedString(Long.divideUnsigned(ts, 1_000_000_000L));
            for (int i = secs.length(); i < 5; i++) s.append(' ');
            s.append(secs).append('.');
            String ns = Long.toString(Long.remainderUnsigned(ts, 1_000_000_000L));
            for (int i = ns.length(); i < 9; i++) s.append('0');
            s.append(ns);
        } else {
            Columns.right(s, Long.toUnsignedString(ts), 12);
        }
        s.append(": ");
        EventFormat f = e.format();
        s.append(f.name).append(": ");
        if (f.name.length() < 20) s.append(SPACES, 0, 20 - f.name.length());
        appendFields(s, e, f);
        return s;
    }

    private void appendFields(StringBuilder s, Event e, EventFormat f) {
        PrintFormat.FieldCursor cursor = f.printFormat().cursor();
        RawEvent raw = e instanceof RawEvent r ? r : null;
        for (FieldFormat field : f.ownFields) {
            if (!e.has(field)) continue;
            s.append(' ').append(field.name).append('=');
            if (field.isArray()) {
                byte[] b = e.getBytes(field);
                if (field.isString() && !notStrings.contains(field) && printable(b)) {
                    int end = 0;
                    while (end < b.length && b[end] != 0) end++;
                    s.append(new String(b, 0, end, java.nio.charset.StandardCharsets.ISO_8859_1));
                } else {
                    if (field.isString()) notStrings.add(field);
                    s.append("ARRAY[");
                    for (int i = 0; i < b.length; i++) {
                        if (i > 0) s.append(", ");
                        int v = b[i] & 0xff;
                        s.append(Character.forDigit(v >> 4, 16)).append(Character.forDigit(v & 15, 16));
                    }
                    s.append(']');
                }
            } else {
                long bits = raw != null ? raw.rawBits(field) : truncate(e.getLong(field), field.size);
                cursor.appendValue(s, field, bits, kernelLongSize);
            }
        }
    }

    private static long truncate(long v, int size) {
        return size >= 8 || size <= 0 ? v : v & ((1L << (size * 8)) - 1);
    }

    /** libtraceevent's is_printable_array: printable or space up to the first NUL. */
    private static boolean printable(byte[] b) {
        for (byte x : b) {
            if (x == 0) break;
            int c = x & 0xff;
            boolean print = c >= 0x20 && c < 0x7f;
            boolean space = c == ' ' || (c >= 9 && c <= 13);
            if (!print && !space) return false;
        }
        return true;
    }

}
