package io.exitscope.source.text;

/**
 * A hand scanner over the event text of one line: space separated tokens, where a token that
 * starts with {@code (} runs to its closing parenthesis (symbol names like {@code (external call)}
 * contain spaces), and numbers read from the start of the current token.
 */
final class Cursor {
    String s;
    int start, end;     // the event text
    int pos;            // next unread char
    int tokStart, tokEnd;
    long value;         // last number read
    int numEnd;         // end of its digits
    boolean negative;

    Cursor reset(String line, int from, int to) {
        s = line;
        start = from;
        end = to;
        pos = from;
        tokStart = tokEnd = from;
        return this;
    }

    /** Moves to the next token; false at the end of the text. */
    boolean next() {
        int p = pos;
        while (p < end && s.charAt(p) == ' ') p++;
        if (p >= end) {
            pos = end;
            tokStart = tokEnd = end;
            return false;
        }
        tokStart = p;
        if (s.charAt(p) == '(') {
            int depth = 0;
            for (; p < end; p++) {
                char c = s.charAt(p);
                if (c == '(') depth++;
                else if (c == ')' && --depth == 0) { p++; break; }
            }
        }
        while (p < end && s.charAt(p) != ' ') p++;
        tokEnd = pos = p;
        return true;
    }

    boolean is(String word) {
        int n = word.length();
        return tokEnd - tokStart == n && s.regionMatches(tokStart, word, 0, n);
    }

    String token() {
        return s.substring(tokStart, tokEnd);
    }

    /** The text of the last number read (including a {@code 0x} or sign). */
    String numText() {
        return s.substring(tokStart, numEnd);
    }

    /**
     * Reads a number at the start of the current token: hex when {@code radix} is 16 (an optional
     * {@code 0x} is skipped), else decimal with an optional sign, or hex when written {@code 0x..}.
     * Stops at the first non-digit (so {@code 0,} and {@code 0x0[immediate} read fine); false when
     * there is no digit. Values wrap modulo 2^64, which keeps u64 bits exact.
     */
    boolean number(int radix) {
        return numberAt(tokStart, tokEnd, radix);
    }

    boolean numberAt(int from, int to, int radix) {
        int i = from;
        negative = false;
        if (radix == 10 && i < to && s.charAt(i) == '-') { negative = true; i++; }
        if (i + 1 < to && s.charAt(i) == '0' && (s.charAt(i + 1) | 0x20) == 'x') { radix = 16; i += 2; }
        int d0 = i;
        long v = 0;
        for (; i < to; i++) {
            int d = digit(s.charAt(i), radix);
            if (d < 0) break;
            v = v * radix + d;
        }
        if (i == d0) return false;
        value = negative ? -v : v;
        numEnd = i;
        return true;
    }

    static int digit(char c, int radix) {
        int d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return -1;
        return d < radix ? d : -1;
    }
}
