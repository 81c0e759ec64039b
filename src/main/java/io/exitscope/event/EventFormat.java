package io.exitscope.event;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The layout of one event type: its id, system, name, fields and print format.
 * Immutable once built; shared by every event of this type.
 */
public final class EventFormat {
    public final int id;
    public final String system;
    public final String name;
    /** All fields, common ones first, in declaration order. */
    public final List<FieldFormat> fields;
    /** Only the event's own fields (no {@code common_*}), in declaration order. */
    public final List<FieldFormat> ownFields;
    public final String printFmt;
    private final Map<String, FieldFormat> byName;
    private volatile PrintFormat printFormat;

    public EventFormat(int id, String system, String name, List<FieldFormat> fields, String printFmt) {
        this.id = id;
        this.system = system;
        this.name = name;
        this.fields = List.copyOf(fields);
        this.ownFields = this.fields.stream().filter(f -> !f.isCommon()).toList();
        this.printFmt = printFmt;
        Map<String, FieldFormat> m = new HashMap<>();
        for (FieldFormat f : this.fields) m.putIfAbsent(f.name, f);
        this.byName = Collections.unmodifiableMap(m);
    }

    /** The field called {@code name}, or null. */
    public FieldFormat field(String name) {
        return byName.get(name);
    }

    /** The print format, parsed on first use (only text rendering needs it). */
    public PrintFormat printFormat() {
        PrintFormat p = printFormat;
        if (p == null) {
            p = PrintFormat.parse(printFmt, this);
            printFormat = p;
        }
        return p;
    }

    @Override
    public String toString() {
        return system + ":" + name + "(" + id + ")";
    }
}
