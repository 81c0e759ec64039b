package io.exitscope.source.perfdata;

import io.exitscope.event.Event;
import io.exitscope.event.EventFormat;
import io.exitscope.event.EventStream;
import io.exitscope.event.RawEvent;
import io.exitscope.event.SimpleEvent;
import io.exitscope.source.TraceFormatException;
import io.exitscope.util.Bytes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The records of a perf.data as events, in the order {@code perf script} delivers them.
 *
 * <p>perf writes each CPU's ring buffer in turn, so records arrive out of time order; a
 * {@code FINISHED_ROUND} record promises that nothing written after it is older than what was
 * written before the previous one. perf's ordered-events queue (tools/perf/util/ordered-events.c)
 * therefore, at each round's end, sorts what it holds by time (ties in arrival order) and delivers
 * everything up to the newest time seen at the previous round's end; the rest waits. This class
 * does the same with the queued records in flat arrays, their raw bytes copied into an arena:
 * memory is one round or two, whatever the file size. Records without a time (no
 * PERF_SAMPLE_TIME, or no sample_id_all on a non-sample record) are delivered at once, as perf does.
 *
 * <p>{@code COMM}/{@code FORK} records go through the queue too: they name threads from their time
 * on, so an event shows the command its thread had then. {@code LOST} and {@code LOST_SAMPLES}
 * become {@link Event.Kind#LOST} events on their CPU. {@code PERF_RECORD_COMPRESSED} payloads are
 * one zstd stream across records (perf's zstd_compress_stream_to_records); a record may end in the
 * middle of a decompressed record, which is completed by the next one, as perf does.
 */
final class PerfEventStream implements EventStream {
    /**
     * Queue bytes beyond which a round is flushed in halves (perf's OE_FLUSH__HALF when its queue
     * outgrows its limit): keeps the heap bounded when one round is huge (a host with many CPUs
     * and big per-CPU buffers); the order then may differ from perf script's unlimited queue.
     */
    static final int MAX_QUEUE_BYTES = 64 << 20;
    private final long maxQueueBytes;
    /** Bytes read from the file at a time: small enough to be parsed while still in the CPU cache. */
    private static final int READ_CHUNK = 512 << 10;
    /** The file window: records are parsed from it in place until it is full and slides. */
    private static final int WINDOW = 8 << 20;

    // entry kinds, and where an entry's bytes are (kind | where)
    private static final byte SAMPLE = 0, LOST = 1, COMM = 2, FORK = 3, KIND = 3;
    private static final byte IN_BUF = 0, IN_DEC = 4, IN_ARENA = 8, WHERE = 12;

    private final PerfDataReader r;
    private final String name;
    private final boolean big;
    private final PerfAttr single;
    private final LongIntMap attrById = new LongIntMap();
    private final PerfAttr[] attrs;
    private final int sampleIdPos, trailerIdPos;
    private long lastId;
    private PerfAttr lastAttr;

    // input: a window over the file
    private byte[] buf;
    private long bufStart;
    private int p, lim;
    private final long end;

    // decompressed records (perf record -z)
    private ZstdRecordStream zstd;
    private byte[] dec = new byte[0];
    private int decP, decLim;
    private long decRecordOffset;   // file offset of the COMPRESSED record that fed dec
    private long decBase;           // decompressed bytes before dec[0], for error messages

    // The queue: entries in parallel arrays, slots handed out in arrival order and reused once the
    // arrays are full (compact), so among the waiting entries slot order is arrival order. An
    // entry's bytes stay where they were read (buf or dec) and move to the arena only when that
    // buffer slides while the entry waits.
    private int n;                    // slots used
    private long[] ts = new long[4096];
    private long[] aux = new long[4096];
    private int[] off = new int[4096], len = new int[4096], cpu = new int[4096], tid = new int[4096];
    private byte[] kind = new byte[4096];
    private EventFormat[] fmt = new EventFormat[4096];
    // The waiting entries, split as the next FINISHED_ROUND will split them: "due" (time <= nextFlush,
    // unsigned), delivered then, and "kept" (later), which wait one more round. Each list holds slots
    // and their times in arrival order. A round's end then delivers by copying the due list and
    // makes the kept list the next due one (every kept time is <= the new nextFlush), instead of
    // scanning every waiting entry twice: those two loops, in a method called once a round, ran in
    // the interpreter until C2 got to them (0.3 s of a 0.9 s report on the 5 M-sample file, when the
    // compiler queue was long). Everything else (sliding the window, compacting, a half flush, the
    // last flush, times past 2^63) takes the list of all waiting entries, merged from the two.
    private int[] dueSlot = new int[4096], keptSlot = new int[4096];
    private long[] dueTs = new long[4096], keptTs = new long[4096];
    private int nDue, nKept;
    private long dueBytes, keptBytes;
    /** A time past 2^63 was queued: signed and unsigned order differ, every flush takes the general path. */
    private boolean hugeTimes;
    private int[] waiting = new int[4096];   // scratch: all waiting slots in arrival order (general path)
    private int nWaiting;
    private long queuedBytes;
    private byte[] arena = new byte[0], arena2 = new byte[0];
    private int arenaUsed;
    private long maxTs, nextFlush;
    // what a flush delivers, sorted: order[k] is the k-th slot by (time, arrival), sorted[k] its time
    // as a key that sorts signed (the time itself below 2^63, its sign bit flipped in flushGeneral)
    private int[] order = new int[4096], tmp = new int[4096];
    private long[] sorted = new long[4096], sortedTmp = new long[4096];
    private int[] runs = new int[16];
    private int readyPos, readyEnd;   // order[readyPos..readyEnd) are being delivered

    private boolean eof;
    private Event current;
    private final RawEvent event;
    private Event immediate;
    private final ThreadNames threads = new ThreadNames();
    private final Map<Integer, Long> skipped = new TreeMap<>();

    PerfEventStream(PerfDataReader r) {
        this(r, WINDOW, MAX_QUEUE_BYTES);
    }

    /** With another window size and queue limit (tests: the window slides, rounds are flushed in halves, on small files). */
    PerfEventStream(PerfDataReader r, int window, long maxQueueBytes) {
        this.r = r;
        this.maxQueueBytes = maxQueueBytes;
        this.name = r.name;
        this.big = r.bigEndian;
        this.attrs = r.attrs.toArray(new PerfAttr[0]);
        for (int i = 0; i < attrs.length; i++) for (long id : attrs[i].ids) attrById.put(id, i);
        this.single = attrs.length == 1 ? attrs[0] : null;
        this.sampleIdPos = attrs[0].sampleIdPos();
        this.trailerIdPos = attrs[0].trailerIdPos();
        this.event = new RawEvent(big, "", threads::comm);
        this.bufStart = r.streamStart;
        this.end = r.dataEnd;
        this.buf = new byte[(int) Math.max(1 << 16, Math.min(window, end - r.streamStart))];
    }

    /** Records skipped because their type is unknown to this reader, per type. */
    Map<Integer, Long> skippedRecords() {
        return skipped;
    }

    @Override
    public boolean advance() throws IOException {
        while (true) {
            if (immediate != null) {
                current = immediate;
                immediate = null;
                return true;
            }
            if (readyPos < readyEnd) {
                int i = order[readyPos++];
                if (deliver(i)) return true;
                continue;
            }
            if (readyEnd > 0) keepUndelivered();
            if (eof) {
                current = null;
                return false;
            }
            fill();
        }
    }

    @Override
    public Event current() {
        return current;
    }

    @Override
    public long position() {
        return bufStart + p - r.streamStart;
    }

    @Override
    public long totalBytes() {
        return end - r.streamStart;
    }

    @Override
    public void close() {
        // the reader owns the channel
    }

    // ---------------------------------------------------------------- reading records

    /** Reads records until some are ready for delivery, or the end. */
    private void fill() throws IOException {
        while (readyEnd == 0 && immediate == null) {
            if (decLim - decP >= 8) {
                int size = Bytes.u16(dec, decP + 6, big);
                if (size < 8) throw bad(decRecordOffset, "record of " + size + " bytes in compressed data" + decWhere(decP));
                if (decLim - decP >= size) {
                    record(dec, decP, size, decRecordOffset, IN_DEC);
                    decP += size;
                    continue;
                }
            }
            long at = bufStart + p;
            if (!ensure(8)) {
                if (at < end) throw bad(at, "file ends inside a record header (" + (end - at) + " bytes left)");
                if (decLim > decP) throw bad(decRecordOffset, "compressed data ends inside a record" + decWhere(decP));
                eof = true;
                flushGeneral(-1L);   // perf's final flush: every time is <= 2^64-1, all is delivered
                split();
                return;
            }
            int type = Bytes.i32(buf, p, big);
            int size = Bytes.u16(buf, p + 6, big);
            if (size < 8) throw bad(at, "record of " + size + " bytes (type " + type + ")");
            if (!ensure(size)) throw bad(at, "file ends inside a record of " + size + " bytes (type " + type + ")");
            switch (type) {
                case PerfDataReader.RECORD_COMPRESSED -> {
                    decompress(buf, p + 8, size - 8, at);
                    p += size;
                }
                case PerfDataReader.RECORD_HEADER_TRACING_DATA -> {
                    // the tracing data follows the record; read at open
                    long payload = size >= 12 ? Bytes.i32(buf, p + 8, big) & 0xffffffffL : 0;
                    skip(size + payload);
                }
                case PerfDataReader.RECORD_AUXTRACE -> {
                    long payload = size >= 16 ? Bytes.i64(buf, p + 8, big) : 0;
                    if (payload < 0) throw bad(at, "AUXTRACE record with " + payload + " bytes of data");
                    skip(size + payload);
                }
                default -> {
                    record(buf, p, size, at, IN_BUF);
                    p += size;
                }
            }
        }
    }

    /**
     * Makes {@code k} bytes of the data section available at buf[p]; false if fewer remain. Reads
     * a chunk at a time; when the window is used up it slides to p, the waiting entries' bytes
     * moved to the arena first.
     */
    private boolean ensure(int k) throws IOException {
        if (lim - p >= k) return true;
        if (buf.length - p < Math.max(k, READ_CHUNK) && p > 0) {
            evacuate(IN_BUF);
            System.arraycopy(buf, p, buf, 0, lim - p);
            bufStart += p;
            lim -= p;
            p = 0;
        }
        if (k > buf.length) buf = Arrays.copyOf(buf, Math.max(k, buf.length * 2));
        while (lim - p < k && bufStart + lim < end) {
            int want = (int) Math.min(Math.min(buf.length - lim, Math.max(READ_CHUNK, k - (lim - p))), end - bufStart - lim);
            // On this thread: a read-ahead thread (1 MB chunks handed over through a queue) no longer
            // paid once the heap was in huge pages, and cost CPU (bench/README.md: dump --count on
            // the 5 M-sample file 0.60 s with it, 0.58 s without, 0.95 against 0.89 CPU-s).
            int got = r.channel.read(ByteBuffer.wrap(buf, lim, want), bufStart + lim);
            if (got <= 0) break;
            lim += got;
        }
        return lim - p >= k;
    }

    private void skip(long k) {
        if (k <= lim - p) {
            p += (int) k;
        } else {
            evacuate(IN_BUF);
            bufStart += p + k;
            p = lim = 0;
            if (bufStart > end) throw bad(end, "record payload runs past the end of the data (" + (bufStart - end) + " bytes)");
        }
    }

    private void decompress(byte[] src, int from, int size, long recordOffset) {
        if (zstd == null) {
            if (!ZstdRecordStream.available()) throw bad(recordOffset, "compressed records (perf record -z) need aircompressor's zstd window, which this build lacks");
            zstd = new ZstdRecordStream();
        }
        // keep the undelivered tail of the previous output at the front, once it is half the buffer
        if (decP > 0 && decP >= dec.length / 2) {
            evacuate(IN_DEC);
            System.arraycopy(dec, decP, dec, 0, decLim - decP);
            decBase += decP;
            decLim -= decP;
            decP = 0;
        }
        decRecordOffset = recordOffset;
        try {
            ZstdRecordStream.Out o = zstd.feed(src, from, size, dec, decLim);
            dec = o.buf();
            decLim = o.limit();
        } catch (RuntimeException e) {
            throw bad(recordOffset, "bad zstd data in a compressed record: " + e.getMessage());
        }
        if (decLim - decP > MAX_DECOMPRESSED) throw bad(recordOffset, "compressed records hold a record past " + (MAX_DECOMPRESSED >> 20) + " MB");
    }

    private static final int MAX_DECOMPRESSED = 64 << 20;

    private String decWhere(int at) {
        return " (byte " + (decBase + at) + " of the decompressed stream)";
    }

    private TraceFormatException bad(long at, String problem) {
        return new TraceFormatException(name, at, problem);
    }

    /** Handles one record at b[at..at+size); {@code where} is its file offset (or its COMPRESSED record's). */
    private void record(byte[] b, int at, int size, long where, byte in) {
        int type = Bytes.i32(b, at, big);
        switch (type) {
            case PerfDataReader.RECORD_SAMPLE -> sample(b, at, size, where, in);
            case PerfDataReader.RECORD_FINISHED_ROUND -> endRound();
            case PerfDataReader.RECORD_COMM, PerfDataReader.RECORD_FORK, PerfDataReader.RECORD_LOST,
                 PerfDataReader.RECORD_LOST_SAMPLES -> other(type, b, at, size, where, in);
            case PerfDataReader.RECORD_HEADER_ATTR, PerfDataReader.RECORD_HEADER_FEATURE -> { /* read at open (pipe mode) */ }
            default -> {
                if (type < 0 || (type > PerfDataReader.RECORD_KERNEL_MAX && type < PerfDataReader.RECORD_HEADER_ATTR)
                        || type > PerfDataReader.RECORD_USER_MAX) {
                    skipped.merge(type, 1L, Long::sum);
                }
            }
        }
    }

    private PerfAttr attrOf(long id, long where) {
        if (id == lastId && lastAttr != null) return lastAttr;
        int i = attrById.get(id);
        if (i < 0) throw bad(where, "record names unknown sample id " + id);
        lastId = id;
        return lastAttr = attrs[i];
    }

    private void sample(byte[] b, int at, int size, long where, byte in) {
        boolean inDec = in == IN_DEC;
        int endAt = at + size;
        PerfAttr a = single;
        if (a == null) {
            int idAt = at + 8 + 8 * sampleIdPos;
            if (idAt + 8 > endAt) throw bad(where, "sample of " + size + " bytes has no id" + (inDec ? decWhere(at) : ""));
            a = attrOf(Bytes.i64(b, idAt, big), where);
        }
        long st = a.sampleType;
        int q = at + 8;
        int sTid = -1, sCpu = 0;
        long time = -1;
        try {
            if ((st & PerfAttr.IDENTIFIER) != 0) q += 8;
            if ((st & PerfAttr.IP) != 0) q += 8;
            if ((st & PerfAttr.TID) != 0) { sTid = Bytes.i32(b, q + 4, big); q += 8; }
            if ((st & PerfAttr.TIME) != 0) { time = Bytes.i64(b, q, big); q += 8; }
            if ((st & PerfAttr.ADDR) != 0) q += 8;
            if ((st & PerfAttr.ID) != 0) q += 8;
            if ((st & PerfAttr.STREAM_ID) != 0) q += 8;
            if ((st & PerfAttr.CPU) != 0) { sCpu = Bytes.i32(b, q, big); q += 8; }
            if ((st & PerfAttr.PERIOD) != 0) q += 8;
            if ((st & PerfAttr.READ) != 0) q += a.readSize((a.readFormat & PerfAttr.FORMAT_GROUP) != 0 ? Bytes.i64(b, q, big) : 0);
            if ((st & PerfAttr.CALLCHAIN) != 0) {
                long nr = Bytes.i64(b, q, big);
                if (nr < 0 || nr > size) throw bad(where, "sample callchain of " + nr + " entries" + (inDec ? decWhere(at) : ""));
                q += 8 + 8 * (int) nr;
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw bad(where, "sample of " + size + " bytes is too short for its sample_type" + (inDec ? decWhere(at) : ""));
        }
        if (a.type != PerfAttr.TYPE_TRACEPOINT || (st & PerfAttr.RAW) == 0) return;  // not a tracepoint hit
        if (q + 4 > endAt) throw bad(where, "sample of " + size + " bytes ends before its raw data" + (inDec ? decWhere(at) : ""));
        int rawSize = Bytes.i32(b, q, big);
        int raw = q + 4;
        if (rawSize < 8 || rawSize > endAt - raw) {
            throw bad(where, "sample raw data of " + rawSize + " bytes in a record of " + size + (inDec ? decWhere(at) : ""));
        }
        EventFormat f = a.format;
        if (f == null) {
            int id = Bytes.u16(b, raw, big);
            f = r.formats.byId(id);
            if (f == null) throw bad(where, "sample of tracepoint id " + id + " that the tracing data has no format for" + (inDec ? decWhere(at) : ""));
            if (f.id == a.config) a.format = f;  // the usual case: the attribute names its tracepoint
        } else if (Bytes.u16(b, raw, big) != f.id) {
            EventFormat g = r.formats.byId(Bytes.u16(b, raw, big));
            if (g == null) throw bad(where, "sample of tracepoint id " + Bytes.u16(b, raw, big) + " that the tracing data has no format for");
            f = g;
        }
        if (time == -1) {
            event.set(b, raw, rawSize, 0, sCpu, f);
            immediate = event;
            return;
        }
        int i = add(SAMPLE, in, time, sCpu, sTid, raw, rawSize);
        fmt[i] = f;
    }

    /** COMM, FORK, LOST, LOST_SAMPLES: their time and CPU are in the sample_id trailer. */
    private void other(int type, byte[] b, int at, int size, long where, byte in) {
        boolean inDec = in == IN_DEC;
        int endAt = at + size;
        PerfAttr a = single;
        if (type == PerfDataReader.RECORD_LOST && size >= 24) {
            int i = attrById.get(Bytes.i64(b, at + 8, big));
            if (i >= 0) a = attrs[i];
        }
        if (a == null) {
            if (trailerIdPos < 0 || !attrs[0].sampleIdAll()) a = attrs[0];
            else {
                int idAt = endAt - 8 * trailerIdPos;
                if (idAt < at + 8) throw bad(where, "record of " + size + " bytes has no sample id" + (inDec ? decWhere(at) : ""));
                int i = attrById.get(Bytes.i64(b, idAt, big));
                a = i >= 0 ? attrs[i] : attrs[0];
            }
        }
        long time = -1;
        int tcpu = 0;
        if (a.sampleIdAll() && a.trailerSize <= size - 8) {
            int q = endAt - a.trailerSize;
            long st = a.sampleType;
            if ((st & PerfAttr.TID) != 0) q += 8;
            if ((st & PerfAttr.TIME) != 0) { time = Bytes.i64(b, q, big); q += 8; }
            if ((st & PerfAttr.ID) != 0) q += 8;
            if ((st & PerfAttr.STREAM_ID) != 0) q += 8;
            if ((st & PerfAttr.CPU) != 0) tcpu = Bytes.i32(b, q, big);
        }
        int body = size - 8 - (a.sampleIdAll() ? a.trailerSize : 0);
        switch (type) {
            case PerfDataReader.RECORD_COMM -> {
                if (body < 8) throw bad(where, "COMM record of " + size + " bytes" + (inDec ? decWhere(at) : ""));
                int ctid = Bytes.i32(b, at + 12, big);
                int s = at + 16, e = s;
                while (e < at + 8 + body && b[e] != 0) e++;
                if (time == -1) threads.put(ctid, new String(b, s, e - s, StandardCharsets.UTF_8));
                else add(COMM, in, time, tcpu, ctid, s, e - s);
            }
            case PerfDataReader.RECORD_FORK -> {
                if (body < 24) throw bad(where, "FORK record of " + size + " bytes" + (inDec ? decWhere(at) : ""));
                int child = Bytes.i32(b, at + 16, big), parent = Bytes.i32(b, at + 20, big);
                if (time == -1) threads.fork(child, parent);
                else aux[add(FORK, in, time, tcpu, child, at, 0)] = parent;
            }
            default -> {
                boolean lost = type == PerfDataReader.RECORD_LOST;
                if (body < (lost ? 16 : 8)) throw bad(where, "LOST record of " + size + " bytes" + (inDec ? decWhere(at) : ""));
                long count = Bytes.i64(b, at + (lost ? 16 : 8), big);
                if (time == -1) immediate = SimpleEvent.lost(0, tcpu, "", count);
                else aux[add(LOST, in, time, tcpu, -1, at, 0)] = count;
            }
        }
    }

    /** Queues a record whose {@code length} bytes are at {@code from} in buf or dec ({@code in}); returns its slot. */
    private int add(byte k, byte in, long time, int c, int t, int from, int length) {
        if (n == ts.length) makeRoom();
        int i = n++;
        kind[i] = (byte) (k | in);
        ts[i] = time;
        cpu[i] = c;
        tid[i] = t;
        off[i] = from;
        len[i] = length;
        fmt[i] = null;
        list(i, time, length);
        if (time < 0) hugeTimes = true;
        nWaiting++;
        queuedBytes += length;
        if (nWaiting == 1 || Long.compareUnsigned(time, maxTs) > 0) maxTs = time;
        if (queuedBytes > maxQueueBytes) flushHalf();
        return i;
    }

    /**
     * A FINISHED_ROUND: delivers what is due (perf's flush up to the newest time of the previous
     * round's end, {@link #flushGeneral} with limit nextFlush), and what was kept is due next.
     */
    private void endRound() {
        if (hugeTimes) {
            flushGeneral(nextFlush);
            nextFlush = maxTs;
            split();
            return;
        }
        // Below 2^63 signed and unsigned order agree: the due times sort as they are.
        // The kept entries are those past the limit (flushGeneral's blocked ones): everything due is
        // below the smallest of them and delivered, nothing kept is.
        if (nDue > 0) {
            if (order.length < nDue) growOrder(waiting.length);
            System.arraycopy(dueSlot, 0, order, 0, nDue);
            System.arraycopy(dueTs, 0, sorted, 0, nDue);
            readyPos = 0;
            readyEnd = nDue;
            if (nDue > 1) sortReady(nDue);
        }
        queuedBytes -= dueBytes;
        nWaiting -= nDue;
        int[] sl = dueSlot; dueSlot = keptSlot; keptSlot = sl;
        long[] tl = dueTs; dueTs = keptTs; keptTs = tl;
        nDue = nKept;
        dueBytes = keptBytes;
        nKept = 0;
        keptBytes = 0;
        // every kept time is <= maxTs, the new limit: all of them are due at the next round's end
        nextFlush = maxTs;
    }

    /** All waiting slots in arrival order into {@link #waiting}: the due and kept lists merged by slot. */
    private void gather() {
        int a = 0, b = 0, w = 0;
        while (a < nDue && b < nKept) waiting[w++] = dueSlot[a] < keptSlot[b] ? dueSlot[a++] : keptSlot[b++];
        while (a < nDue) waiting[w++] = dueSlot[a++];
        while (b < nKept) waiting[w++] = keptSlot[b++];
        nWaiting = w;
    }

    /** The due and kept lists again from {@link #waiting}, against the current nextFlush. */
    private void split() {
        nDue = nKept = 0;
        dueBytes = keptBytes = 0;
        for (int j = 0; j < nWaiting; j++) {
            int i = waiting[j];
            list(i, ts[i], len[i]);
        }
    }

    /** Appends slot i to the due list if its time is within nextFlush (unsigned, as perf compares), else to the kept one. */
    private void list(int i, long time, int length) {
        if (Long.compareUnsigned(time, nextFlush) <= 0) {
            dueSlot[nDue] = i;
            dueTs[nDue++] = time;
            dueBytes += length;
        } else {
            keptSlot[nKept] = i;
            keptTs[nKept++] = time;
            keptBytes += length;
        }
    }

    /**
     * All slots used: the waiting entries move to the front (their slots ascend with arrival, so
     * in place), or the arrays grow when more than half of them wait. Only while nothing is
     * being delivered.
     */
    private void makeRoom() {
        gather();
        if (nWaiting <= ts.length / 2) {
            for (int j = 0; j < nWaiting; j++) {
                int i = waiting[j];
                if (i != j) {
                    ts[j] = ts[i]; aux[j] = aux[i]; off[j] = off[i]; len[j] = len[i];
                    cpu[j] = cpu[i]; tid[j] = tid[i]; kind[j] = kind[i]; fmt[j] = fmt[i];
                }
                waiting[j] = j;
            }
            n = nWaiting;
            split();
            return;
        }
        int m = ts.length * 2;
        ts = Arrays.copyOf(ts, m);
        aux = Arrays.copyOf(aux, m);
        off = Arrays.copyOf(off, m);
        len = Arrays.copyOf(len, m);
        cpu = Arrays.copyOf(cpu, m);
        tid = Arrays.copyOf(tid, m);
        kind = Arrays.copyOf(kind, m);
        fmt = Arrays.copyOf(fmt, m);
        waiting = Arrays.copyOf(waiting, m);
        dueSlot = Arrays.copyOf(dueSlot, m);
        keptSlot = Arrays.copyOf(keptSlot, m);
        dueTs = Arrays.copyOf(dueTs, m);
        keptTs = Arrays.copyOf(keptTs, m);
    }

    /**
     * Copies the bytes of the queued entries that are in buf or dec ({@code in}) to the arena,
     * before that buffer slides. Called only while nothing is being delivered: every entry waits.
     */
    private void evacuate(byte in) {
        gather();
        long need = 0;
        for (int j = 0; j < nWaiting; j++) {
            int i = waiting[j];
            if ((kind[i] & WHERE) == in) need += len[i];
        }
        if (need == 0) return;
        if (arenaUsed + need > arena.length) {
            // keep only the arena's waiting entries, packed, in a buffer with room for the newcomers
            long live = 0;
            for (int j = 0; j < nWaiting; j++) {
                int i = waiting[j];
                if ((kind[i] & WHERE) == IN_ARENA) live += len[i];
            }
            long want = live + need;
            byte[] to = arena2.length >= want && arena2.length <= 4 * want + (1 << 20) ? arena2
                    : new byte[(int) Math.min(Integer.MAX_VALUE - 16, Math.max(1 << 20, want + want / 2))];
            int used = 0;
            for (int j = 0; j < nWaiting; j++) {
                int i = waiting[j];
                if ((kind[i] & WHERE) != IN_ARENA) continue;
                System.arraycopy(arena, off[i], to, used, len[i]);
                off[i] = used;
                used += len[i];
            }
            arena2 = arena;
            arena = to;
            arenaUsed = used;
        }
        byte[] from = in == IN_BUF ? buf : dec;
        for (int j = 0; j < nWaiting; j++) {
            int i = waiting[j];
            if ((kind[i] & WHERE) != in) continue;
            System.arraycopy(from, off[i], arena, arenaUsed, len[i]);
            off[i] = arenaUsed;
            arenaUsed += len[i];
            kind[i] = (byte) ((kind[i] & KIND) | IN_ARENA);
        }
    }

    // ---------------------------------------------------------------- ordering and delivery

    /**
     * Delivers, in (time, arrival) order, the waiting entries up to the first whose time exceeds
     * {@code limit}: those whose time is below the smallest such time m. Times compare unsigned,
     * as perf's u64 timestamps do. The rest keep waiting, in arrival order in {@link #waiting}; the
     * caller splits them into due and kept against the nextFlush that follows. Only what is
     * delivered is sorted.
     */
    private void flushGeneral(long limit) {
        gather();
        if (nWaiting == 0) return;
        long m = -1L;
        boolean blocked = false;
        int[] w = waiting;
        long[] t = ts;
        for (int j = 0; j < nWaiting; j++) {
            long v = t[w[j]];
            if (Long.compareUnsigned(v, limit) > 0 && (!blocked || Long.compareUnsigned(v, m) < 0)) {
                m = v;
                blocked = true;
            }
        }
        if (order.length < nWaiting) growOrder(waiting.length);
        int[] o = order;
        long[] s = sorted;
        int d = 0, kept = 0;
        long bytes = 0;
        for (int j = 0; j < nWaiting; j++) {
            int i = w[j];
            long v = t[i];
            if (!blocked || Long.compareUnsigned(v, m) < 0) {
                o[d] = i;
                s[d++] = v ^ Long.MIN_VALUE;   // sortReady compares signed: flipped, that is unsigned order
                bytes += len[i];
            } else {
                w[kept++] = i;
            }
        }
        nWaiting = kept;
        queuedBytes -= bytes;
        readyPos = 0;
        readyEnd = d;
        if (d > 1) sortReady(d);
    }

    private void growOrder(int c) {
        order = new int[c];
        tmp = new int[c];
        sorted = new long[c];
        sortedTmp = new long[c];
    }

    private void flushHalf() {
        long min = -1L;
        for (int j = 0; j < nDue; j++) if (Long.compareUnsigned(dueTs[j], min) < 0) min = dueTs[j];
        for (int j = 0; j < nKept; j++) if (Long.compareUnsigned(keptTs[j], min) < 0) min = keptTs[j];
        flushGeneral(min + ((maxTs - min) >>> 1));
        split();
    }

    /**
     * Sorts order[0..n) by sorted[0..n) (the slots' time keys, signed), stably: a natural merge sort, as each
     * CPU's records come in runs. The times move with the slots so that merging reads them in sequence.
     */
    private void sortReady(int n) {
        long[] s = sorted;
        int nr = 0;
        runs[nr++] = 0;
        for (int i = 1; i < n; i++) {
            if (s[i] < s[i - 1]) {
                if (nr == runs.length) runs = Arrays.copyOf(runs, nr * 2);
                runs[nr++] = i;
            }
        }
        if (nr == 1) return;
        if (nr == runs.length) runs = Arrays.copyOf(runs, nr + 1);
        runs[nr] = n;
        int[] src = order, dst = tmp;
        long[] ks = sorted, kd = sortedTmp;
        while (nr > 1) {
            int w = 0;
            for (int r0 = 0; r0 < nr; r0 += 2) {
                int a = runs[r0], m = runs[r0 + 1];
                if (r0 + 1 >= nr) {
                    System.arraycopy(src, a, dst, a, m - a);
                    System.arraycopy(ks, a, kd, a, m - a);
                    runs[w++] = a;
                    continue;
                }
                int e = runs[r0 + 2];
                int i = a, j = m, out = a;
                while (i < m && j < e) {
                    long x = ks[i], y = ks[j];
                    if (y < x) { kd[out] = y; dst[out++] = src[j++]; }
                    else { kd[out] = x; dst[out++] = src[i++]; }
                }
                if (i < m) { System.arraycopy(src, i, dst, out, m - i); System.arraycopy(ks, i, kd, out, m - i); }
                else if (j < e) { System.arraycopy(src, j, dst, out, e - j); System.arraycopy(ks, j, kd, out, e - j); }
                runs[w++] = a;
            }
            runs[w] = n;
            nr = w;
            int[] ti = src; src = dst; dst = ti;
            long[] tk = ks; ks = kd; kd = tk;
        }
        order = src;
        tmp = dst;
        sorted = ks;
        sortedTmp = kd;
    }

    /** Applies or returns entry i; true when it set {@link #current}. */
    private boolean deliver(int i) {
        byte k = kind[i];
        switch (k & KIND) {
            case SAMPLE -> {
                event.set(bytesOf(k), off[i], len[i], ts[i], cpu[i], fmt[i]);
                current = event;
                return true;
            }
            case LOST -> {
                current = SimpleEvent.lost(ts[i], cpu[i], "", aux[i]);
                return true;
            }
            case COMM -> threads.put(tid[i], new String(bytesOf(k), off[i], len[i], StandardCharsets.UTF_8));
            default -> threads.fork(tid[i], (int) aux[i]);
        }
        return false;
    }

    private byte[] bytesOf(byte k) {
        int w = k & WHERE;
        return w == IN_BUF ? buf : w == IN_DEC ? dec : arena;
    }

    /** After a delivery: the delivered slots are free once the arrays fill up (makeRoom). */
    private void keepUndelivered() {
        readyPos = readyEnd = 0;
        if (nWaiting == 0) {
            n = 0;
            arenaUsed = 0;
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Thread names as perf keeps them: set by COMM, inherited on FORK, ":tid" when never named. */
    static final class ThreadNames {
        private final Map<Integer, String> names = new java.util.HashMap<>();
        private int lastTid = Integer.MIN_VALUE;
        private String lastName;

        void put(int tid, String comm) {
            names.put(tid, comm);
            if (tid == lastTid) lastName = comm;
        }

        void fork(int child, int parent) {
            String p = names.get(parent);
            if (p != null) put(child, p);
            else {
                names.remove(child);
                if (child == lastTid) lastTid = Integer.MIN_VALUE;
            }
        }

        String comm(int tid) {
            if (tid == lastTid) return lastName;
            String c = names.get(tid);
            if (c == null) c = tid == 0 ? "swapper" : ":" + tid;
            lastTid = tid;
            lastName = c;
            return c;
        }
    }

    /** long -> int, open addressing; -1 when absent. Sample ids are looked up once per record. */
    static final class LongIntMap {
        private long[] keys = new long[64];
        private int[] vals = new int[64];
        private boolean[] used = new boolean[64];
        private int size;

        void put(long k, int v) {
            if (size * 2 >= keys.length) rehash();
            int i = slot(k);
            if (!used[i]) { used[i] = true; keys[i] = k; size++; }
            vals[i] = v;
        }

        int get(long k) {
            int i = slot(k);
            return used[i] ? vals[i] : -1;
        }

        private int slot(long k) {
            int mask = keys.length - 1;
            int i = (int) (k * 0x9E3779B97F4A7C15L >>> 40) & mask;
            while (used[i] && keys[i] != k) i = (i + 1) & mask;
            return i;
        }

        private void rehash() {
            long[] ok = keys; int[] ov = vals; boolean[] ou = used;
            keys = new long[ok.length * 2]; vals = new int[ok.length * 2]; used = new boolean[ok.length * 2];
            size = 0;
            for (int i = 0; i < ok.length; i++) if (ou[i]) put(ok[i], ov[i]);
        }
    }
}
