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

    LineDecoder(boolean perf) {
        parser = new LineParser(perf);
    }

    /**
     * The event on {@code line}; null for a line without one (blank, comment, header, stack trace).
     * Throws {@link IllegalArgumentException} with the reason when the line cannot be parsed.
     */
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
        EventType type = p.nameStart < 0 ? types.get(FUNCTION, 0, FUNCTION.length()) : types.get(line, p.nameStart, p.nameEnd);
        values.begin(type);
        Cursor c = cursor.reset(line, p.textStart, p.textEnd);
        if (p.nameStart < 0) {
            values.str("text", line.substring(p.textStart, p.textEnd));
        } else if (type.form != null && !RawFields.looksRaw(line, p.textStart, p.textEnd)) {
            type.form.parse(c, values);
        } else if (p.textStart < p.textEnd) {
            RawFields.parse(c, values);
            if (type.form != null) type.form.afterRaw(c, values);
        }
        lastTimestamp = p.timestamp;
        return values.build(p.timestamp, p.cpu, p.pid, p.comm, p.buffer);
    }
}
