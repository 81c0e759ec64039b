package io.exitscope.source;

/**
 * Input that cannot be read as a trace. Always names the file and the byte offset where the
 * problem was found, so the one-line error a user sees points at the spot.
 */
public final class TraceFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final long offset;
    private final String problem;

    public TraceFormatException(String file, long offset, String problem) {
        super(file + ": at byte " + offset + ": " + oneLine(problem));
        this.file = file;
        this.offset = offset;
        this.problem = oneLine(problem);
    }

    public TraceFormatException(String file, long offset, String problem, Throwable cause) {
        super(file + ": at byte " + offset + ": " + oneLine(problem), cause);
        this.file = file;
        this.offset = offset;
        this.problem = oneLine(problem);
    }

    /** Control characters from damaged input as \xNN, so the message stays one line on a terminal. */
    static String oneLine(String s) {
        return io.exitscope.util.OneLine.of(s);
    }

    /**
     * Text taken from the file, made safe for a one-line error message: control and non-ASCII
     * characters escaped (a damaged file must not inject newlines or terminal escapes), cut at
     * 120 characters. Only used on error paths, so valid files print nothing different.
     */
    public static String quote(String s) {
        if (s == null) return "null";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            if (sb.length() >= 120) {
                sb.append("...");
                break;
            }
            char c = s.charAt(i);
            if (c == '\n') sb.append("\\n");
            else if (c == '\t') sb.append("\\t");
            else if (c < 0x20 || c >= 0x7f) sb.append(String.format("\\x%02x", c & 0xff));
            else sb.append(c);
        }
        return sb.toString();
    }

    public String file() { return file; }
    public long offset() { return offset; }
    public String problem() { return problem; }
}
