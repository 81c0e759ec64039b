package io.exitscope.source.tracedat;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The compression algorithms trace.dat v7 names in its header: {@code none}, {@code zlib}
 * (zlib stream format, as {@code compress2()} writes it) and {@code zstd} (frames).
 */
public enum Compression {
    NONE("none"), ZLIB("zlib"), ZSTD("zstd");

    public final String fileName;

    /** Decompressor state is costly to build (tables); one per reading thread is reused. */
    private static final ThreadLocal<ZstdDecompressor> ZSTD_DECOMPRESSOR = ThreadLocal.withInitial(ZstdDecompressor::new);

    /**
     * zstd is read with the zstd library itself (zstd-jni) where its native part loads on this
     * host, else with aircompressor. In a fresh JVM aircompressor's decoder runs interpreted, then
     * C1-compiled, then C2-compiled (its large methods several times over): `dump --count` of an
     * 8.8 M-event trace.dat (18 MB of zstd chunks, 270 MB decompressed) took 2.9 CPU-s with it and
     * 1.8 with the library, of which the main thread 1.8 s against 1.0 s (perf, per thread); the
     * bundled 1.2 MB trace spent 42 % of `report`'s main thread decompressing its metadata.
     * Both decode the same bytes ({@code CompressionTest}).
     */
    static final class NativeZstd {
        static final boolean LOADED = load();
        /** Decompression contexts (native memory, ~100 KB each) not in use: at most one per thread decompressing at once. */
        private static final ConcurrentLinkedQueue<ZstdDecompressCtx> IDLE = new ConcurrentLinkedQueue<>();

        private static boolean load() {
            try {
                com.github.luben.zstd.util.Native.load();
                return true;
            } catch (Throwable e) {
                return false; // no build of the library for this OS/architecture, or no executable temp dir
            }
        }

        /** The size decompressed, or -1 when it does not fit in {@code cap} bytes. */
        static int decompress(byte[] in, int inOff, int inLen, byte[] out, int outOff, int cap) {
            ZstdDecompressCtx ctx = IDLE.poll();
            if (ctx == null) ctx = new ZstdDecompressCtx();
            try {
                return ctx.decompressByteArray(out, outOff, cap, in, inOff, inLen);
            } catch (ZstdException e) {
                if (e.getErrorCode() == Zstd.errDstSizeTooSmall()) return -1;
                throw new IllegalArgumentException("bad zstd data: " + e.getMessage());
            } finally {
                IDLE.offer(ctx);
            }
        }
    }

    /** aircompressor's zstd: the size decompressed, or -1 when it does not fit in {@code cap} bytes. */
    static int decompressZstdJava(byte[] in, int inOff, int inLen, byte[] out, int outOff, int cap) {
        try {
            return ZSTD_DECOMPRESSOR.get().decompress(in, inOff, inLen, out, outOff, cap);
        } catch (RuntimeException e) {
            // aircompressor's MalformedInputException; this message is its "did not fit"
            if (String.valueOf(e.getMessage()).contains("Output buffer too small")) return -1;
            throw new IllegalArgumentException("bad zstd data: " + e.getMessage());
        }
    }

    /**
     * Decompresses zstd frames into {@code out[outOff, outOff+cap)}.
     *
     * @return the size, or -1 when the output did not fit
     * @throws IllegalArgumentException when the data is corrupt
     */
    static int decompressZstd(byte[] in, int inOff, int inLen, byte[] out, int outOff, int cap) {
        return NativeZstd.LOADED ? NativeZstd.decompress(in, inOff, inLen, out, outOff, cap)
                : decompressZstdJava(in, inOff, inLen, out, outOff, cap);
    }

    Compression(String fileName) {
        this.fileName = fileName;
    }

    public static Compression byName(String name) {
        for (Compression c : values()) if (c.fileName.equals(name)) return c;
        return null;
    }

    /**
     * Decompresses exactly {@code outLen} bytes.
     *
     * @throws IllegalArgumentException with a reason when the data is corrupt or has another size
     */
    public void decompress(byte[] in, int inOff, int inLen, byte[] out, int outOff, int outLen) {
        switch (this) {
            case NONE -> {
                if (inLen != outLen) throw new IllegalArgumentException("stored chunk sizes differ (" + inLen + " vs " + outLen + ")");
                System.arraycopy(in, inOff, out, outOff, inLen);
            }
            case ZLIB -> {
                Inflater inf = new Inflater();
                try {
                    inf.setInput(in, inOff, inLen);
                    int n = 0;
                    while (n < outLen && !inf.finished()) {
                        int k = inf.inflate(out, outOff + n, outLen - n);
                        if (k == 0 && (inf.needsInput() || inf.needsDictionary())) break;
                        n += k;
                    }
                    if (n != outLen) throw new IllegalArgumentException("zlib data gave " + n + " bytes, expected " + outLen);
                } catch (DataFormatException e) {
                    throw new IllegalArgumentException("bad zlib data: " + e.getMessage());
                } finally {
                    inf.end();
                }
            }
            case ZSTD -> {
                int n = decompressZstd(in, inOff, inLen, out, outOff, outLen);
                if (n < 0) throw new IllegalArgumentException("zstd data gave more than the " + outLen + " bytes expected");
                if (n != outLen) throw new IllegalArgumentException("zstd data gave " + n + " bytes, expected " + outLen);
            }
        }
    }

    /** Compresses into a new array (used when writing trace.dat). */
    public byte[] compress(byte[] in, int off, int len) {
        switch (this) {
            case NONE -> {
                byte[] out = new byte[len];
                System.arraycopy(in, off, out, 0, len);
                return out;
            }
            case ZLIB -> {
                Deflater d = new Deflater();
                try {
                    d.setInput(in, off, len);
                    d.finish();
                    byte[] buf = new byte[len + len / 1000 + 64];
                    int n = 0;
                    while (!d.finished()) {
                        if (n == buf.length) buf = java.util.Arrays.copyOf(buf, buf.length * 2);
                        n += d.deflate(buf, n, buf.length - n);
                    }
                    return java.util.Arrays.copyOf(buf, n);
                } finally {
                    d.end();
                }
            }
            case ZSTD -> {
                ZstdCompressor c = new ZstdCompressor();
                byte[] buf = new byte[c.maxCompressedLength(len)];
                int n = c.compress(in, off, len, buf, 0, buf.length);
                return java.util.Arrays.copyOf(buf, n);
            }
            default -> throw new AssertionError();
        }
    }
}
