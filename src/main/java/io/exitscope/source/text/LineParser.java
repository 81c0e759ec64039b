package io.exitscope.source.text;

/**
 * Splits one line of ftrace, {@code trace-cmd report} or {@code perf script} text into its
 * context (buffer, comm, pid, CPU, timestamp), the event name and the event text. A hand scan:
 * this runs once per line of traces that can be gigabytes long.
 *
 * <pre>
 * ftrace:    [NAME: ]COMM-PID [(TGID)] [CPU] [FLAGS] SECS.USECS: NAME: TEXT     (trace, trace_pipe)
 * trace-cmd: [NAME: ]COMM-PID [CPU] [FLAGS] SECS.USECS|SECS.NSECS|TICKS: NAME:   TEXT
 *            (raw ticks follow "]" or the flags without a space: "[005]303280081900681:")
 * perf:      COMM [PID/]TID [[CPU]] SECS.USECS: [PERIOD] SYS:NAME: TEXT
 * markers:   CPU:N [LOST N EVENTS]   CPU:N [N EVENTS DROPPED]   CPU:N [EVENTS DROPPED]
 * </pre>
 * The pid is the digits after the last {@code -} before the CPU (or TGID) column, so comms
 * with spaces and dashes work ({@code Web Content-123}, {@code qemu-system-x86-5665}).
 */
final class LineParser {
    static final int SKIP = 0, EVENT = 1, LOST = 2, ERROR = 3;
    /** Flag column width when raw ticks are glued to it (libtraceevent prints 5 characters). */
    private static final int GLUED_FLAGS = 5;

    private final boolean perf;

    // results of the last parse()
    String buffer = "";
    String comm;
    int pid, cpu;
    long timestamp;
    boolean rawTimestamp;     // an integer counter, no seconds point
    int fracDigits;           // digits after the point (6 µs, 9 ns)
    int nameStart, nameEnd;   // the event's key text (NAME or SYS:NAME); nameStart < 0: no name
    int textStart, textEnd;
    long lostCount;
    String problem;

    private String pendingBuffer;                  // a prefixed marker line's buffer, for the next line
    private final String[] comms = new String[1024]; // by pid, to share comm strings between lines

    LineParser(boolean perf) {
        this.perf = perf;
    }

    int parse(String s) {
        int n = s.length();
        int p = skipSpaces(s, 0, n);
        if (p == n) return SKIP;
        char c0 = s.charAt(p);
        if (c0 == '#' || s.startsWith("=>", p)) return SKIP;       // comments, headers, stack traces

        // "NAME: " buffer (instance) or file prefix of trace-cmd report: a first token ending in ':'
        String buf = "";
        int t = tokenEnd(s, p, n);
        if (t > p + 1 && t < n && s.charAt(t - 1) == ':' && !perf && !isTimestamp(s, p, t - 1)) {
            buf = buffer(s, p, t - 1);
            p = skipSpaces(s, t, n);
        }
        if (s.startsWith("cpus=", p)) return SKIP;
        if (s.startsWith("CPU", p)) {
            int r = marker(s, p, n);
            if (r != ERROR) {
                if (!buf.isEmpty()) pendingBuffer = buf;
                buffer = buf;
                return r;
            }
        }
        if (buf.isEmpty() && pendingBuffer != null) buf = pendingBuffer;
        pendingBuffer = null;
        buffer = buf;

        int q = context(s, p, n);
        if (q < 0) return ERROR;
        return event(s, q, n);
    }

    /** Parses comm, pid and CPU; returns where the flags/timestamp start, or -1. */
    private int context(String s, int p, int n) {
        // the CPU column: " [digits]"; comms may contain brackets, so try each candidate
        for (int j = s.indexOf('[', p); j > p; j = s.indexOf('[', j + 1)) {
            if (s.charAt(j - 1) != ' ') continue;
            int k = j + 1;
            int v = 0;
            while (k < n && isDigit(s.charAt(k))) v = v * 10 + (s.charAt(k++) - '0');
            if (k == j + 1 || k >= n || s.charAt(k) != ']') continue;
            if (task(s, p, j - 1)) {
                cpu = v;
                return k + 1;
            }
        }
        if (perf) return perfWithoutCpu(s, p, n);
        problem = "no '[CPU]' column after COMM-PID";
        return -1;
    }

    /** COMM-PID [(TGID)] (ftrace, trace-cmd) or COMM [PID/]TID (perf) in s[p, end). */
    private boolean task(String s, int p, int end) {
        while (end > p && s.charAt(end - 1) == ' ') end--;
        if (!perf && end > p && s.charAt(end - 1) == ')') {             // record-tgid: "(  123)" or "(-------)"
            int open = s.lastIndexOf('(', end - 1);
            if (open <= p) return false;
            end = open;
            while (end > p && s.charAt(end - 1) == ' ') end--;
        }
        int d = end;
        int v = 0, scale = 1;
        while (d > p && isDigit(s.charAt(d - 1))) {
            v += (s.charAt(--d) - '0') * scale;
            scale *= 10;
        }
        if (d == end || end - d > 9) return false;
        int commEnd;
        if (perf) {
            if (d > p && s.charAt(d - 1) == '/') {                       // PID/TID: skip the process id
                d--;
                while (d > p && isDigit(s.charAt(d - 1))) d--;
            }
            if (d > p && s.charAt(d - 1) != ' ') return false;
            commEnd = d;
            while (commEnd > p && s.charAt(commEnd - 1) == ' ') commEnd--;
        } else {
            if (d == p || s.charAt(d - 1) != '-') return false;
            commEnd = d - 1;
        }
        pid = v;
        comm = comm(s, p, commEnd, v);
        return true;
    }

    /** perf script without the CPU column (recorded without -a): COMM TID SECS.USECS: ... */
    private int perfWithoutCpu(String s, int p, int n) {
        // the context (comm of at most 16, tid, timestamp) sits near the start: looking further
        // only makes long garbage lines quadratic
        int limit = Math.min(n, p + 256);
        for (int colon = s.indexOf(':', p); colon > 0 && colon < limit; colon = s.indexOf(':', colon + 1)) {
            int t = colon;
            while (t > p && s.charAt(t - 1) != ' ') t--;
            if (t > p && isTimestamp(s, t, colon) && task(s, p, t - 1)) {
                cpu = -1;
                return t;
            }
        }
        problem = "no 'COMM TID SECONDS:' context";
        return -1;
    }

    /** From the flags (if any) on: timestamp, event name, text. */
    private int event(String s, int q, int n) {
        q = skipSpaces(s, q, n);
        if (q < n && !isDigit(s.charAt(q))) {                            // flag column "d..1." / ".N.."
            int t = tokenEnd(s, q, n);
            int colon = s.indexOf(':', q);
            if (colon >= 0 && colon < t) {                                // ticks glued to the flags
                q += GLUED_FLAGS;
            } else {
                q = skipSpaces(s, t, n);
            }
        }
        int ts = q;
        long secs = 0;
        while (q < n && isDigit(s.charAt(q))) secs = secs * 10 + (s.charAt(q++) - '0');
        if (q == ts || q - ts > 19) { problem = "no timestamp"; return ERROR; }
        if (q < n && s.charAt(q) == '.') {
            int f0 = ++q;
            long frac = 0;
            while (q < n && isDigit(s.charAt(q))) {
                if (q - f0 < 9) frac = frac * 10 + (s.charAt(q) - '0');
                q++;
            }
            fracDigits = Math.min(q - f0, 9);
            for (int i = fracDigits; i < 9; i++) frac *= 10;
            timestamp = secs * 1_000_000_000L + frac;
            rawTimestamp = false;
        } else {
            timestamp = secs;
            rawTimestamp = true;
            fracDigits = 0;
        }
        if (q >= n || s.charAt(q) != ':') { problem = "no ':' after the timestamp"; return ERROR; }
        q = skipSpaces(s, q + 1, n);
        if (s.startsWith("(+", q)) q = skipSpaces(s, tokenEnd(s, q, n), n);  // trace-cmd report --ts-diff
        if (perf) {                                                      // an optional sample period
            int t = q;
            while (t < n && isDigit(s.charAt(t))) t++;
            if (t > q && t < n && s.charAt(t) == ' ') q = skipSpaces(s, t, n);
        }
        int t = tokenEnd(s, q, n);
        if (t > q + 1 && s.charAt(t - 1) == ':') {
            nameStart = q;
            nameEnd = t - 1;
            q = t;
        } else {
            nameStart = -1;                                              // function tracer: "func <-parent"
        }
        textStart = skipSpaces(s, q, n);
        int e = n;
        while (e > textStart && s.charAt(e - 1) == ' ') e--;
        textEnd = e;
        if (nameStart < 0 && textStart == textEnd) { problem = "no event after the timestamp"; return ERROR; }
        return EVENT;
    }

    /** CPU:N [LOST N EVENTS], CPU:N [N EVENTS DROPPED], CPU:N [EVENTS DROPPED], and lines to skip. */
    private int marker(String s, int p, int n) {
        if (s.startsWith("CPU ", p) && s.endsWith(" is empty")) return SKIP;
        if (!s.startsWith("CPU:", p)) return ERROR;
        int q = p + 4;
        int v = 0;
        int d0 = q;
        while (q < n && isDigit(s.charAt(q))) v = v * 10 + (s.charAt(q++) - '0');
        if (q == d0 || !s.startsWith(" [", q)) return ERROR;
        q += 2;
        if (s.startsWith("SUBBUFFER START]", q)) return SKIP;
        boolean lostForm = s.startsWith("LOST ", q);
        if (lostForm) q += 5;
        long count = -1;
        int c0 = q;
        long c = 0;
        while (q < n && isDigit(s.charAt(q))) c = c * 10 + (s.charAt(q++) - '0');
        if (q > c0) {
            count = c;
            if (q < n && s.charAt(q) == ' ') q++;
        } else if (lostForm) {
            return ERROR;
        }
        if (!s.startsWith(lostForm ? "EVENTS]" : "EVENTS DROPPED]", q)) return ERROR;
        cpu = v;
        lostCount = count;
        return LOST;
    }

    private String comm(String s, int from, int to, int pid) {
        from = skipSpaces(s, from, to);
        int slot = pid & (comms.length - 1);
        String c = comms[slot];
        int len = to - from;
        if (c != null && c.length() == len && s.regionMatches(from, c, 0, len)) return c;
        c = s.substring(from, to);
        comms[slot] = c;
        return c;
    }

    private String buffer(String s, int from, int to) {
        String b = buffer;
        int len = to - from;
        if (b.length() == len && s.regionMatches(from, b, 0, len)) return b;
        return s.substring(from, to);
    }

    /** {@code digits[.digits]} exactly fills s[from, to). */
    private static boolean isTimestamp(String s, int from, int to) {
        boolean dot = false;
        if (from >= to) return false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '.' && !dot && i > from) dot = true;
            else if (!isDigit(c)) return false;
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int skipSpaces(String s, int i, int n) {
        while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
        return i;
    }

    private static int tokenEnd(String s, int i, int n) {
        while (i < n && s.charAt(i) != ' ') i++;
        return i;
    }
}
