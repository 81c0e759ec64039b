package io.exitscope.model;

/**
 * The circumstances of one exit that are not switches: what it was, whether it was (or would be)
 * handled in userspace, and the workload facts that change its cost.
 *
 * @param toUserspace      KVM_RUN returns to QEMU for it
 * @param wakeProbability  chance that an ioeventfd signal wakes a sleeping consumer
 * @param deliversInterrupt pre-run delivers an interrupt (after a wake-up)
 * @param vcpus            vCPUs of the VM (big-lock contention)
 * @param devices          devices on the I/O bus (disks x queues; binary search after a cookie miss)
 * @param idleNs           a wait's idle time (wait-state exits only)
 */
public record ExitContext(ExitKind kind, boolean toUserspace, double wakeProbability, boolean deliversInterrupt, int vcpus,
                          int devices, double idleNs) {

    public static ExitContext of(ExitKind kind, boolean toUserspace) {
        return new ExitContext(kind, toUserspace, 0, false, 1, 1, 0);
    }

    public ExitContext withVcpus(int n) {
        return new ExitContext(kind, toUserspace, wakeProbability, deliversInterrupt, n, devices, idleNs);
    }

    public ExitContext withWake(double p) {
        return new ExitContext(kind, toUserspace, p, deliversInterrupt, vcpus, devices, idleNs);
    }

    public ExitContext withDevices(int n) {
        return new ExitContext(kind, toUserspace, wakeProbability, deliversInterrupt, vcpus, n, idleNs);
    }

    public ExitContext withInterrupt(boolean d) {
        return new ExitContext(kind, toUserspace, wakeProbability, d, vcpus, devices, idleNs);
    }

    public ExitContext withIdle(double ns) {
        return new ExitContext(kind, toUserspace, wakeProbability, deliversInterrupt, vcpus, devices, ns);
    }

    public ExitContext withUserspace(boolean u) {
        return new ExitContext(kind, u, wakeProbability, deliversInterrupt, vcpus, devices, idleNs);
    }
}
