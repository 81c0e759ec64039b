package io.exitscope.event;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the text of tracefs {@code format} files and {@code events/header_page}.
 *
 * <p>Field flags follow libtraceevent's rules so that events render the way trace-cmd renders
 * them: arrays of {@code char}/{@code u8}/{@code s8} are strings, any type containing
 * {@code long} is "long", a {@code *} makes a pointer, {@code __data_loc}/{@code __rel_loc}
 * make dynamic arrays. Old kernels without {@code signed:} are accepted.
 */
public final class FormatParser {
    private FormatParser() {}

    /** Thrown for format text that cannot be understood; the caller adds file and offset. */
    public static final class FormatException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        public FormatException(String msg) { super(msg); }
    }

    /**
     * Parses one event format file.
     *
     * @param system the event's system (directory) name; the file itself does not say it
     */
    public static EventFormat parseEvent(String system, String text) {
        String name = null;
        int id = -1;
        String printFmt = "";
        List<FieldFormat> fields = new ArrayList<>();
        boolean common = true;
        boolean inFormat = false;
        boolean header = true;   // name: and ID: count only before format:, as scanHeader reads them
        for (String raw : text.split("\n", -1)) {
            String line = raw.strip();
            if (header && line.startsWith("name:")) {
                name = line.substring(5).strip();
            } else if (header && line.startsWith("ID:")) {
                try {
                    id = Integer.parseInt(line.substring(3).strip());
                } catch (NumberFormatException e) {
                    throw new FormatException("bad event ID '" + line.substring(3).strip() + "'");
                }
            } else if (line.startsWith("format:")) {
                inFormat = true;
                header = false;
            } else if (line.startsWith("print fmt:")) {
                printFmt = line.substring("print fmt:".length()).strip();
                inFormat = false;
            } else if (line.isEmpty()) {
                if (inFormat && !fields.isEmpty()) common = false;
            } else if (inFormat && line.startsWith("field:")) {
                fields.add(parseField(line, fields.size(), common && line.contains("common_")));
            }
        }
        if (name == null || name.isEmpty()) throw new FormatException("event format without a name");
        if (id < 0) throw new FormatException("event format '" + name + "' without an ID");
        return new EventFormat(id, system, name, fields, printFmt);
    }

    /** The name and id of an event format, read without parsing its fields. */
    public record Header(String name, int id) {}

    /**
     * Reads only the {@code name:} and {@code ID:} lines of a format file, by the same rules as
     * {@link #parseEvent} (stripped lines before {@code format:}; the last one counts) and with
     * the same errors, so a format can be indexed now and parsed when first used. It stops at
     * {@code format:}: a trace.dat holds thousands of formats and most are never used, so what
     * opening a file costs is this scan (the kernel writes name and ID on the first two lines).
     */
    public static Header scanHeader(String text) {
        String name = null;
        int id = -1;
        int n = text.length();
        for (int start = 0; start <= n; ) {
            int end = text.indexOf('\n', start);
            if (end < 0) end = n;
            int b = start;
            while (b < end && Character.isWhitespace(text.charAt(b))) b++;
            if (text.startsWith("format:", b)) break;
            if (text.startsWith("name:", b)) {
                name = text.substring(b + 5, end).strip();
            } else if (text.startsWith("ID:", b)) {
                String v = text.substring(b + 3, end).strip();
                try {
                    id = Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    throw new FormatException("bad event ID '" + v + "'");
                }
            }
            start = end + 1;
        }
        if (name == null || name.isEmpty()) throw new FormatException("event format without a name");
        if (id < 0) throw new FormatException("event format '" + name + "' without an ID");
        return new Header(name, id);
    }

    /** Parses a {@code field:TYPE NAME;	offset:N;	size:N;	signed:N;} line. */
    static FieldFormat parseField(String line, int index, boolean common) {
        String[] parts = line.split(";");
        if (parts.length < 3) throw new FormatException("bad field line '" + line + "'");
        String decl = parts[0].substring("field:".length()).strip();
        int offset = -1, size = -1;
        boolean signed = false;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            int colon = p.indexOf(':');
            if (colon < 0) continue;
            String key = p.substring(0, colon).strip();
            String val = p.substring(colon + 1).strip();
            try {
                switch (key) {
                    case "offset" -> offset = Integer.decode(val);
                    case "size" -> size = Integer.decode(val);
                    case "signed" -> signed = Integer.decode(val) != 0;
                    default -> { }
                }
            } catch (NumberFormatException e) {
                throw new FormatException("bad number '" + val + "' in field line '" + line + "'");
            }
        }
        if (offset < 0 || size < 0) throw new FormatException("field without offset/size: '" + line + "'");

        int flags = 0;
        int arrayLength = 0;
        String type;
        String name;
        int bracket = decl.indexOf('[');
        if (bracket >= 0) {
            flags |= FieldFormat.ARRAY;
            int close = decl.indexOf(']', bracket);
            if (close < 0) throw new FormatException("unclosed '[' in field '" + decl + "'");
            String len = decl.substring(bracket + 1, close).strip();
            String before = decl.substring(0, bracket).strip();
            String after = decl.substring(close + 1).strip();
            if (!after.isEmpty()) {
                // "__data_loc char[] name": brackets belong to the type
                type = before + "[" + len + "]";
                name = after;
            } else {
                int sp = lastSpace(before);
                // robustness: "field:x[4];" has no type; substring(0, -1) escaped as StringIndexOutOfBoundsException
                if (sp < 0) throw new FormatException("field without a type: '" + decl + "'");
                type = before.substring(0, sp).strip() + "[" + len + "]";
                name = before.substring(sp + 1).strip();
            }
            if (!len.isEmpty()) {
                try { arrayLength = Integer.decode(len); } catch (NumberFormatException ignored) { /* symbolic length */ }
            }
        } else {
            int sp = lastSpace(decl);
            if (sp < 0) throw new FormatException("field without a type: '" + decl + "'");
            type = decl.substring(0, sp).strip();
            name = decl.substring(sp + 1).strip();
            while (name.startsWith("*")) { type = type + "*"; name = name.substring(1); }
        }
        if (type.contains("*")) flags |= FieldFormat.POINTER;
        if ((flags & FieldFormat.ARRAY) != 0 && (type.contains("char") || type.contains("u8") || type.contains("s8"))) {
            flags |= FieldFormat.STRING;
        }
        if (type.startsWith("__data_loc")) flags |= FieldFormat.DYNAMIC;
        if (type.startsWith("__rel_loc")) flags |= FieldFormat.DYNAMIC | FieldFormat.RELATIVE;
        if (type.contains("long")) flags |= FieldFormat.LONG;
        if ((flags & FieldFormat.DYNAMIC) != 0 && size == 2) flags |= FieldFormat.STRING | FieldFormat.ARRAY;
        if (signed) flags |= FieldFormat.SIGNED;
        if (common) flags |= FieldFormat.COMMON;
        return new FieldFormat(name, type, offset, size, flags, arrayLength, index);
    }

    private static int lastSpace(String s) {
        int a = s.lastIndexOf(' ');
        int b = s.lastIndexOf('\t');
        return Math.max(a, b);
    }

    /** Parses {@code events/header_page}. */
    public static HeaderPage parseHeaderPage(String text) {
        int tsOff = -1, tsSize = -1, commitOff = -1, commitSize = -1, dataOff = -1, dataSize = -1;
        int idx = 0;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (!line.startsWith("field:")) continue;
            FieldFormat f = parseField(line.replace("field: ", "field:"), idx++, false);
            switch (f.name) {
                case "timestamp" -> { tsOff = f.offset; tsSize = f.size; }
                case "commit" -> { commitOff = f.offset; commitSize = f.size; }
                case "data" -> { dataOff = f.offset; dataSize = f.size; }
                default -> { }
            }
        }
        if (tsOff < 0 || commitOff < 0 || dataOff < 0) throw new FormatException("header_page lacks timestamp/commit/data");
        if (tsSize != 8 || (commitSize != 4 && commitSize != 8)) {
            throw new FormatException("unsupported header_page (timestamp size " + tsSize + ", commit size " + commitSize + ")");
        }
        // robustness: the page cursor reads timestamp and commit before the data; fields past
        // the data offset (or a data size past any page) read outside the page buffer
        if ((long) tsOff + tsSize > dataOff || (long) commitOff + commitSize > dataOff || (long) dataOff + dataSize > (1 << 24)) {
            throw new FormatException("header_page fields overlap the data (timestamp at " + tsOff + ", commit at " + commitOff
                    + ", data at " + dataOff + ", " + dataSize + " bytes)");
        }
        return new HeaderPage(tsOff, commitOff, commitSize, dataOff, dataSize);
    }
}
