package io.exitscope.util;

/**
 * Integers from byte arrays in either byte order. Plain shifts rather than byte-array VarHandles:
 * the event path runs hot in short one-shot processes, where code often stays in the C1 tier,
 * which compiles shifts well but does not intrinsify VarHandle views.
 */
public final class Bytes {
    private Bytes() {}

    public static int u16(byte[] b, int at, boolean bigEndian) {
        return bigEndian ? ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff)
                : (b[at] & 0xff) | ((b[at + 1] & 0xff) << 8);
    }

    public static int i32(byte[] b, int at, boolean bigEndian) {
        if (bigEndian) {
            return (b[at] << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
        }
        return (b[at] & 0xff) | ((b[at + 1] & 0xff) << 8) | ((b[at + 2] & 0xff) << 16) | (b[at + 3] << 24);
    }

    public static long i64(byte[] b, int at, boolean bigEndian) {
        long hi = i32(b, bigEndian ? at : at + 4, bigEndian) & 0xffffffffL;
        long lo = i32(b, bigEndian ? at + 4 : at, bigEndian) & 0xffffffffL;
        return (hi << 32) | lo;
    }
}
