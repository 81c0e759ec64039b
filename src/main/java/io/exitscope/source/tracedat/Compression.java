package io.exitscope.source.tracedat;

import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;

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
                int n;
                try {
                    n = ZSTD_DECOMPRESSOR.get().decompress(in, inOff, inLen, out, outOff, outLen);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("bad zstd data: " + e.getMessage());
                }
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
