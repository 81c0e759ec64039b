package io.exitscope.source.perfdata;

import io.airlift.compress.zstd.ZstdIncrementalFrameDecompressor;

import java.lang.reflect.Field;
import java.util.Arrays;

/**
 * The zstd stream inside the {@code PERF_RECORD_COMPRESSED} records of {@code perf record -z}.
 *
 * <p>perf compresses with ZSTD_compressStream + ZSTD_flushStream and never ends the frame
 * (tools/perf/util/zstd.c): every record ends on a block boundary, and perf's reader hands on
 * all that the blocks so far decode to. aircompressor's incremental decoder, the project's zstd,
 * decodes the blocks but keeps the last window's worth of output (up to 8 MB) until the frame ends,
 * for a frame that never ends: that tail is read from its window here. This reads three private
 * fields of aircompressor 0.27 (pinned in pom.xml); {@link #available()} says at construction
 * whether they are there, and a perf -z file is refused with a clear message if not.
 */
final class ZstdRecordStream {
    private static final Field WINDOW_BASE, WINDOW_ADDRESS, WINDOW_POSITION;
    @SuppressWarnings("removal")
    private static final long BYTE_BASE = sun.misc.Unsafe.ARRAY_BYTE_BASE_OFFSET;

    static {
        Field b = null, a = null, p = null;
        try {
            b = ZstdIncrementalFrameDecompressor.class.getDeclaredField("windowBase");
            a = ZstdIncrementalFrameDecompressor.class.getDeclaredField("windowAddress");
            p = ZstdIncrementalFrameDecompressor.class.getDeclaredField("windowPosition");
            b.setAccessible(true);
            a.setAccessible(true);
            p.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            b = a = p = null;
        }
        WINDOW_BASE = b;
        WINDOW_ADDRESS = a;
        WINDOW_POSITION = p;
    }

    static boolean available() {
        return WINDOW_BASE != null;
    }

    private final ZstdIncrementalFrameDecompressor zstd = new ZstdIncrementalFrameDecompressor();
    private byte[] in = new byte[1 << 16];
    private int inP, inLim;
    private byte[] scratch = new byte[1 << 17];
    /** Stream bytes the decoder has released, and stream bytes handed out (released or read from its window). */
    private long released, handedOut;

    /** Appends to {@code out} (from {@code outLim}) all the data that the stream so far decodes to; returns the new limit. */
    Out feed(byte[] src, int from, int len, byte[] out, int outLim) {
        if (!available()) throw new IllegalStateException("this aircompressor version hides its zstd window; perf -z files cannot be read");
        if (inLim - inP + len > in.length) {
            byte[] z = new byte[Math.max(in.length * 2, inLim - inP + len)];
            System.arraycopy(in, inP, z, 0, inLim - inP);
            in = z;
        } else if (inP > 0) {
            System.arraycopy(in, inP, in, 0, inLim - inP);
        }
        inLim -= inP;
        inP = 0;
        System.arraycopy(src, from, in, inLim, len);
        inLim += len;
        while (inLim - inP >= zstd.getInputRequired()) {
            int need = Math.max(1 << 17, zstd.getRequestedOutputSize());
            if (scratch.length < need) scratch = new byte[need];
            zstd.partialDecompress(in, BYTE_BASE + inP, BYTE_BASE + inLim, scratch, 0, scratch.length);
            int used = zstd.getInputConsumed(), k = zstd.getOutputBufferUsed();
            inP += used;
            if (k > 0) {
                long start = released;
                released += k;
                int skip = (int) Math.min(k, Math.max(0, handedOut - start));
                if (k > skip) {
                    out = ensure(out, outLim, k - skip);
                    System.arraycopy(scratch, skip, out, outLim, k - skip);
                    outLim += k - skip;
                    handedOut += k - skip;
                }
            }
            if (used == 0 && k == 0) break;
        }
        // what the decoder holds back: window bytes [windowAddress, windowPosition) are stream bytes from `released`
        try {
            byte[] w = (byte[]) WINDOW_BASE.get(zstd);
            long wa = WINDOW_ADDRESS.getLong(zstd), wp = WINDOW_POSITION.getLong(zstd);
            long held = wp - wa;
            long fresh = released + held - handedOut;
            if (fresh > 0) {
                int at = (int) (wa - BYTE_BASE + (handedOut - released));
                out = ensure(out, outLim, (int) fresh);
                System.arraycopy(w, at, out, outLim, (int) fresh);
                outLim += (int) fresh;
                handedOut += fresh;
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        return new Out(out, outLim);
    }

    record Out(byte[] buf, int limit) {}

    private static byte[] ensure(byte[] out, int lim, int more) {
        if (out.length - lim >= more) return out;
        return Arrays.copyOf(out, Math.max(out.length * 2, lim + more));
    }
}
