package io.exitscope.testutil;

import io.exitscope.event.EventFormat;
import io.exitscope.event.EventFormats;
import io.exitscope.event.FieldFormat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Rewrites a little-endian file-mode perf.data as the big-endian file the same recording gives on
 * a big-endian host (s390x): every header, attribute, id, record and feature word byte-swapped,
 * the attribute flag bitfield laid out from the top bit as a big-endian compiler does, each
 * tracepoint payload swapped field by field from its format, the tracing data rewritten with
 * endianness byte 1. Keeps SAMPLE, COMM, FORK, LOST and FINISHED_ROUND records and the HOSTNAME,
 * OSRELEASE, VERSION, ARCH, NRCPUS, CMDLINE and TRACING_DATA features; drops the rest (MMAP
 * records, BUILD_ID, topology: nothing exitscope reads). For tests of the big-endian paths.
 */
public final class PerfDataByteSwap {
    private PerfDataByteSwap() {}

    /** perf_event_attr field widths in order; -8 is the flags bitfield word. */
    private static final int[] ATTR = {4, 4, 8, 8, 8, 8, -8, 4, 4, 8, 8, 8, 8, 4, 4, 8, 4, 2, 2, 4, 4, 8, 8};

    public static void toBigEndian(Path in, Path out, EventFormats formats) throws IOException {
        ByteBuffer s = ByteBuffer.wrap(Files.readAllBytes(in)).order(ByteOrder.LITTLE_ENDIAN);
        if (s.getLong(8) != 104) throw new IOException("file-mode perf.data only");
        long attrSize = s.getLong(16), attrsOff = s.getLong(24), attrsSize = s.getLong(32);
        int dataOff = (int) s.getLong(40), dataSize = (int) s.getLong(48);
        long sampleType = s.getLong((int) attrsOff + 24);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(new byte[104]);
        // ids, then attributes pointing at them
        int nAttrs = (int) (attrsSize / attrSize);
        long[] idsAt = new long[nAttrs];
        for (int a = 0; a < nAttrs; a++) {
            int e = (int) (attrsOff + a * attrSize);
            long off = s.getLong(e + (int) attrSize - 16), size = s.getLong(e + (int) attrSize - 8);
            idsAt[a] = o.size();
            for (long k = 0; k < size; k += 8) o.write(be64(s.getLong((int) (off + k))));
        }
        long newAttrs = o.size();
        for (int a = 0; a < nAttrs; a++) {
            int e = (int) (attrsOff + a * attrSize);
            o.write(attr(s, e, (int) attrSize - 16));
            o.write(be64(idsAt[a]));
            o.write(be64(s.getLong(e + (int) attrSize - 8)));
        }
        long newData = o.size();
        for (int p = dataOff; p < dataOff + dataSize; ) {
            int type = s.getInt(p), size = s.getShort(p + 6) & 0xffff;
            byte[] r = record(s, p, type, size, sampleType, formats);
            if (r != null) o.write(r);
            p += size;
        }
        long newDataSize = o.size() - newData;
        // features
        long[] bitmap = new long[4];
        for (int i = 0; i < 4; i++) bitmap[i] = s.getLong(72 + 8 * i);
        int table = dataOff + dataSize, k = 0;
        long[] keep = new long[4];
        ByteArrayOutputStream feats = new ByteArrayOutputStream();
        java.util.List<long[]> sections = new java.util.ArrayList<>();
        for (int bit = 0; bit < 256; bit++) {
            if ((bitmap[bit / 64] & (1L << (bit % 64))) == 0) continue;
            int off = (int) s.getLong(table + 16 * k), size = (int) s.getLong(table + 16 * k + 8);
            k++;
            byte[] f = feature(s, bit, off, size);
            if (f == null) continue;
            keep[bit / 64] |= 1L << (bit % 64);
            sections.add(new long[]{feats.size(), f.length});
            feats.write(f);
        }
        long tableAt = o.size(), featsAt = tableAt + 16L * sections.size();
        for (long[] sec : sections) { o.write(be64(featsAt + sec[0])); o.write(be64(sec[1])); }
        o.write(feats.toByteArray());
        byte[] d = o.toByteArray();
        ByteBuffer h = ByteBuffer.wrap(d).order(ByteOrder.BIG_ENDIAN);
        h.putLong(0, 0x32454c4946524550L).putLong(8, 104).putLong(16, attrSize).putLong(24, newAttrs).putLong(32, attrsSize)
                .putLong(40, newData).putLong(48, newDataSize);
        for (int i = 0; i < 4; i++) h.putLong(72 + 8 * i, keep[i]);
        Files.write(out, d);
    }

    private static byte[] attr(ByteBuffer s, int at, int size) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.BIG_ENDIAN);
        int p = 0;
        for (int w : ATTR) {
            if (p >= size) break;
            switch (w) {
                case 2 -> b.putShort(p, s.getShort(at + p));
                case 4 -> b.putInt(p, s.getInt(at + p));
                case 8 -> b.putLong(p, s.getLong(at + p));
                default -> b.putLong(p, Long.reverse(s.getLong(at + p)));
            }
            p += Math.abs(w);
        }
        return b.array();
    }

    private static byte[] record(ByteBuffer s, int p, int type, int size, long st, EventFormats formats) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.BIG_ENDIAN);
        b.putInt(0, type).putShort(4, s.getShort(p + 4)).putShort(6, (short) size);
        switch (type) {
            case 9 -> {
                int q = 8;
                for (long bit : new long[]{1L << 16, 1, 2, 4, 8, 1L << 6, 1L << 9, 1L << 7, 1L << 8}) {
                    if ((st & bit) == 0) continue;
                    if (bit == 2 || bit == (1L << 7)) { b.putInt(q, s.getInt(p + q)); b.putInt(q + 4, s.getInt(p + q + 4)); }
                    else b.putLong(q, s.getLong(p + q));
                    q += 8;
                }
                if ((st & ~((1L << 11) - 1) & ~(1L << 16)) != 0 || (st & ((1L << 4) | (1L << 5))) != 0) throw new IllegalArgumentException("sample_type");
                int raw = s.getInt(p + q);
                b.putInt(q, raw);
                swapPayload(s, p + q + 4, b, q + 4, raw, formats);
            }
            case 3, 7, 2, 13 -> {
                // leading u32/u64 words, then (COMM) the name, then the sample_id trailer: swap word by word
                // where the layout is known, copy text as it is
                for (int q = 8; q < size; q += 4) b.putInt(q, s.getInt(p + q));
                if (type == 3) {
                    int e = 16;
                    while (e < size && s.get(p + e) != 0) e++;
                    int textEnd = (e + 8) & ~7;  // NUL-padded to 8
                    for (int q = 16; q < Math.min(textEnd, size); q++) b.put(q, s.get(p + q));
                    swapTrailer(s, p, b, textEnd, size);
                } else {
                    int words = type == 7 ? 24 : type == 2 ? 16 : 8;  // FORK: 4 u32 + u64 time; LOST: 2 u64; LOST_SAMPLES: 1 u64
                    for (int q = 8; q < 8 + words; q += 8) {
                        if (type == 7 && q < 24) { b.putInt(q, s.getInt(p + q)); b.putInt(q + 4, s.getInt(p + q + 4)); }
                        else b.putLong(q, s.getLong(p + q));
                    }
                    swapTrailer(s, p, b, 8 + words, size);
                }
            }
            case 68 -> { }
            default -> { return null; }
        }
        return b.array();
    }

    /** sample_id trailer with TID, TIME, CPU, IDENTIFIER (what perf record -a writes). */
    private static void swapTrailer(ByteBuffer s, int p, ByteBuffer b, int from, int size) {
        for (int q = from; q < size; q += 8) {
            int fromEnd = size - q;  // 32: TID pair, 24: TIME, 16: CPU pair, 8: IDENTIFIER
            if (fromEnd == 32 || fromEnd == 16) { b.putInt(q, s.getInt(p + q)); b.putInt(q + 4, s.getInt(p + q + 4)); }
            else b.putLong(q, s.getLong(p + q));
        }
    }

    private static void swapPayload(ByteBuffer s, int at, ByteBuffer b, int to, int len, EventFormats formats) {
        for (int i = 0; i < len; i++) b.put(to + i, s.get(at + i));
        EventFormat f = formats.byId(s.getShort(at) & 0xffff);
        for (FieldFormat ff : f.fields) {
            if (ff.offset + ff.size > len) continue;
            int es = ff.isDynamic() ? ff.size : ff.isArray() ? (ff.arrayLength > 0 ? ff.size / ff.arrayLength : 1) : ff.size;
            for (int e = 0; e + es <= ff.size; e += es) {
                int x = ff.offset + e;
                switch (es) {
                    case 2 -> b.putShort(to + x, s.getShort(at + x));
                    case 4 -> b.putInt(to + x, s.getInt(at + x));
                    case 8 -> b.putLong(to + x, s.getLong(at + x));
                    default -> { }
                }
            }
        }
    }

    private static byte[] feature(ByteBuffer s, int bit, int off, int size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.BIG_ENDIAN);
        switch (bit) {
            case 3, 4, 5, 6 -> { b.putInt(0, s.getInt(off)); for (int i = 4; i < size; i++) b.put(i, s.get(off + i)); }
            case 7 -> { b.putInt(0, s.getInt(off)); b.putInt(4, s.getInt(off + 4)); }
            case 11 -> {
                int n = s.getInt(off), q = 4;
                b.putInt(0, n);
                for (int i = 0; i < n; i++) {
                    int len = s.getInt(off + q);
                    b.putInt(q, len);
                    for (int j = 0; j < len; j++) b.put(q + 4 + j, s.get(off + q + 4 + j));
                    q += 4 + len;
                }
            }
            case 1 -> { return tracingData(s, off); }
            default -> { return null; }
        }
        return b.array();
    }

    private static byte[] tracingData(ByteBuffer s, int p) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int q = p + 10;
        while (s.get(q) != 0) q++;
        q++;
        o.write(s.array(), p, q - p);          // magic, version
        o.write(1);                              // big endian
        o.write(s.get(q + 1));                   // long size
        o.write(be32(s.getInt(q + 2)));          // page size
        q += 6;
        for (int i = 0; i < 2; i++) {            // header_page, header_event
            int e = q;
            while (s.get(e) != 0) e++;
            o.write(s.array(), q, e + 1 - q);
            long n = s.getLong(e + 1);
            o.write(be64(n));
            o.write(s.array(), e + 9, (int) n);
            q = e + 9 + (int) n;
        }
        q = formats(s, q, o);                    // ftrace
        int systems = s.getInt(q);
        o.write(be32(systems));
        q += 4;
        for (int i = 0; i < systems; i++) {
            int e = q;
            while (s.get(e) != 0) e++;
            o.write(s.array(), q, e + 1 - q);
            q = formats(s, e + 1, o);
        }
        for (int i = 0; i < 2; i++) {            // kallsyms, printk
            int n = s.getInt(q);
            o.write(be32(n));
            o.write(s.array(), q + 4, n);
            q += 4 + n;
        }
        long n = s.getLong(q);                   // cmdlines
        o.write(be64(n));
        o.write(s.array(), q + 8, (int) n);
        return o.toByteArray();
    }

    private static int formats(ByteBuffer s, int q, ByteArrayOutputStream o) throws IOException {
        int n = s.getInt(q);
        o.write(be32(n));
        q += 4;
        for (int i = 0; i < n; i++) {
            long size = s.getLong(q);
            o.write(be64(size));
            o.write(s.array(), q + 8, (int) size);
            q += 8 + (int) size;
        }
        return q;
    }

    private static byte[] be64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putLong(v).array();
    }

    private static byte[] be32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(v).array();
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
