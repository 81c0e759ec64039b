package io.exitscope.source.text;

import io.exitscope.event.EventFormat;
import io.exitscope.event.FieldFormat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The synthetic format of one event name in a text trace. Text has no format files, so fields are
 * added as they are first seen. {@link EventFormat} is immutable: each new field makes a new
 * version that shares the earlier {@link FieldFormat} objects (same index), so a field looked up on
 * any version works with every event, and events already handed out keep their older version.
 * Events with a known print form start with the binary field list, in the binary order.
 */
final class EventType {
    /** Value kinds: how a field is declared when first created. */
    static final int NUM = 0, HEX = 1, SIGNED = 2, STR = 3, BYTES = 4;

    final int id;
    final String system;
    final String name;
    /** The text that names this type on a line ({@code name} or {@code sys:name}). */
    final String key;
    /** Parser of the event's print form, or null. */
    final PrintForms.Form form;
    /** Fields that {@code trace-cmd report -R} prints as hex without {@code 0x}. */
    final Set<String> bareHex;

    private final List<FieldFormat> fields = new ArrayList<>();
    private final Map<String, FieldFormat> byName = new HashMap<>();
    private EventFormat format;

    EventType(int id, String key) {
        int colon = key.indexOf(':');
        this.id = id;
        this.key = key;
        this.name = colon < 0 ? key : key.substring(colon + 1);
        this.form = PrintForms.get(name);
        this.system = colon >= 0 ? key.substring(0, colon)
                : name.startsWith("kvm_") || form != null || PrintForms.isKvm(name) ? "kvm" : "";
        this.bareHex = PrintForms.bareHexFields(name);
        if (form != null) {
            for (int i = 0; i < form.fields.length; i++) add(form.fields[i], form.kinds[i]);
        }
        this.format = new EventFormat(id, system, name, fields, "");
    }

    EventFormat format() {
        return format;
    }

    FieldFormat find(String field) {
        return byName.get(field);
    }

    /** The field called {@code field}, created (as a new format version) on first use. */
    FieldFormat field(String field, int kind) {
        FieldFormat f = byName.get(field);
        if (f == null) {
            f = add(field, kind);
            format = new EventFormat(id, system, name, fields, "");
        }
        return f;
    }

    private FieldFormat add(String field, int kind) {
        int index = fields.size();
        // size 8 for numbers so that consumers that truncate to the field size keep the value;
        // LONG makes dumps print hex, as the source printed it
        FieldFormat f = switch (kind) {
            case HEX -> new FieldFormat(field, "u64", -1, 8, FieldFormat.LONG, 0, index);
            case SIGNED -> new FieldFormat(field, "s64", -1, 8, FieldFormat.SIGNED, 0, index);
            case STR -> new FieldFormat(field, "char[]", -1, 0, FieldFormat.STRING | FieldFormat.ARRAY, 0, index);
            case BYTES -> new FieldFormat(field, "u8[]", -1, 0, FieldFormat.ARRAY, 0, index);
            default -> new FieldFormat(field, "u64", -1, 8, 0, 0, index);
        };
        fields.add(f);
        byName.put(field, f);
        return f;
    }

    /**
     * The types of one stream, found by the name text of a line without allocating a string:
     * a small hash table over the line's characters.
     */
    static final class Registry {
        private EventType[][] table = new EventType[64][];
        private int count;

        EventType get(String line, int start, int end) {
            int h = 0;
            for (int i = start; i < end; i++) h = 31 * h + line.charAt(i);
            int slot = (h ^ (h >>> 16)) & (table.length - 1);
            EventType[] chain = table[slot];
            int len = end - start;
            if (chain != null) {
                for (EventType t : chain) {
                    if (t.key.length() == len && line.regionMatches(start, t.key, 0, len)) return t;
                }
            }
            EventType t = new EventType(++count, line.substring(start, end));
            EventType[] grown = chain == null ? new EventType[1] : java.util.Arrays.copyOf(chain, chain.length + 1);
            grown[grown.length - 1] = t;
            table[slot] = grown;
            return t;
        }
    }
}
