package io.exitscope.stats;

import io.exitscope.exit.Arch;
import io.exitscope.exit.ExitClass;
import io.exitscope.exit.ExitRecord;
import io.exitscope.exit.Measure;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Per address and thread counts, and the bound on how many pairs are kept. */
class NotificationEvidenceTest {
    static ExitRecord write(long gpa, int tid, ExitClass c) {
        String subkey = ("gpa 0x" + Long.toHexString(gpa) + " w").intern(); // one String per subkey, as the assembler hands out
        return new ExitRecord(0, 100, tid, 0, -1, "vm", Arch.UNKNOWN, -1, "MMIO", subkey, gpa, true, c, false,
                Measure.USERSPACE_ROUND_TRIP, 100, c == ExitClass.USERSPACE ? 100 : -1, -1, 6);
    }

    @Test
    void countsPerAddressAndThread() {
        NotificationEvidence n = new NotificationEvidence();
        for (int i = 0; i < 3; i++) n.accept(write(0x1000, 1, ExitClass.USERSPACE));
        for (int i = 0; i < 2; i++) n.accept(write(0x1000, 2, ExitClass.KERNEL));
        n.accept(write(0x2000, 1, ExitClass.USERSPACE));
        n.accept(write(0x2000, 1, ExitClass.KERNEL));
        var a = n.addresses();
        assertEquals(3, a.size());
        assertEquals(0, a.get(0).inKernel()); // thread 1, most writes first
        assertEquals(3, a.get(0).toUserspace());
        assertEquals(100, a.get(0).meanUserspaceNs());
        assertEquals(List.of(1L, 1L), List.of(a.get(1).toUserspace(), a.get(1).inKernel()));
        assertEquals(List.of(0L, 2L), List.of(a.get(2).toUserspace(), a.get(2).inKernel()));
    }

    @Test
    void aGuestWritingAllOverMmioIsBounded() {
        NotificationEvidence n = new NotificationEvidence();
        n.accept(write(0xfe000000L, 1, ExitClass.USERSPACE)); // the doorbell, first
        for (long p = 0; p < NotificationEvidence.MAX_ADDRESSES + 1000; p++) n.accept(write(0xa0000 + p * 4, 1, ExitClass.USERSPACE));
        n.accept(write(0xfe000000L, 1, ExitClass.USERSPACE)); // still counted: it is kept
        assertEquals(NotificationEvidence.MAX_ADDRESSES, n.addresses().size());
        assertEquals(1001, n.writesLeftOut());
        assertEquals(2, n.addresses().stream().filter(x -> x.address().startsWith("gpa 0xfe000000")).findFirst().orElseThrow().toUserspace());

        NotificationEvidence sum = new NotificationEvidence();
        sum.add(n);
        sum.add(n); // the same pairs again: added to, nothing more left out but what n left out
        assertEquals(NotificationEvidence.MAX_ADDRESSES, sum.addresses().size());
        assertEquals(2002, sum.writesLeftOut());
    }
}
