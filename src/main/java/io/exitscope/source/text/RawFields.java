package io.exitscope.source.text;

/**
 * Generic {@code name=value} text, as {@code trace-cmd report -R} prints every event and many
 * kernel print fmts print theirs ({@code sched_switch: prev_comm=bash prev_pid=12 ...}).
 *
 * <p>A value runs to the next {@code " ident="}, so strings with spaces survive
 * ({@code comm=Web Content}); {@code ARRAY[..]} runs to its bracket. Values become numbers when
 * they read as one: {@code 0x} hex, decimal, hex for the fields the event prints with a bare
 * {@code %x} (per event table in {@link PrintForms}), or hex when they mix decimal digits and a–f;
 * anything else is a string. Text that is not all pairs is also kept whole as field {@code text}.
 */
final class RawFields {
    private RawFields() {}

    /** True when the text starts with {@code ident=}: the raw form, even for events with a print form. */
    static boolean looksRaw(String s, int from, int to) {
        int i = from;
        while (i < to && identChar(s.charAt(i))) i++;
        return i > from && i < to && s.charAt(i) == '=';
    }

    static void parse(Cursor c, FieldValues out) {
        String s = c.s;
        int to = c.end;
        int p = c.start;
        boolean allPairs = true;
        if (!looksRaw(s, p, to)) {
            allPairs = false;
            p = nextPair(s, p, to);
        }
        while (p < to) {
            int eq = s.indexOf('=', p);
            String name = s.substring(p, eq);
            int v = eq + 1;
            int valueEnd;
            if (s.startsWith("ARRAY[", v)) {
                int close = s.indexOf(']', v);
                valueEnd = close < 0 || close >= to ? to : close + 1;
                int next = nextPair(s, valueEnd, to);
                if (next > valueEnd && !s.substring(valueEnd, next).isBlank()) allPairs = false;
                out.bytes(name, arrayBytes(s, v + 6, valueEnd - 1));
                p = next;
                continue;
            }
            int next = nextPair(s, v, to);
            valueEnd = next;
            while (valueEnd > v && s.charAt(valueEnd - 1) == ' ') valueEnd--;
            value(c, out, name, v, valueEnd);
            p = next;
        }
        if (!allPairs) out.str("text", s.substring(c.start, to));
    }

    private static void value(Cursor c, FieldValues out, String name, int from, int to) {
        String s = c.s;
        if (from < to) {
            boolean bareHex = out.type().bareHex.contains(name);
            if (c.numberAt(from, to, bareHex ? 16 : 10) && c.numEnd == to) {
                int kind = bareHex || s.startsWith("0x", from) ? EventType.HEX : c.negative ? EventType.SIGNED : EventType.NUM;
                out.num(name, kind, c.value, s.substring(from, to));
                return;
            }
            if (!bareHex && hasDigit(s, from, to) && c.numberAt(from, to, 16) && c.numEnd == to && !c.negative) { // "ffffffffb90da2d5"
                out.num(name, EventType.HEX, c.value, s.substring(from, to));
                return;
            }
        }
        out.str(name, s.substring(from, to));
    }

    /** Start of the next {@code ident=} that follows a space, at or after {@code from}; {@code to} if none. */
    private static int nextPair(String s, int from, int to) {
        for (int i = s.indexOf(' ', from); i >= 0 && i < to; i = s.indexOf(' ', i + 1)) {
            int j = i + 1;
            while (j < to && identChar(s.charAt(j))) j++;
            if (j > i + 1 && j < to && s.charAt(j) == '=') return i + 1;
        }
        return to;
    }

    /** Keeps words made of a–f letters only ({@code D}, {@code bad}) strings. */
    private static boolean hasDigit(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') return true;
        }
        return false;
    }

    private static boolean identChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    /** {@code ba, 00, 05} → bytes. */
    private static byte[] arrayBytes(String s, int from, int to) {
        byte[] b = new byte[(to - from + 2) / 4 + 1];
        int n = 0;
        int hi = -1;
        for (int i = from; i < to; i++) {
            int d = Cursor.digit(s.charAt(i), 16);
            if (d < 0) { hi = -1; continue; }
            if (hi < 0) { hi = d; continue; }
            b[n++] = (byte) (hi << 4 | d);
            hi = -1;
        }
        return java.util.Arrays.copyOf(b, n);
    }
}
