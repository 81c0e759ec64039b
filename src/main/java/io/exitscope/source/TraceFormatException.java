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

    public String file() { return file; }
    public long offset() { return offset; }
    public String problem() { return problem; }
}
