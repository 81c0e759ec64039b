package io.exitscope.stats;

import io.exitscope.exit.ExitClass;
import io.exitscope.exit.ExitRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Per device address (pio port, mmio gpa, s390 DIAG 0x500) and vCPU thread: do guest
 * notifications (writes) reach userspace — no ioeventfd — or stay in the kernel — ioeventfd or
 * fast mmio? Kept per thread because one trace may hold runs with different settings.
 */
public final class NotificationEvidence implements Consumer<ExitRecord> {

    public enum Verdict {
        USERSPACE("reaches userspace (no ioeventfd)"),
        KERNEL("stays in the kernel (ioeventfd / fast mmio)"),
        MIXED("partly reaches userspace");

        public final String text;

        Verdict(String text) {
            this.text = text;
        }
    }

    /** Evidence for one address as seen by one thread. */
    public record Address(String address, String reason, int tid, String vm, long toUserspace, long inKernel,
                          long userspaceTimeNs, long userspaceMeasured) {
        public long total() { return toUserspace + inKernel; }

        public Verdict verdict() {
            if (inKernel == 0) return Verdict.USERSPACE;
            if (toUserspace == 0) return Verdict.KERNEL;
            return Verdict.MIXED;
        }

        /** Mean userspace round trip of the notifications that went there, ns (0 if none measured). */
        public long meanUserspaceNs() {
            return userspaceMeasured == 0 ? 0 : userspaceTimeNs / userspaceMeasured;
        }
    }

    private record Key(String address, int tid) {}

    private static final class Acc {
        final String reason, vm;
        long toUserspace, inKernel, usTime, usMeasured;

        Acc(String reason, String vm) {
            this.reason = reason;
            this.vm = vm;
        }
    }

    private final Map<Key, Acc> acc = new LinkedHashMap<>();
    private String lastSubkey;
    private int lastTid;
    private Acc last;

    @Override
    public void accept(ExitRecord r) {
        if (r.address() < 0 || !r.write() || r.subkey() == null) return;
        Acc a;
        // the assembler hands out one String per subkey, so identity finds a repeat without hashing
        if (r.subkey() == lastSubkey && r.tid() == lastTid) {
            a = last;
        } else {
            a = acc.computeIfAbsent(new Key(r.subkey(), r.tid()), k -> new Acc(r.reason(), r.vm()));
            last = a;
            lastSubkey = r.subkey();
            lastTid = r.tid();
        }
        if (r.exitClass() == ExitClass.USERSPACE) {
            a.toUserspace++;
            if (r.userspaceNs() >= 0) {
                a.usTime += r.userspaceNs();
                a.usMeasured++;
            }
        } else {
            a.inKernel++;
        }
    }

    /** Addresses ordered by thread then by notification count. */
    public List<Address> addresses() {
        List<Address> out = new ArrayList<>();
        acc.forEach((k, a) -> out.add(new Address(k.address(), a.reason, k.tid(), a.vm, a.toUserspace, a.inKernel, a.usTime, a.usMeasured)));
        out.sort(Comparator.comparingInt(Address::tid).thenComparing(Comparator.comparingLong(Address::total).reversed()));
        return out;
    }
}
