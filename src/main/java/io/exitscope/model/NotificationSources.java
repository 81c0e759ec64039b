package io.exitscope.model;

import io.exitscope.exit.ExitClass;
import io.exitscope.exit.Measure;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.StatsSnapshot;
import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * Where the ioeventfd projection of a non-s390 trace takes its costs from: the trace's own timed
 * in-kernel notifications and userspace round trips when it has at least 20 of them, else the
 * config's {@code [x86]} numbers; and which groups it re-times.
 */
final class NotificationSources {
    final NotificationGroupProjection.Source kernelCost, roundTrip;

    NotificationSources(ModelInput r, ModelConfig c, List<StatsSnapshot.Group> fine) {
        Histogram kernel = ExitStats.newHistogram(), us = ExitStats.newHistogram();
        long usNs = 0, usMeasured = 0;
        for (StatsSnapshot.Group g : fine) {
            if (!NotificationGroupProjection.isNotification(g.key().subkey())) continue;
            if (g.key().exitClass() == ExitClass.USERSPACE) {
                if (g.measured() > 0) {
                    us.add(g.histogram());
                    usNs += g.userspaceNs();
                    usMeasured += g.measured();
                }
            } else if (g.measured() > 0) {
                kernel.add(g.histogram());
            }
        }
        this.kernelCost = kernel.getTotalCount() >= 20
                ? new NotificationGroupProjection.Source(kernel, 0, 0, "kernel-handled cost from this trace's " + kernel.getTotalCount()
                + " timed in-kernel notifications")
                : new NotificationGroupProjection.Source(null, c.number("x86.ioeventfd_kernel"), c.number("x86.ioeventfd_kernel_spread"),
                "kernel-handled cost modelled (config x86.ioeventfd_kernel, " + (long) c.number("x86.ioeventfd_kernel")
                        + " ns): the trace times no in-kernel notification");
        boolean roundTripMeasure = r.measures().contains(Measure.USERSPACE_ROUND_TRIP) && !r.measures().contains(Measure.EXIT_TO_ENTRY);
        if (usMeasured >= 20 && roundTripMeasure) {
            this.roundTrip = new NotificationGroupProjection.Source(us, 0, 0, "userspace round trip from this trace");
        } else if (usMeasured >= 20 && usNs > 0) {
            this.roundTrip = new NotificationGroupProjection.Source(null, (double) usNs / usMeasured,
                    c.number("x86.userspace_round_trip_spread"), "userspace round trip: this trace's mean");
        } else {
            this.roundTrip = new NotificationGroupProjection.Source(null, c.number("x86.userspace_round_trip"),
                    c.number("x86.userspace_round_trip_spread"), "userspace round trip modelled (config x86.userspace_round_trip)");
        }
    }

    GroupProjection projection(StatsSnapshot.Group g, SwitchSet recorded, SwitchSet target) {
        ExitClass cls = g.key().exitClass();
        boolean before = recorded.on(Switch.IOEVENTFD), after = target.on(Switch.IOEVENTFD);
        if (before == after || !NotificationGroupProjection.isNotification(g.key().subkey())) return new GroupProjection(cls);
        if (after && cls == ExitClass.USERSPACE) return new NotificationGroupProjection(cls, true, kernelCost);
        if (!after && cls != ExitClass.USERSPACE) return new NotificationGroupProjection(cls, false, roundTrip);
        return new GroupProjection(cls);
    }

    String describe() {
        return "to the kernel: " + kernelCost.what() + "; to userspace: " + roundTrip.what();
    }
}
