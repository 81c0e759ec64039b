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

    private static final byte SAMPLE = 0, LOST = 1, COMM = 2, FORK = 3;

    private final PerfDataReader r;
    private final String name;
    private final boolean big;
    private final PerfAttr single;
    private final LongIntMap attrById = new LongIntMap();
    private final PerfAttr[] attrs;
    private final int sampleIdPos, trailerIdPos;

    // input: a window over the file
    private byte[] buf = new byte[1 << 20];
    private long bufStart;
    private int p, lim;
    private final long end;

    // decompressed records (perf record -z)
    private ZstdRecordStream zstd;
    private byte[] dec = new byte[1 << 20];
    private int decP, decLim;
    private long decRecordOffset;   // file offset of the COMPRESSED record that fed dec
    private long decBase;           // decompressed bytes before dec[0], for error messages

    // the queue: parallel arrays, in arrival order (or sorted order after a flush)
    private int n;
    private long[] ts = new long[4096];
    private long[] aux = new long[4096];
    private int[] off = new int[4096], len = new int[4096], cpu = new int[4096], tid = new int[4096];
    private byte[] kind = new byte[4096];
    private EventFormat[] fmt = new EventFormat[4096];
    private byte[] arena = new byte[1 << 20];
    private int arenaUsed;
    private long maxTs, nextFlush;
    private int[] order = new int[4096], tmp = new int[4096];
    private int readyPos, readyEnd;   // order[readyPos..readyEnd) are being delivered

    private boolean eof;
    private Event current;
    private final RawEvent event;
    private Event immediate;
    private final ThreadNames threads = new ThreadNames();
    private final Map<Integer, Long> skipped = new TreeMap<>();

    PerfEventStream(PerfDataReader r) {
        this.r = r;
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
                    record(dec, decP, size, decRecordOffset, true);
                    decP += size;
                    continue;
                }
            }
            long at = bufStart + p;
            if (!ensure(8)) {
                if (at < end) throw bad(at, "file ends inside a record header (" + (end - at) + " bytes left)");
                if (decLim > decP) throw bad(decRecordOffset, "compressed data ends inside a record" + decWhere(decP));
                eof = true;
                flush(Long.MAX_VALUE);
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
                    record(buf, p, size, at, false);
                    p += size;
                }
            }
        }
    }

    /** Makes {@code k} bytes of the data section available at buf[p]; false if fewer remain. */
    private boolean ensure(int k) throws IOException {
        if (lim - p >= k) return true;
        if (p > 0) {
            System.arraycopy(buf, p, buf, 0, lim - p);
            bufStart += p;
            lim -= p;
            p = 0;
        }
        if (k > buf.length) buf = Arrays.copyOf(buf, Math.max(k, buf.length * 2));
        while (lim < buf.length && bufStart + lim < end) {
            int want = (int) Math.min(buf.length - lim, end - bufStart - lim);
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
        // keep the undelivered tail of the previous output at the front
        if (decP > 0) {
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
        if (decLim > MAX_DECOMPRESSED) throw bad(recordOffset, "compressed records hold a record past " + (MAX_DECOMPRESSED >> 20) + " MB");
    }

    private static final int MAX_DECOMPRESSED = 64 << 20;

    private String decWhere(int at) {
        return " (byte " + (decBase + at) + " of the decompressed stream)";
    }

    private TraceFormatException bad(long at, String problem) {
        return new TraceFormatException(name, at, problem);
    }

    /** Handles one record at b[at..at+size); {@code where} is its file offset (or its COMPRESSED record's). */
    private void record(byte[] b, int at, int size, long where, boolean inDec) {
        int type = Bytes.i32(b, at, big);
        switch (type) {
            case PerfDataReader.RECORD_SAMPLE -> sample(b, at, size, where, inDec);
            case PerfDataReader.RECORD_FINISHED_ROUND -> {
                flush(nextFlush);
                nextFlush = maxTs;
            }
            case PerfDataReader.RECORD_COMM, PerfDataReader.RECORD_FORK, PerfDataReader.RECORD_LOST,
                 PerfDataReader.RECORD_LOST_SAMPLES -> other(type, b, at, size, where, inDec);
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
        int i = attrById.get(id);
        if (i < 0) throw bad(where, "record names unknown sample id " + id);
        return attrs[i];
    }

    private void sample(byte[] b, int at, int size, long where, boolean inDec) {
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
        int i = add(SAMPLE, time, sCpu, sTid, b, raw, rawSize);
        fmt[i] = f;
    }

    /** COMM, FORK, LOST, LOST_SAMPLES: their time and CPU are in the sample_id trailer. */
    private void other(int type, byte[] b, int at, int size, long where, boolean inDec) {
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
                else add(COMM, time, tcpu, ctid, b, s, e - s);
            }
            case PerfDataReader.RECORD_FORK -> {
                if (body < 24) throw bad(where, "FORK record of " + size + " bytes" + (inDec ? decWhere(at) : ""));
                int child = Bytes.i32(b, at + 16, big), parent = Bytes.i32(b, at + 20, big);
                if (time == -1) threads.fork(child, parent);
                else aux[add(FORK, time, tcpu, child, b, at, 0)] = parent;
            }
            default -> {
                boolean lost = type == PerfDataReader.RECORD_LOST;
                if (body < (lost ? 16 : 8)) throw bad(where, "LOST record of " + size + " bytes" + (inDec ? decWhere(at) : ""));
                long count = Bytes.i64(b, at + (lost ? 16 : 8), big);
                if (time == -1) immediate = SimpleEvent.lost(0, tcpu, "", count);
                else aux[add(LOST, time, tcpu, -1, b, at, 0)] = count;
            }
        }
    }

    /** Queues a record, copying {@code length} bytes from b[from]; returns its index. */
    private int add(byte k, long time, int c, int t, byte[] b, int from, int length) {
        if (n == ts.length) growEntries();
        if (arenaUsed + length > arena.length) arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaUsed + length));
        System.arraycopy(b, from, arena, arenaUsed, length);
        int i = n++;
        kind[i] = k;
        ts[i] = time;
        cpu[i] = c;
        tid[i] = t;
        off[i] = arenaUsed;
        len[i] = length;
        fmt[i] = null;
        arenaUsed += length;
        if (i == 0 || time > maxTs) maxTs = time;
        if (arenaUsed > MAX_QUEUE_BYTES) flushHalf();
        return i;
    }

    private void growEntries() {
        int m = ts.length * 2;
        ts = Arrays.copyOf(ts, m);
        aux = Arrays.copyOf(aux, m);
        off = Arrays.copyOf(off, m);
        len = Arrays.copyOf(len, m);
        cpu = Arrays.copyOf(cpu, m);
        tid = Arrays.copyOf(tid, m);
        kind = Arrays.copyOf(kind, m);
        fmt = Arrays.copyOf(fmt, m);
    }

    // ---------------------------------------------------------------- ordering and delivery

    /** Sorts the queue by time (stable) and marks the entries with time <= limit for delivery. */
    private void flush(long limit) {
        if (n == 0) return;
        sortQueue();
        int k = 0;
        while (k < n && Long.compareUnsigned(ts[order[k]], limit) <= 0) k++;
        readyPos = 0;
        readyEnd = k;
        if (k == 0) readyEnd = 0;
    }

    private void flushHalf() {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) min = Math.min(min, ts[i]);
        flush(min + (maxTs - min) / 2);
    }

    /** order[0..n) = queue indices by (time, arrival): a natural merge sort, as each CPU's records come in runs. */
    private void sortQueue() {
        if (order.length < n) {
            order = new int[ts.length];
            tmp = new int[ts.length];
        }
        for (int i = 0; i < n; i++) order[i] = i;
        // run boundaries
        int[] runs = new int[16];
        int nr = 0;
        runs[nr++] = 0;
        for (int i = 1; i < n; i++) {
            if (ts[i] < ts[i - 1]) {
                if (nr == runs.length) runs = Arrays.copyOf(runs, nr * 2);
                runs[nr++] = i;
            }
        }
        if (nr == 1) return;
        if (nr == runs.length) runs = Arrays.copyOf(runs, nr + 1);
        runs[nr] = n;
        int[] src = order, dst = tmp;
        while (nr > 1) {
            int w = 0;
            for (int r0 = 0; r0 < nr; r0 += 2) {
                int a = runs[r0], m = runs[r0 + 1], e = r0 + 2 <= nr ? runs[Math.min(r0 + 2, nr)] : m;
                if (r0 + 1 >= nr) { System.arraycopy(src, a, dst, a, m - a); runs[w++] = a; continue; }
                int i = a, j = m, o = a;
                while (i < m && j < e) dst[o++] = ts[src[j]] < ts[src[i]] ? src[j++] : src[i++];
                while (i < m) dst[o++] = src[i++];
                while (j < e) dst[o++] = src[j++];
                runs[w++] = a;
            }
            runs[w] = n;
            nr = w;
            int[] t = src; src = dst; dst = t;
        }
        if (src != order) System.arraycopy(src, 0, order, 0, n);
    }

    /** Applies or returns entry i; true when it set {@link #current}. */
    private boolean deliver(int i) {
        switch (kind[i]) {
            case SAMPLE -> {
                event.set(arena, off[i], len[i], ts[i], cpu[i], fmt[i]);
                current = event;
                return true;
            }
            case LOST -> {
                current = SimpleEvent.lost(ts[i], cpu[i], "", aux[i]);
                return true;
            }
            case COMM -> threads.put(tid[i], new String(arena, off[i], len[i], StandardCharsets.UTF_8));
            default -> threads.fork(tid[i], (int) aux[i]);
        }
        return false;
    }

    /** After a delivery: the entries not delivered (order[readyEnd..n), in time order) become the queue. */
    private void keepUndelivered() {
        int keep = n - readyEnd;
        if (keep == 0) {
            n = 0;
            arenaUsed = 0;
        } else {
            long[] ts2 = new long[ts.length], aux2 = new long[ts.length];
            int[] off2 = new int[ts.length], len2 = new int[ts.length], cpu2 = new int[ts.length], tid2 = new int[ts.length];
            byte[] kind2 = new byte[ts.length];
            EventFormat[] fmt2 = new EventFormat[ts.length];
            byte[] arena2 = new byte[arena.length];
            int used = 0;
            for (int k = 0; k < keep; k++) {
                int i = order[readyEnd + k];
                ts2[k] = ts[i]; aux2[k] = aux[i]; cpu2[k] = cpu[i]; tid2[k] = tid[i]; kind2[k] = kind[i]; fmt2[k] = fmt[i];
                System.arraycopy(arena, off[i], arena2, used, len[i]);
                off2[k] = used;
                len2[k] = len[i];
                used += len[i];
            }
            ts = ts2; aux = aux2; off = off2; len = len2; cpu = cpu2; tid = tid2; kind = kind2; fmt = fmt2; arena = arena2;
            n = keep;
            arenaUsed = used;
        }
        readyPos = readyEnd = 0;
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
