package io.exitscope.source.text;

import io.exitscope.event.Event;
import io.exitscope.event.EventStream;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFormatException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The events of a text trace, one line at a time, in file order (text traces are already
 * merged across CPUs). Each stream has its own event types, so streams are independent.
 */
final class TextEventStream implements EventStream {
    private final String file;
    private final LineInput in;
    private final LineDecoder decoder;
    private Event current;
    private long firstDamagedLine = -1;

    TextEventStream(Path path, InputFormat format) throws IOException {
        this.file = path.toString();
        this.in = new LineInput(path);
        this.decoder = new LineDecoder(format == InputFormat.PERF_SCRIPT);
    }

    @Override
    public boolean advance() throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            Event e;
            try {
                e = decoder.decode(line);
            } catch (IllegalArgumentException bad) {
                throw error(line, bad.getMessage());
            }
            if (e == null && firstDamagedLine < 0 && decoder.damagedLines() > 0) firstDamagedLine = in.lineNumber();
            if (e != null) {
                current = e;
                return true;
            }
        }
        current = null;
        return false;
    }

    private TraceFormatException error(String line, String why) {
        String shown = line.strip();
        if (shown.length() > 120) shown = shown.substring(0, 120) + "...";
        shown = printable(shown);
        return new TraceFormatException(file, in.lineOffset(), "line " + in.lineNumber() + ": cannot parse ("
                + why + "): " + shown + (in.gzip() ? " (offset in the decompressed text)" : ""));
    }

    /** Control and non-ASCII bytes as \xNN: an error stays one readable line. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) sb.append(c);
            else sb.append(String.format("\\x%02x", (int) c & 0xff));
        }
        return sb.toString();
    }

    @Override
    public long damagedLines() {
        return decoder.damagedLines();
    }

    @Override
    public long firstDamagedLine() {
        return firstDamagedLine;
    }

    @Override
    public Event current() {
        return current;
    }

    @Override
    public long position() {
        return in.filePosition();
    }

    @Override
    public long totalBytes() {
        return in.fileSize();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
