package io.exitscope.source.text;

import io.exitscope.event.Event;
import io.exitscope.event.SimpleEvent;

/** Turns lines into events: the line layout ({@link LineParser}) plus the event's fields. */
final class LineDecoder {
    /** Name given to ftrace function-tracer lines, which carry no event name. */
    static final String FUNCTION = "function";

    private final LineParser parser;
    private final EventType.Registry types = new EventType.Registry();
    private final FieldValues values = new FieldValues();
    private final Cursor cursor = new Cursor();
    private long lastTimestamp;
    private long damagedLines;

    LineDecoder(boolean perf) {
        parser = new LineParser(perf);
    }

    /**
     * The event on {@code line}; null for a line without one (blank, comment, header, stack trace).
     * Throws {@link IllegalArgumentException} with the reason when the line cannot be parsed.
     */
    /**
     * libtraceevent's x86 kvm plugin prints {@code kvm_exit}/{@code kvm_entry} of other architectures
     * with {@code <CANT FIND FIELD exit_reason>} / {@code CAN'T FIND FIELD "vcpu_id"} before the
     * kernel's own text ({@code trace-cmd report} of an arm64 or riscv trace.dat): skip to that text.
     */
    static int afterPluginMarks(String line, int from, int to) {
        if (from >= to || (line.charAt(from) != '<' && line.charAt(from) != 'C')) return from;
        if (!line.startsWith("<CANT FIND FIELD", from) && !line.startsWith("CAN'T FIND FIELD", from)) return from;
        int mark = line.lastIndexOf("FIND FIELD", to);
        int gt = line.indexOf('>', mark);
        return gt < 0 || gt >= to ? from : gt + 1;
    }

    /**
     * Lines seen so far that were cut short: an event with a known print form but none of its
     * fields, such as the last line of a paste {@code ... 83184.290416: kvm_exit} (without the ':'
     * it would otherwise read as a function-tracer line), or one that stops in the middle of its
     * fields where the print form shows it ({@link PrintForms.Form#cut}). They are not events.
     */
    long damagedLines() {
        return damagedLines;
    }

    /** {@code line[from, to)} is one bare word naming an event with fields ({@code kvm_exit}, {@code kvm:kvm_exit}). */
    private static boolean isCutEventName(String line, int from, int to) {
        if (to - from < 5 || line.indexOf(' ', from) >= 0 && line.indexOf(' ', from) < to) return false;
        int colon = line.lastIndexOf(':', to - 1);
        if (colon >= from) from = colon + 1;
        PrintForms.Form form = PrintForms.get(line.substring(from, to));
        return form != null && form.fields.length > 0;
    }

    Event decode(String line) {
        LineParser p = parser;
        switch (p.parse(line)) {
            case LineParser.SKIP:
                return null;
            case LineParser.LOST:
                return SimpleEvent.lost(lastTimestamp, p.cpu, p.buffer, p.lostCount); // markers carry no time
            case LineParser.EVENT:
                break;
            default:
                throw new IllegalArgumentException(p.problem);
        }
        if (p.nameStart < 0 && isCutEventName(line, p.textStart, p.textEnd)) {
            damagedLines++;
            return null;
        }
        EventType type = p.nameStart < 0 ? types.get(FUNCTION, 0, FUNCTION.length()) : types.get(line, p.nameStart, p.nameEnd);
        if (p.textStart == p.textEnd && type.form != null && type.form.fields.length > 0) {
            damagedLines++;                                              // "kvm_exit:" and nothing of its fields
            return null;
        }
        values.begin(type);
        Cursor c = cursor.reset(line, afterPluginMarks(line, p.textStart, p.textEnd), p.textEnd);
        if (p.nameStart < 0) {
            values.str("text", line.substring(p.textStart, p.textEnd));
        } else if (type.form != null && !RawFields.looksRaw(line, p.textStart, p.textEnd)) {
            type.form.parse(c, values);
            if (type.form.cut(values)) {
                damagedLines++;                                          // "kvm_pio: pio_write at 0x3f8 si": cut in its fields
                return null;
            }
        } else if (p.textStart < p.textEnd) {
            RawFields.parse(c, values);
            if (type.form != null) type.form.afterRaw(c, values);
        }
        lastTimestamp = p.timestamp;
        return values.build(p.timestamp, p.cpu, p.pid, p.comm, p.buffer);
    }
}
