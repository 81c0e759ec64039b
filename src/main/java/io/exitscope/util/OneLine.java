package io.exitscope.util;

/** User text echoed in an error message, kept to one line on a terminal. */
public final class OneLine {
    private OneLine() {}

    /** Control characters (C0, DEL, C1) as \xNN; everything else as it is. */
    public static String of(String s) {
        if (s == null) return "";
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0);
            if (bad && sb == null) sb = new StringBuilder(s.substring(0, i));
            if (sb != null) {
                if (bad) sb.append(String.format("\\x%02x", (int) c));
                else sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }
}
