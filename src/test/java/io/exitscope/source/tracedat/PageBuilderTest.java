package io.exitscope.source.tracedat;

import io.exitscope.event.EventFormat;
import io.exitscope.event.FieldFormat;
import io.exitscope.event.FormatParser;
import io.exitscope.event.HeaderPage;
import io.exitscope.event.RawEvent;
import io.exitscope.source.ringbuffer.PageBuilder;
import io.exitscope.source.ringbuffer.PageCursor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PageBuilder} byte layouts against the kernel's rules (ring_buffer.c), checked at the
 * byte level and by decoding with {@link PageCursor}.
 */
class PageBuilderTest {

    static HeaderPage header(int longSize, int pageSize) {
        return FormatParser.parseHeaderPage(PageBuilder.headerPageText(longSize, pageSize));
    }

    static ByteBuffer view(byte[] page, boolean be) {
        return ByteBuffer.wrap(page).order(be ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    }

    /** type_len and time_delta of the record header at {@code at}. */
    static int[] header(byte[] page, int at, boolean be) {
        int w = view(page, be).getInt(at);
        return be ? new int[]{w >>> 27, w & 0x7ffffff} : new int[]{w & 0x1f, w >>> 5};
    }

    @Test
    void headerPageTextMatchesTheKernelsForBothLongSizes() {
        assertEquals(new HeaderPage(0, 8, 8, 16, 4080), header(8, 4096));
        assertEquals(new HeaderPage(0, 8, 4, 12, 4084), header(4, 4096));
        assertEquals(new HeaderPage(0, 8, 8, 16, 8176), header(8, 8192));
        // the text of a 64-bit 6.18 kernel, byte for byte
        assertEquals("\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
                + "\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
                + "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
                + "\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n", PageBuilder.headerPageText(8, 4096));
    }

    @ParameterizedTest(name = "long {0}, big endian {1}")
    @CsvSource({"8, false", "8, true", "4, false", "4, true"})
    void smallEventsLayout(int longSize, boolean be) {
        HeaderPage hp = header(longSize, 4096);
        PageBuilder pb = new PageBuilder(hp, be, 4096);
        byte[] a = {1, 2, 3, 4, 5};
        assertTrue(pb.add(1000, a, 0, a.length));
        assertTrue(pb.add(1234, a, 0, 4));
        assertTrue(pb.add(1234, new byte[0], 0, 0));
        byte[] page = pb.finishPage();
        assertEquals(4096, page.length);
        ByteBuffer b = view(page, be);
        assertEquals(1000, b.getLong(0), "page time stamp = first event's");
        long commit = longSize == 8 ? b.getLong(8) : b.getInt(8) & 0xffffffffL;
        int d = hp.dataOffset();
        assertEquals((4 + 8) + (4 + 4) + (4 + 4), commit);
        assertArrayEquals(new int[]{2, 0}, header(page, d, be), "5 bytes → type_len 2, first delta 0");
        assertArrayEquals(Arrays.copyOf(a, 8), Arrays.copyOfRange(page, d + 4, d + 12));
        assertArrayEquals(new int[]{1, 234}, header(page, d + 12, be));
        assertArrayEquals(new int[]{1, 0}, header(page, d + 20, be), "an empty payload counts as one byte");
        for (int i = d + (int) commit; i < page.length; i++) assertEquals(0, page[i], "zero after commit");
        assertTrue(pb.isEmpty(), "a new page was started");
    }

    @ParameterizedTest(name = "big endian {0}")
    @CsvSource({"false", "true"})
    void largeEventsUseALengthWord(boolean be) {
        PageBuilder pb = new PageBuilder(header(8, 4096), be, 4096);
        byte[] p = new byte[113];
        Arrays.fill(p, (byte) 7);
        assertTrue(pb.add(5, p, 0, 112));
        assertTrue(pb.add(6, p, 0, 113));
        byte[] page = pb.finishPage();
        assertArrayEquals(new int[]{28, 0}, header(page, 16, be), "112 bytes still fit type_len 28");
        int second = 16 + 4 + 112;
        assertArrayEquals(new int[]{0, 1}, header(page, second, be));
        assertEquals(116 + 4, view(page, be).getInt(second + 4), "length word counts itself, payload rounded to 4");
        assertEquals(second + 4 + 120 - 16, view(page, be).getLong(8));
    }

    @ParameterizedTest(name = "big endian {0}")
    @CsvSource({"false", "true"})
    void timeExtendAndAbsoluteStamps(boolean be) {
        PageBuilder pb = new PageBuilder(header(8, 4096), be, 4096);
        byte[] p = new byte[8];
        long t0 = 1_000_000_000L;
        long big = (1L << 27);                      // one more than a delta can hold
        assertTrue(pb.add(t0, p, 0, 8));
        assertTrue(pb.add(t0 + big - 1, p, 0, 8));  // still fits
        assertTrue(pb.add(t0 + big - 1 + 5_000_000_000L, p, 0, 8));
        long abs = t0 + 7_000_000_000L;
        assertTrue(pb.add(abs, p, 0, 8, true));
        assertTrue(pb.add(abs - 50, p, 0, 8));      // backwards: an absolute stamp, automatically
        byte[] page = pb.finishPage();
        ByteBuffer b = view(page, be);
        int at = 16;
        assertArrayEquals(new int[]{2, 0}, header(page, at, be));
        at += 12;
        assertArrayEquals(new int[]{2, (int) (big - 1)}, header(page, at, be));
        at += 12;
        assertArrayEquals(new int[]{30, (int) (5_000_000_000L & 0x7ffffff)}, header(page, at, be));
        assertEquals(5_000_000_000L >>> 27, b.getInt(at + 4));
        assertArrayEquals(new int[]{2, 0}, header(page, at + 8, be), "the event after an extend has delta 0");
        at += 20;
        assertArrayEquals(new int[]{31, (int) (abs & 0x7ffffff)}, header(page, at, be));
        assertEquals(abs >>> 27, b.getInt(at + 4) & 0xffffffffL);
        at += 20;
        assertArrayEquals(new int[]{31, (int) ((abs - 50) & 0x7ffffff)}, header(page, at, be));

        PageCursor c = new PageCursor(header(8, 4096), be);
        c.reset(page, 0, page.length);
        long[] want = {t0, t0 + big - 1, t0 + big - 1 + 5_000_000_000L, abs, abs - 50};
        for (long w : want) {
            assertTrue(c.next());
            assertEquals(w, c.timestamp);
        }
        assertFalse(c.next());
    }

    @Test
    void aTimeJumpBeyond59BitsNeedsANewPage() {
        PageBuilder pb = new PageBuilder(header(8, 4096), false, 4096);
        byte[] p = new byte[8];
        assertTrue(pb.add(10, p, 0, 8));
        assertFalse(pb.add(10 + (1L << 59), p, 0, 8));
        byte[] first = pb.finishPage();
        assertTrue(pb.add(10 + (1L << 59), p, 0, 8));
        assertEquals(10 + (1L << 59), view(pb.finishPage(), false).getLong(0));
        assertEquals(12, view(first, false).getLong(8));
    }

    @ParameterizedTest(name = "long {0}, big endian {1}")
    @CsvSource({"8, false", "8, true", "4, false", "4, true"})
    void missedEvents(int longSize, boolean be) {
        HeaderPage hp = header(longSize, 4096);
        PageBuilder pb = new PageBuilder(hp, be, 4096);
        byte[] p = new byte[16];
        pb.setMissedEvents(1234);
        int n = 0;
        while (pb.add(100 + n, p, 0, p.length)) n++;
        byte[] page = pb.finishPage();
        ByteBuffer b = view(page, be);
        long commit = longSize == 8 ? b.getLong(8) : b.getInt(8) & 0xffffffffL;
        assertEquals(3L << 30, commit & (3L << 30), "bits 31 (missed) and 30 (count stored)");
        int used = (int) (commit & ((1 << 27) - 1));
        assertEquals(n * 20, used);
        assertTrue(used + longSize <= hp.dataSize(), "room was kept for the count");
        long stored = longSize == 8 ? b.getLong(hp.dataOffset() + used) : b.getInt(hp.dataOffset() + used);
        assertEquals(1234, stored);
        PageCursor c = new PageCursor(hp, be);
        c.reset(page, 0, page.length);
        assertEquals(1234, c.missedEvents());

        pb.setMissedEvents(-1);
        assertTrue(pb.add(5000, p, 0, p.length));
        byte[] unknown = pb.finishPage();
        c.reset(unknown, 0, unknown.length);
        assertEquals(-1, c.missedEvents(), "bit 31 only: count unknown");
    }

    @Test
    void discardedEventsArePaddingWhoseDeltaCounts() {
        HeaderPage hp = header(8, 4096);
        PageBuilder pb = new PageBuilder(hp, false, 4096);
        byte[] p = new byte[12];
        assertTrue(pb.add(100, p, 0, 12));
        assertTrue(pb.addDiscarded(100, 40));        // zero delta becomes 1, like rb_event_discard
        assertTrue(pb.add(150, p, 0, 12));
        byte[] page = pb.finishPage();
        assertArrayEquals(new int[]{29, 1}, header(page, 16 + 16, false));
        assertEquals(40, view(page, false).getInt(16 + 16 + 4), "array[0] = record size - 4");
        PageCursor c = new PageCursor(hp, false);
        c.reset(page, 0, page.length);
        assertTrue(c.next());
        assertEquals(100, c.timestamp);
        assertTrue(c.next());
        assertEquals(150, c.timestamp);
        assertFalse(c.next());
    }

    /** Random streams decode back exactly: time stamps, payload bytes, lost counts. */
    @ParameterizedTest(name = "long {0}, big endian {1}, page {2}")
    @CsvSource({"8, false, 4096", "8, true, 4096", "4, false, 4096", "4, true, 8192", "8, false, 1024"})
    void randomStreamsDecodeBack(int longSize, boolean be, int pageSize) {
        HeaderPage hp = header(longSize, pageSize);
        PageBuilder pb = new PageBuilder(hp, be, pageSize);
        Random rnd = new Random(longSize * 31L + pageSize + (be ? 1 : 0));
        List<long[]> times = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        List<byte[]> pages = new ArrayList<>();
        long ts = rnd.nextLong() >>> 8;
        for (int i = 0; i < 3000; i++) {
            int kind = rnd.nextInt(20);
            ts += kind == 0 ? rnd.nextLong() >>> 30 : kind == 1 ? -rnd.nextInt(1000) : rnd.nextInt(5000);
            byte[] p = new byte[rnd.nextInt(kind == 2 ? 400 : 60)];
            rnd.nextBytes(p);
            boolean abs = kind == 3;
            if (!pb.add(ts, p, 0, p.length, abs)) {
                pages.add(pb.finishPage());
                assertTrue(pb.add(ts, p, 0, p.length, abs));
            }
            times.add(new long[]{ts, pages.size()});
            payloads.add(p);
        }
        pages.add(pb.finishPage());
        PageCursor c = new PageCursor(hp, be);
        int i = 0;
        for (int pi = 0; pi < pages.size(); pi++) {
            byte[] page = pages.get(pi);
            c.reset(page, 0, page.length);
            while (c.next()) {
                assertEquals(pi, times.get(i)[1], "event " + i + " page");
                assertEquals(times.get(i)[0], c.timestamp, "event " + i + " time");
                byte[] want = payloads.get(i);
                assertTrue(c.payloadLength >= want.length && c.payloadLength <= Math.max(4, want.length + 3), "event " + i + " length " + c.payloadLength);
                assertArrayEquals(want, Arrays.copyOfRange(page, c.payload, c.payload + want.length), "event " + i + " payload");
                i++;
            }
        }
        assertEquals(times.size(), i);
    }

    @Test
    void payloadsThatCanNeverFitAreRejected() {
        PageBuilder pb = new PageBuilder(header(8, 1024), false, 1024);
        assertThrows(IllegalArgumentException.class, () -> pb.add(1, new byte[1024], 0, 1024));
        assertTrue(pb.add(1, new byte[1000], 0, 1000), "1000 + 8 header bytes fit the 1008-byte data area");
        pb.finishPage();
        assertTrue(pb.add(2, new byte[1000], 0, 1000, true), "an empty page takes it even when the absolute stamp would not fit");
        assertThrows(IllegalArgumentException.class, () -> new PageBuilder(header(8, 8192), false, 4096));
    }

    // ------------------------------------------------------------------ EventEncoder

    static final String FORMAT = "name: enc_test\nID: 77\nformat:\n"
            + "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
            + "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
            + "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
            + "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
            + "\tfield:int id;\toffset:8;\tsize:4;\tsigned:1;\n"
            + "\tfield:__data_loc char[] name;\toffset:12;\tsize:4;\tsigned:0;\n"
            + "\tfield:unsigned long addr;\toffset:16;\tsize:8;\tsigned:0;\n"
            + "\tfield:s8 code;\toffset:24;\tsize:1;\tsigned:1;\n"
            + "\tfield:char comm[8];\toffset:25;\tsize:8;\tsigned:0;\n"
            + "\tfield:u16 regs[4];\toffset:34;\tsize:8;\tsigned:0;\n"
            + "\tfield:__rel_loc u8[] blob;\toffset:44;\tsize:4;\tsigned:0;\n"
            + "\tfield:__data_loc char[] empty;\toffset:48;\tsize:4;\tsigned:0;\n\n"
            + "print fmt: \"%d %s\", REC->id, __get_str(name)\n";

    @ParameterizedTest(name = "big endian {0}")
    @CsvSource({"false", "true"})
    void eventEncoderWritesEveryKindOfField(boolean be) {
        EventFormat f = FormatParser.parseEvent("test", FORMAT);
        PageBuilder.EventEncoder enc = new PageBuilder.EventEncoder(f, be);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", -5);
        v.put("name", "vcpu0");
        v.put("addr", 0xffffffffc0a01234L);
        v.put("code", -2L);
        v.put("comm", "qemu-system-x86");   // truncated to 8 bytes, like strncpy
        v.put("regs", new long[]{1, 0xffff, 3});
        v.put("blob", new byte[]{9, 8, 7});
        v.put("empty", "");
        byte[] rec = enc.encode(0x81, 2, 4242, v);
        assertEquals(52 + 6 + 3 + 1, rec.length, "fixed part, then dynamic data in field order");

        RawEvent e = new RawEvent(be, "", pid -> "x");
        e.set(rec, 0, rec.length, 0, 0, f);
        assertEquals(77, e.getLong(f.field("common_type")));
        assertEquals(0x81, e.getLong(f.field("common_flags")));
        assertEquals(2, e.getLong(f.field("common_preempt_count")));
        assertEquals(4242, e.pid());
        assertEquals(-5, e.getLong(f.field("id")));
        assertEquals("vcpu0", e.getString(f.field("name")));
        assertEquals(0xffffffffc0a01234L, e.getLong(f.field("addr")));
        assertEquals(-2, e.getLong(f.field("code")));
        assertEquals("qemu-sys", e.getString(f.field("comm")));
        assertArrayEquals(new byte[]{9, 8, 7}, e.getBytes(f.field("blob")));
        assertEquals("", e.getString(f.field("empty")));
        ByteBuffer b = view(rec, be);
        assertEquals((6 << 16) | 52, b.getInt(12), "__data_loc: length (with NUL) << 16 | offset");
        assertEquals((3 << 16) | (58 - 48), b.getInt(44), "__rel_loc: offset from the end of the field");
        FieldFormat regs = f.field("regs");
        assertEquals(0xffff, b.getShort(regs.offset + 2) & 0xffff);
        assertEquals(0, b.getShort(regs.offset + 6), "missing elements stay zero");
    }

    @Test
    void eventEncoderRejectsMistakes() {
        EventFormat f = FormatParser.parseEvent("test", FORMAT);
        PageBuilder.EventEncoder enc = new PageBuilder.EventEncoder(f, false);
        assertThrows(IllegalArgumentException.class, () -> enc.encode(0, 0, 1, Map.of("nosuch", 1)));
        assertThrows(IllegalArgumentException.class, () -> enc.encode(0, 0, 1, Map.of("id", "text")));
        assertThrows(IllegalArgumentException.class, () -> enc.encode(0, 0, 1, Map.of("name", 5)));
        assertThrows(IllegalArgumentException.class, () -> enc.encode(0, 0, 1, Map.of("regs", new long[5])));
    }
}
