package io.exitscope.source.text;

import io.exitscope.event.EventStream;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFormatException;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.TraceSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Text traces as a {@link TraceSource}: tracefs {@code trace}/{@code trace_pipe} output,
 * {@code trace-cmd report} output and {@code perf script} output, plain or gzipped.
 *
 * <p>Opening reads only the first lines, to detect the format and note what the header says
 * (CPU count, {@code entries-in-buffer/entries-written}); events are then streamed line by line.
 * Field values are best effort (see {@link PrintForms}, {@link RawFields}); timestamps are exact
 * to the digits printed.
 */
public final class TextTraceSource implements TraceSource {
    static final String FTRACE = "ftrace text", REPORT = "trace-cmd report", PERF = "perf script";

    /** How much of the file detection looks at. */
    private static final int SCAN_LINES = 200, SCAN_EVENTS = 20;

    private final Path path;
    private final InputFormat format;
    private final TraceInfo info;

    private TextTraceSource(Path path, InputFormat format, TraceInfo info) {
        this.path = path;
        this.format = format;
        this.info = info;
    }

    /** Opens a text trace; {@link InputFormat#AUTO} detects which kind from the first lines. */
    public static TraceSource open(Path path, InputFormat format) throws IOException {
        if (format == InputFormat.TRACE_DAT) throw new IllegalArgumentException("trace.dat is not a text format");
        Header h = scan(path, format);
        String name = h.format == InputFormat.PERF_SCRIPT ? PERF : h.format == InputFormat.TRACE_CMD_REPORT ? REPORT : FTRACE;
        String clock = h.rawTicks ? "counter" : h.format == InputFormat.PERF_SCRIPT ? "perf" : "local";
        TraceInfo info = new TraceInfo(path.toString(), name, 0, h.gzip ? "gzip" : "none", false, clock, h.cpus, h.cpus,
                null, null, Map.of(), List.of(), 0, null, new TraceInfo.Text(h.entries));
        return new TextTraceSource(path, h.format, info);
    }

    @Override
    public TraceInfo info() {
        return info;
    }

    @Override
    public EventStream events() throws IOException {
        return new TextEventStream(path, format);
    }

    @Override
    public void close() {
        // nothing is held open: each stream owns its file
    }

    /** What the first lines tell. */
    private static final class Header {
        InputFormat format;
        boolean gzip;
        int cpus = -1;
        String entries;
        boolean rawTicks;
    }

    private static final String ENTRIES = "entries-in-buffer/entries-written:";

    private static Header scan(Path path, InputFormat forced) throws IOException {
        Header h = new Header();
        String file = path.toString();
        boolean ftraceHeader = false, reportHeader = false, oneSpaceAfterName = false, timed = false;
        int ftraceLines = 0, perfLines = 0, events = 0;
        LineParser ftrace = new LineParser(false), perf = new LineParser(true);
        try (LineInput in = new LineInput(path)) {
            h.gzip = in.gzip();
            String line;
            while (events < SCAN_EVENTS && in.lineNumber() < SCAN_LINES && (line = in.readLine()) != null) {
                checkText(file, line, in);
                String t = line.strip();
                if (t.isEmpty()) continue;
                if (t.startsWith("#")) {
                    int e = t.indexOf(ENTRIES);
                    if (t.startsWith("# tracer:") || e >= 0) ftraceHeader = true;
                    if (e >= 0) h.entries = entries(t.substring(e + ENTRIES.length()).strip());
                    int cpus = t.indexOf("#P:");
                    if (cpus >= 0) h.cpus = (int) Math.min(leadingInt(t, cpus + 3), Integer.MAX_VALUE);
                    continue;
                }
                int cpusAt = t.indexOf("cpus=");
                if (cpusAt >= 0 && (cpusAt == 0 || t.startsWith(": ", cpusAt - 2)) && leadingInt(t, cpusAt + 5) >= 0) {
                    reportHeader = true;                                 // "cpus=N" or "FILE: cpus=N"
                    if (h.cpus < 0) h.cpus = (int) Math.min(leadingInt(t, cpusAt + 5), Integer.MAX_VALUE);
                    continue;
                }
                LineParser p = null;
                int r = ftrace.parse(line);
                if (r == LineParser.EVENT) {
                    ftraceLines++;
                    p = ftrace;
                    int gap = p.textStart - p.nameEnd - 1;
                    if (p.nameStart >= 0 && gap == 1 && p.nameEnd - p.nameStart < 19 && p.textStart < p.textEnd) {
                        oneSpaceAfterName = true;                          // trace-cmd pads names to 20 columns
                    }
                } else if (perf.parse(line) == LineParser.EVENT) {
                    perfLines++;
                    p = perf;
                } else if (r == LineParser.SKIP || r == LineParser.LOST) {
                    continue;
                } else if (events == 0 && forced == InputFormat.AUTO) {
                    throw new TraceFormatException(file, 0, "not a text trace exitscope knows (ftrace trace/trace_pipe, "
                            + "trace-cmd report or perf script output): line " + in.lineNumber() + " reads '"
                            + (t.length() > 80 ? t.substring(0, 80) + "..." : t) + "'");
                }
                if (p != null) {
                    events++;
                    if (!timed) {
                        h.rawTicks = p.rawTimestamp;
                        timed = true;
                    }
                }
            }
            if (in.lineNumber() == 0) throw new TraceFormatException(file, 0, "empty file");
        }
        if (forced != InputFormat.AUTO) {
            h.format = forced;
        } else if (perfLines > ftraceLines) {
            h.format = InputFormat.PERF_SCRIPT;
        } else if (reportHeader) {
            h.format = InputFormat.TRACE_CMD_REPORT;
        } else if (ftraceHeader) {
            h.format = InputFormat.FTRACE;
        } else if (ftraceLines > 0) {
            h.format = oneSpaceAfterName ? InputFormat.FTRACE : InputFormat.TRACE_CMD_REPORT;
        } else {
            throw new TraceFormatException(file, 0, "no trace events in the first " + SCAN_LINES
                    + " lines: not ftrace, trace-cmd report or perf script text");
        }
        return h;
    }

    /** Binary data is refused at once, with a hint when it is a compressed trace.dat. */
    private static void checkText(String file, String line, LineInput in) {
        if (in.lineNumber() == 1 && line.startsWith("\u0017\u0008D")) {
            throw new TraceFormatException(file, 0, in.gzip()
                    ? "a gzip-compressed trace.dat: decompress it first (trace.dat is read with random access)"
                    : "a trace.dat file, not text");
        }
        int bad = 0;
        for (int i = 0, n = Math.min(line.length(), 4096); i < n; i++) {
            char c = line.charAt(i);
            if (c == 0 || (c < 0x20 && c != '\t' && c != '\f' && c != 0x1b)) bad++;
        }
        if (bad > 0) {
            throw new TraceFormatException(file, in.lineOffset(), "binary data, not a text trace (line "
                    + in.lineNumber() + " has control characters)" + (in.gzip() ? " (offset in the decompressed text)" : ""));
        }
    }

    /** {@code "43998/44010   #P:2"}: B − A events were overwritten before the text was read. */
    private static String entries(String s) {
        String note = s.replaceAll("\\s+", " ");
        int slash = s.indexOf('/');
        if (slash > 0) {
            long inBuffer = leadingInt(s, 0), written = leadingInt(s, slash + 1);
            if (inBuffer >= 0 && written > inBuffer) note += " (" + (written - inBuffer) + " events overwritten)";
        }
        return note;
    }

    private static long leadingInt(String s, int at) {
        long v = 0;
        int i = at;
        while (i < s.length() && Character.isDigit(s.charAt(i)) && i - at < 18) v = v * 10 + (s.charAt(i++) - '0');
        return i == at ? -1 : v;
    }
}
