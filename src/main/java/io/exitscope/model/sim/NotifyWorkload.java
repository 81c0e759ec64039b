package io.exitscope.model.sim;

import io.exitscope.model.ExitKind;

import java.io.IOException;
import java.util.List;

/**
 * Each vCPU issues one kind of exit at a steady rate: virtio notifications (DIAG 0x500) to a
 * random disk and queue, a hypercall loop, or channel I/O that QEMU handles under its big lock.
 * vCPUs do not wait for each other; the big lock's contention comes from the model.
 */
final class NotifyWorkload implements Workload {
    private final ExitKind kind;
    private final boolean userspace;

    NotifyWorkload(ExitKind kind, boolean userspace) {
        this.kind = kind;
        this.userspace = userspace;
    }

    @Override
    public void run(Simulation sim, List<SimVcpu> vcpus) throws IOException {
        double rate = sim.options().rate() != null ? sim.options().rate() : sim.workload("rate");
        double gap = 1e9 / rate;
        for (SimVcpu v : vcpus) {
            while (true) {
                v.runGuest(v.exponential(gap));
                if (v.done()) break;
                v.exit(v.context(kind, userspace));
            }
        }
    }
}
