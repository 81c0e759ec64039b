package io.exitscope.source.ringbuffer;

import io.exitscope.event.EventFormats;
import io.exitscope.event.FormatParser;
import io.exitscope.event.HeaderPage;
import io.exitscope.event.RawEvent;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The per-CPU page walk both trace.dat replay and live use, on pages laid out as the kernel
 * writes them (ring_buffer.c, checked byte by byte in PageBuilderTest): records come decoded with
 * their format and raw timestamps, the page header's lost-events count comes back from load, an
 * event id without a format is reported and stepped over, and damage is a PageException at the
 * offset inside the page.
 */
class CpuRecordsTest {
    static final HeaderPage HEADER = FormatParser.parseHeaderPage(PageBuilder.headerPageText(8, 4096));
    // kvm_pio's format as Linux 6.18 prints it (tracefs events/kvm/kvm_pio/format), id 42 here
    static final String KVM_PIO = "name: kvm_pio\nID: 42\nformat:\n"
            + "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
            + "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
            + "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
            + "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
            + "\tfield:unsigned int rw;\toffset:8;\tsize:4;\tsigned:0;\n"
            + "\tfield:unsigned int port;\toffset:12;\tsize:4;\tsigned:0;\n"
            + "\tfield:unsigned int size;\toffset:16;\tsize:4;\tsigned:0;\n"
            + "\tfield:unsigned int count;\toffset:20;\tsize:4;\tsigned:0;\n"
            + "\tfield:u64 val;\toffset:24;\tsize:8;\tsigned:0;\n\n"
            + "print fmt: \"pio_%s at 0x%x size %d count %d val 0x%llx\", REC->rw ? \"write\" : \"read\", REC->port, REC->size, REC->count, REC->val\n";

    static byte[] record(int id, int pid, int port) {
        return ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putShort((short) id).put((byte) 0).put((byte) 0)
                .putInt(pid).putInt(1).putInt(port).putInt(1).putInt(1).putLong(0).array();
    }

    static CpuRecords walker(RawEvent event) {
        EventFormats formats = new EventFormats();
        formats.add(FormatParser.parseEvent("kvm", KVM_PIO));
        return new CpuRecords(3, HEADER, false, event, formats);
    }

    @Test
    void recordsComeDecodedAndTheLostCountComesFromThePageHeader() {
        PageBuilder pb = new PageBuilder(HEADER, false, 4096);
        pb.setMissedEvents(17);
        pb.add(1_000, record(42, 4711, 0x500), 0, 32);
        pb.add(1_250, record(42, 4712, 0x3f8), 0, 32);
        byte[] page = pb.finishPage();
        RawEvent e = new RawEvent(false, "", pid -> "?");
        CpuRecords r = walker(e);
        assertEquals(CpuRecords.PAGE_END, r.next(), "nothing loaded yet");
        assertEquals(17, r.load(page, 0, page.length));
        assertEquals(CpuRecords.RECORD, r.next());
        assertEquals("kvm_pio", e.format().name);
        assertEquals(4711, e.pid());
        assertEquals(3, e.cpu());
        assertEquals(1_000, r.timestamp());
        assertEquals(CpuRecords.RECORD, r.next());
        assertEquals(4712, e.pid());
        assertEquals(1_250, e.timestamp());
        assertEquals(CpuRecords.PAGE_END, r.next());
        assertEquals(CpuRecords.PAGE_END, r.next(), "stays at the end until the next page");
    }

    @Test
    void anUnknownIdIsReportedWithItsOffsetAndTheWalkGoesOn() {
        PageBuilder pb = new PageBuilder(HEADER, false, 4096);
        pb.add(10, record(99, 1, 0x500), 0, 32);
        pb.add(20, record(42, 2, 0x500), 0, 32);
        byte[] page = pb.finishPage();
        CpuRecords r = walker(new RawEvent(false, "", pid -> "?"));
        assertEquals(0, r.load(page, 0, page.length));
        assertEquals(CpuRecords.UNKNOWN_EVENT, r.next());
        assertEquals(99, r.unknownId());
        // page header 16 bytes, then the first record's 4-byte header: its payload at 20
        assertEquals(HEADER.dataOffset() + 4, r.recordOffset());
        assertEquals(CpuRecords.RECORD, r.next());
        assertEquals(20, r.timestamp());
    }

    @Test
    void aRecordShorterThanTheCommonHeaderIsDamageAtItsOffset() {
        PageBuilder pb = new PageBuilder(HEADER, false, 4096);
        pb.add(10, new byte[]{42, 0, 0, 0}, 0, 4);
        pb.add(20, record(42, 2, 0x500), 0, 32);
        byte[] page = pb.finishPage();
        CpuRecords r = walker(new RawEvent(false, "", pid -> "?"));
        r.load(page, 0, page.length);
        PageCursor.PageException x = assertThrows(PageCursor.PageException.class, r::next);
        assertEquals("event of 4 bytes is too short", x.getMessage());
        assertEquals(HEADER.dataOffset() + 4, x.pageOffset);
        r.dropPage(); // live skips the rest of a damaged page
        assertEquals(CpuRecords.PAGE_END, r.next());
    }

    @Test
    void aDamagedPageHeaderLeavesNoPageLoaded() {
        byte[] page = new PageBuilder(HEADER, false, 4096).finishPage();
        ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).putLong(HEADER.commitOffset(), 5000); // commit past the page
        CpuRecords r = walker(new RawEvent(false, "", pid -> "?"));
        assertThrows(PageCursor.PageException.class, () -> r.load(page, 0, page.length));
        assertEquals(CpuRecords.PAGE_END, r.next());
    }
}
