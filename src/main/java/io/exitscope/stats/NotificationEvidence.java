package io.exitscope.stats;

import io.exitscope.exit.ExitClass;
import io.exitscope.exit.ExitRecord;
import io.exitscope.exit.KernelHandler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Per device address (pio port, mmio gpa, s390 DIAG 0x500) and vCPU thread: how many guest
 * notifications (writes) reached userspace and how many stayed in the kernel, and what the events
 * beside them show handled those (kvm_fast_mmio, an in-kernel device). The counts only: what they
 * say about ioeventfd is {@code evidence.OptimizationEvidence}'s to decide. Kept per thread
 * because one trace may hold runs with different settings.
 *
 * <p>Bounded by {@value #MAX_ADDRESSES} (address, thread) pairs, the first seen: a guest that
 * writes to memory-mapped I/O all over (an emulated framebuffer) would otherwise add one per
 * address written. Doorbells are written from the device's start, so they are among the first;
 * the writes to addresses beyond the bound are counted ({@link #writesLeftOut()}).
 */
public final class NotificationEvidence implements Consumer<ExitRecord> {

    /**
     * Evidence for one address as seen by one thread.
     *
     * @param inKernelFastMmio kernel-handled writes with {@code kvm_fast_mmio} beside them
     * @param inKernelByDevice kernel-handled writes with an in-kernel device's event beside them
     * @param device           that device (the first seen), or null
     * @param unknownClass     writes whose class the trace cannot tell (it has no kvm_userspace_exit)
     */
    public record Address(String address, String reason, int tid, String vm, long toUserspace, long inKernel,
                          long userspaceTimeNs, long userspaceMeasured, long inKernelFastMmio, long inKernelByDevice,
                          KernelHandler device, long unknownClass) {
        public long total() { return toUserspace + inKernel + unknownClass; }

        /** Mean userspace round trip of the notifications that went there, ns (0 if none measured). */
        public long meanUserspaceNs() {
            return userspaceMeasured == 0 ? 0 : userspaceTimeNs / userspaceMeasured;
        }
    }

    /** equals and hashCode written out, as in {@link ExitKey}: no method handles spun at first use. */
    private record Key(String address, int tid) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && tid == k.tid && address.equals(k.address);
        }

        @Override
        public int hashCode() {
            return 31 * address.hashCode() + tid;
        }
    }

    private static final class Acc {
        final String reason, vm;
        long toUserspace, inKernel, usTime, usMeasured, fastMmio, byDevice, unknownClass;
        KernelHandler device;

        Acc(String reason, String vm) {
            this.reason = reason;
            this.vm = vm;
        }
    }

    public static final int MAX_ADDRESSES = 4096;

    private final Map<Key, Acc> acc = new LinkedHashMap<>();
    private long writesLeftOut;
    /** Direct-mapped, by subkey identity and tid (the assembler hands out one String per subkey; see ExitStats). */
    private static final int CACHE_SLOTS = 16;
    private final String[] cachedSubkey = new String[CACHE_SLOTS];
    private final int[] cachedTid = new int[CACHE_SLOTS];
    private final Acc[] cachedAcc = new Acc[CACHE_SLOTS];

    @Override
    public void accept(ExitRecord r) {
        if (r.address() < 0 || !r.write() || r.subkey() == null) return;
        String subkey = r.subkey();
        int slot = (System.identityHashCode(subkey) * 31 + r.tid()) & (CACHE_SLOTS - 1);
        Acc a;
        if (cachedSubkey[slot] == subkey && cachedTid[slot] == r.tid()) {
            a = cachedAcc[slot];
        } else {
            Key k = new Key(subkey, r.tid());
            a = acc.get(k);
            if (a == null) {
                if (acc.size() >= MAX_ADDRESSES) {
                    writesLeftOut++;
                    return;
                }
                a = new Acc(r.reason(), r.vm());
                acc.put(k, a);
            }
            cachedSubkey[slot] = subkey;
            cachedTid[slot] = r.tid();
            cachedAcc[slot] = a;
        }
        if (r.exitClass() == ExitClass.USERSPACE) {
            a.toUserspace++;
            if (r.userspaceNs() >= 0) {
                a.usTime += r.userspaceNs();
                a.usMeasured++;
            }
        } else if (r.exitClass() == ExitClass.UNKNOWN) {
            a.unknownClass++;
        } else {
            a.inKernel++;
            KernelHandler h = r.kernelHandler();
            if (h == KernelHandler.FAST_MMIO) {
                a.fastMmio++;
            } else if (h.device()) {
                a.byDevice++;
                if (a.device == null) a.device = h;
            }
        }
    }

    /** Adds what {@code other} saw, as if its exits had come here after this one's. */
    public void add(NotificationEvidence other) {
        writesLeftOut += other.writesLeftOut;
        other.acc.forEach((k, o) -> {
            Acc a = acc.get(k);
            if (a == null) {
                if (acc.size() >= MAX_ADDRESSES) {
                    writesLeftOut += o.toUserspace + o.inKernel + o.unknownClass;
                    return;
                }
                a = new Acc(o.reason, o.vm);
                acc.put(k, a);
            }
            a.toUserspace += o.toUserspace;
            a.inKernel += o.inKernel;
            a.unknownClass += o.unknownClass;
            a.usTime += o.usTime;
            a.usMeasured += o.usMeasured;
            a.fastMmio += o.fastMmio;
            a.byDevice += o.byDevice;
            if (a.device == null) a.device = o.device;
        });
    }

    /** Writes to (address, thread) pairs beyond {@link #MAX_ADDRESSES}: not in {@link #addresses()}. */
    public long writesLeftOut() {
        return writesLeftOut;
    }

    /** Addresses ordered by thread then by notification count. */
    public List<Address> addresses() {
        List<Address> out = new ArrayList<>();
        acc.forEach((k, a) -> out.add(new Address(k.address(), a.reason, k.tid(), a.vm, a.toUserspace, a.inKernel, a.usTime, a.usMeasured,
                a.fastMmio, a.byDevice, a.device, a.unknownClass)));
        out.sort((a, b) -> {   // spelt out: see StatsSnapshot.ORDER
            int c = Integer.compare(a.tid(), b.tid());
            return c != 0 ? c : Long.compare(b.total(), a.total());
        });
        return out;
    }
}
