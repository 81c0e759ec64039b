package io.exitscope.source.tracedat;

import io.exitscope.event.EventFormats;
import io.exitscope.event.FormatParser;
import io.exitscope.event.HeaderPage;
import io.exitscope.source.BinaryFile;
import io.exitscope.source.TraceFormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The tracing metadata block trace-cmd and perf both write: header page, header event, ftrace
 * and event formats per system, kallsyms, printk formats and saved cmdlines, in that order. It is
 * the body of a trace.dat v6 file ({@code trace-cmd.dat.v6(5)}) and the content of perf.data's
 * {@code HEADER_TRACING_DATA} (perf's {@code util/trace-event-info.c} writes the same layout
 * behind the same magic, version "0.6"; "0.5" has no cmdlines). trace.dat v7 keeps the same
 * pieces in sections and uses the per-piece methods here.
 *
 * <p>Fills the {@link EventFormats} and cmdlines it is given; kallsyms is only located (its text
 * can run to tens of MB) and summarized on demand by {@link #kallsymsAt}.
 */
public final class TracingData {
    /** "\027\010\104tracing": starts a trace.dat file and perf's tracing data. */
    public static final byte[] MAGIC = {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g'};

    private final String name;
    private final BinaryFile file;
    private final EventFormats formats;
    private final Map<Integer, String> cmdlines;
    private HeaderPage headerPage;
    private long kallsymsOffset = -1;

    public TracingData(BinaryFile file, EventFormats formats, Map<Integer, String> cmdlines) {
        this.name = file.name();
        this.file = file;
        this.formats = formats;
        this.cmdlines = cmdlines;
    }

    public HeaderPage headerPage() { return headerPage; }

    public BinaryFile file() { return file; }

    /** File offset of the kallsyms size field (u32 then text), -1 if none was read. */
    public long kallsymsOffset() { return kallsymsOffset; }

    /**
     * Reads the block from {@code pos} (just after the magic-version-endian-long-page header) to
     * the end of the saved cmdlines; {@code withCmdlines} false for perf's version 0.5, which ends
     * after printk. Returns the offset after the block.
     */
    public long readBody(long pos, boolean withCmdlines) throws IOException {
        pos = readHeaderInfo(pos);
        ByteBuffer b = file.read(pos, 4, "ftrace format count");
        int n = b.getInt();
        pos += 4;
        pos = readFormatList(pos, n, "ftrace");
        b = file.read(pos, 4, "event system count");
        int systems = b.getInt();
        pos += 4;
        if (systems < 0 || systems > 100_000) throw new TraceFormatException(name, pos - 4, "bad event system count " + systems);
        for (int s = 0; s < systems; s++) {
            String sys = file.stringAt(pos, "event system name");
            pos += sys.length() + 1;
            b = file.read(pos, 4, "event count");
            int events = b.getInt();
            pos += 4;
            pos = readFormatList(pos, events, sys);
        }
        b = file.read(pos, 4, "kallsyms size");
        long ksize = b.getInt() & 0xffffffffL;
        kallsymsOffset = pos;
        pos += 4 + ksize;
        b = file.read(pos, 4, "printk size");
        long psize = b.getInt() & 0xffffffffL;
        pos += 4 + psize;
        if (!withCmdlines) return pos;
        b = file.read(pos, 8, "cmdlines size");
        long csize = b.getLong();
        readCmdlines(file.read(pos + 8, csize, "saved cmdlines"));
        return pos + 8 + csize;
    }


    private long readFormatList(long pos, int n, String system) throws IOException {
        if (n < 0 || n > 1_000_000) throw new TraceFormatException(name, pos - 4, "bad event format count " + n);
        for (int i = 0; i < n; i++) {
            ByteBuffer b = file.read(pos, 8, "event format size");
            long size = b.getLong();
            ByteBuffer t = file.read(pos + 8, size, "event format");
            addFormat(system, text(t), pos + 8, "");
            pos += 8 + size;
        }
        return pos;
    }

    private long readHeaderInfo(long pos) throws IOException {
        ByteBuffer b = file.read(pos, 12 + 8, "header info");
        String tag = cstring(b);
        if (!tag.equals("header_page")) throw new TraceFormatException(name, pos, "expected 'header_page', found '" + q(tag) + "'");
        long size = b.getLong();
        String hp = text(file.read(pos + 20, size, "header_page"));
        long hpOff = pos + 20;
        pos += 20 + size;
        b = file.read(pos, 13 + 8, "header_event");
        tag = cstring(b);
        if (!tag.equals("header_event")) throw new TraceFormatException(name, pos, "expected 'header_event', found '" + q(tag) + "'");
        long esize = b.getLong();
        file.read(pos + 21, esize, "header_event");
        pos += 21 + esize;
        headerPage(hp, hpOff, "");
        return pos;
    }

    /** Parses the {@code events/header_page} text found at {@code where}. */
    public void headerPage(String text, long where, String sectionWhere) {
        try {
            headerPage = FormatParser.parseHeaderPage(text);
        } catch (FormatParser.FormatException e) {
            throw new TraceFormatException(name, where, "bad header_page: " + q(e.getMessage()) + sectionWhere);
        }
    }

    /**
     * Indexes one format by name and id now and parses its fields when an event first needs it
     * (see {@link EventFormats}); {@code sectionWhere} is appended to a later parse error, as the
     * reading of a compressed section appends it to errors found now.
     */
    public void addFormat(String system, String text, long where, String sectionWhere) {
        try {
            FormatParser.Header h = FormatParser.scanHeader(text);
            formats.addDeferred(h.id(), system, h.name(), () -> {
                try {
                    return FormatParser.parseEvent(system, text);
                } catch (FormatParser.FormatException e) {
                    throw badFormat(system, where, e, sectionWhere);
                }
            });
        } catch (FormatParser.FormatException e) {
            throw badFormat(system, where, e, "");
        }
    }

    private TraceFormatException badFormat(String system, long where, FormatParser.FormatException e, String sectionWhere) {
        return new TraceFormatException(name, where, "bad event format in system '" + q(system) + "': " + q(e.getMessage()) + sectionWhere);
    }

    /** The saved cmdlines text: one "pid comm" per line. */
    public void readCmdlines(ByteBuffer b) {
        String s = text(b);
        for (String line : s.split("\n")) {
            int sp = line.indexOf(' ');
            if (sp <= 0) continue;
            try {
                cmdlines.put(Integer.parseInt(line.substring(0, sp).trim()), line.substring(sp + 1));
            } catch (NumberFormatException ignored) {
                // not a "pid comm" line
            }
        }
    }

    /** Summarizes the kallsyms stored at {@code offset} (u32 size, then the text). */
    public static Kallsyms kallsymsAt(BinaryFile file, long offset) throws IOException {
        ByteBuffer body = file.read(offset, 4, "kallsyms size");
        long n = body.getInt() & 0xffffffffL;
        body = file.read(offset + 4, n, "kallsyms");
        return Kallsyms.parse(body, offset + 4);
    }

    static String cstring(ByteBuffer b) {
        int start = b.position();
        int end = start;
        while (end < b.limit() && b.get(end) != 0) end++;
        String s = new String(b.array(), b.arrayOffset() + start, end - start, StandardCharsets.ISO_8859_1);
        b.position(Math.min(b.limit(), end + 1));
        return s;
    }

    static String text(ByteBuffer b) {
        String s = new String(b.array(), b.arrayOffset() + b.position(), b.remaining(), StandardCharsets.ISO_8859_1);
        int nul = s.indexOf('\0');
        return nul >= 0 ? s.substring(0, nul) : s;
    }

    /** Text taken from the file, made safe for a one-line error message ({@link TraceFormatException#quote}). */
    public static String q(String s) {
        return TraceFormatException.quote(s);
    }
}
