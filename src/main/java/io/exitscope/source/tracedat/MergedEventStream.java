package io.exitscope.source.tracedat;

import io.exitscope.event.Event;
import io.exitscope.event.HeaderPage;
import io.exitscope.event.EventFormats;
import io.exitscope.event.EventStream;
import io.exitscope.event.RawEvent;
import io.exitscope.event.SimpleEvent;
import io.exitscope.source.TraceFormatException;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.ringbuffer.CpuRecords;
import io.exitscope.source.ringbuffer.PageCursor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * All CPUs of all buffers of a trace.dat, merged by timestamp. Ties go to the earlier buffer,
 * then the lower CPU, as trace-cmd orders them. A CPU whose page carries the missed-events flag
 * yields a {@link Event.Kind#LOST} record just before that page's first event.
 */
final class MergedEventStream implements EventStream {

    /** One CPU's records in order. */
    static final class CpuStream {
        final int cpu;
        final CpuPages pages;
        final CpuRecords records;
        final RawEvent event;
        final TimestampConverter conv;
        final String file;
        final String buffer;
        long ts;                 // converted timestamp of the current record
        long pendingLost;        // 0 none; -1 unknown; n: emit a LOST record before the next event
        boolean holdingEvent;    // current record is LOST and the event after it is loaded
        Event lostMarker;
        boolean done;

        CpuStream(int cpu, CpuPages pages, HeaderPage header, boolean bigEndian, RawEvent event, EventFormats formats,
                  TimestampConverter conv, String file, String buffer) {
            this.cpu = cpu;
            this.pages = pages;
            this.records = new CpuRecords(cpu, header, bigEndian, event, formats);
            this.event = event;
            this.conv = conv;
            this.file = file;
            this.buffer = buffer;
        }

        /** Loads the next record; false at the end of this CPU's data. */
        boolean advance() throws IOException {
            if (holdingEvent) {
                holdingEvent = false;
                lostMarker = null;
                return true;
            }
            while (true) {
                int r;
                try {
                    r = records.next();
                } catch (PageCursor.PageException e) {
                    throw malformed(e.pageOffset, e.getMessage());
                }
                if (r == CpuRecords.RECORD) {
                    ts = conv.convert(records.timestamp(), cpu);
                    event.retime(ts);
                    if (pendingLost != 0) {
                        lostMarker = SimpleEvent.lost(ts, cpu, buffer, pendingLost);
                        pendingLost = 0;
                        holdingEvent = true;
                    }
                    return true;
                }
                if (r == CpuRecords.UNKNOWN_EVENT) throw malformed(records.recordOffset(), "unknown event id " + records.unknownId());
                if (!pages.nextPage()) {
                    done = true;
                    if (pendingLost != 0) {
                        // lost events with nothing after them on this CPU: still report them
                        lostMarker = SimpleEvent.lost(ts, cpu, buffer, pendingLost);
                        pendingLost = 0;
                        done = false;
                        holdingEvent = false;
                        exhaustedAfterLost = true;
                        return true;
                    }
                    return false;
                }
                long m;
                try {
                    m = records.load(pages.buf, pages.pageStart, pages.available);
                } catch (PageCursor.PageException e) {
                    throw malformed(e.pageOffset, e.getMessage());
                }
                if (m != 0) pendingLost = pendingLost > 0 && m > 0 ? pendingLost + m : m;
            }
        }

        /** A problem at {@code pageOffset} in the current page, named by its file offset. */
        private TraceFormatException malformed(int pageOffset, String problem) {
            return new TraceFormatException(file, pages.fileOffset(pageOffset), "CPU " + cpu + ": " + problem + pages.where(pageOffset));
        }

        boolean exhaustedAfterLost;

        Event current() {
            return lostMarker != null ? lostMarker : event;
        }
    }

    private final CpuStream[] streams;
    private int live;
    private Event current;
    private boolean started;
    private final long totalBytes;

    MergedEventStream(TraceDatReader r, TimestampConverter conv) {
        this.streams = cpuStreams(r, conv);
        this.totalBytes = totalBytes(streams);
    }

    /** One stream per CPU of every buffer, in merge order: buffers as in the file, then CPUs. */
    static CpuStream[] cpuStreams(TraceDatReader r, TimestampConverter conv) {
        List<CpuStream> list = new ArrayList<>();
        for (int bi = 0; bi < r.buffers.size(); bi++) {
            TraceInfo.Buffer b = r.buffers.get(bi);
            for (TraceInfo.CpuData c : b.cpus()) {
                CpuPages pages = r.bufferCompressed(bi)
                        ? new CpuPages.Chunked(r.file, b.pageSize(), r.compression, r.order, c.offset(), c.size())
                        : new CpuPages.Plain(r.file, b.pageSize(), c.offset(), c.size());
                RawEvent ev = new RawEvent(r.bigEndian, b.name(), r::comm);
                list.add(new CpuStream(c.cpu(), pages, r.headerPage(), r.bigEndian, ev, r.formats, conv, r.name, b.name()));
            }
        }
        return list.toArray(new CpuStream[0]);
    }

    static long totalBytes(CpuStream[] streams) {
        long total = 0;
        for (CpuStream s : streams) total += s.pages.totalBytes();
        return total;
    }

    @Override
    public boolean advance() throws IOException {
        if (!started) {
            started = true;
            int n = 0;
            for (CpuStream s : streams) if (s.advance()) streams[n++] = s;
            live = n;
        } else if (current != null) {
            // advance the stream that produced the current record
            int i = lastIndex;
            CpuStream s = streams[i];
            boolean more = !s.exhaustedAfterLost && s.advance();
            if (!more) {
                System.arraycopy(streams, i + 1, streams, i, live - i - 1);
                live--;
            }
        }
        if (live == 0) {
            current = null;
            return false;
        }
        int best = 0;
        long bestTs = streams[0].ts;
        for (int i = 1; i < live; i++) {
            long t = streams[i].ts;
            if (Long.compareUnsigned(t, bestTs) < 0) {
                best = i;
                bestTs = t;
            }
        }
        lastIndex = best;
        current = streams[best].current();
        return true;
    }

    private int lastIndex;

    @Override
    public Event current() {
        return current;
    }

    @Override
    public long position() {
        long p = 0;
        for (CpuStream s : streams) p += s.pages.consumed();
        return p;
    }

    @Override
    public long totalBytes() {
        return totalBytes;
    }

    @Override
    public void close() {
        // the reader owns the channel
    }
}
