package io.exitscope.view.html;

/** Text into HTML: the one escaping rule every piece of the report goes through. */
final class Html {
    private final StringBuilder sb = new StringBuilder(1 << 16);

    /**
     * Escapes text for element content and for double-quoted attribute values ({@code & < > "}
     * and {@code '}); control characters other than tab and newline become U+FFFD, since a trace's
     * comm or path may carry anything.
     */
    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c < ' ' && c != '\t' && c != '\n' || c == 0x7f ? '\ufffd' : c);
            }
        }
        return b.toString();
    }

    /** Raw markup (already escaped or made of constants). */
    Html raw(String s) {
        sb.append(s);
        return this;
    }

    /** Escaped text. */
    Html text(String s) {
        sb.append(esc(s));
        return this;
    }

    /** {@code <tag attrs>escaped text</tag>}; {@code attrs} is raw (built with {@link #attr}). */
    Html el(String tag, String attrs, String text) {
        sb.append('<').append(tag);
        if (attrs != null && !attrs.isEmpty()) sb.append(' ').append(attrs);
        sb.append('>').append(esc(text)).append("</").append(tag).append('>');
        return this;
    }

    static String attr(String name, String value) {
        return name + "=\"" + esc(value) + "\"";
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
