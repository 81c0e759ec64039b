package io.exitscope.model;

import io.exitscope.evidence.DeviceAddresses;
import io.exitscope.exit.ExitClass;
import org.HdrHistogram.Histogram;

import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * ioeventfd projection for architectures without a stage model (x86, arm64): a guest write to a
 * PIO port or MMIO address that reached userspace is re-timed as if an ioeventfd handled it in
 * the kernel (its latency replaced by a kernel-handled notification's), and the reverse when
 * ioeventfd is turned off (the userspace round trip added). The kernel-handled cost comes from
 * the trace's own timed in-kernel notifications when it has enough, else from the config.
 * Nothing else is projected on these architectures.
 */
final class NotificationGroupProjection extends GroupProjection {
    /** The subkeys {@code ExitAssembler} gives notification writes. */
    static final Pattern NOTIFICATION = Pattern.compile("^(port 0x[0-9a-f]+ out|gpa 0x[0-9a-f]+ write)$");

    private final ExitClass target;
    private final Source source;
    private final boolean toKernel;

    /** Where replacement costs come from: a histogram of the trace's own, or a lognormal. */
    record Source(Histogram histogram, double median, double spread, String what) {
        double sample(SplittableRandom rng) {
            if (histogram != null && histogram.getTotalCount() > 0) {
                return histogram.getValueAtPercentile(100 * rng.nextDouble());
            }
            return Lognormal.sample(median, spread, rng);
        }
    }

    /**
     * A write ioeventfd could take: a port or MMIO write, not to a device KVM emulates in the kernel
     * and not to a legacy port whose writes carry data (a UART's bytes must reach the VMM).
     */
    static boolean isNotification(String subkey) {
        return subkey != null && NOTIFICATION.matcher(subkey).matches() && DeviceAddresses.kernelDevice(subkey) == null
                && DeviceAddresses.dataPort(subkey) == null;
    }

    /**
     * @param toKernel true: a userspace notification becomes kernel-handled (cost from {@code source});
     *                 false: a kernel one gets the userspace round trip from {@code source} added
     */
    NotificationGroupProjection(ExitClass measured, boolean toKernel, Source source) {
        super(measured);
        this.toKernel = toKernel;
        this.target = toKernel ? ExitClass.KERNEL : ExitClass.USERSPACE;
        this.source = source;
    }

    @Override
    boolean modelled() {
        return true;
    }

    @Override
    boolean identity() {
        return false;
    }

    @Override
    ExitClass projectedClass() {
        return target;
    }

    @Override
    double project(double latency, SplittableRandom rng) {
        return toKernel ? source.sample(rng) : latency + source.sample(rng);
    }

    String sourceText() {
        return source.what();
    }
}
