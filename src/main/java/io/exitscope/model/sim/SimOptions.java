package io.exitscope.model.sim;

import io.exitscope.model.SwitchSet;
import io.exitscope.source.tracedat.Compression;

/**
 * What to simulate.
 *
 * @param rate       exits (notifications, hypercalls, SSCHs) per second per vCPU; null: the workload's config rate
 * @param background also the other exits any guest makes ({@code [workload background]} rates)
 */
public record SimOptions(String workload, int disks, int queues, int vcpus, double seconds, long seed, String profile,
                         SwitchSet switches, boolean background, Double rate, Compression compression, int fileVersion) {

    public SimOptions {
        if (vcpus < 1 || vcpus > 4096) throw new IllegalArgumentException("--vcpus must be 1..4096, got " + vcpus);
        if (disks < 1 || queues < 1) throw new IllegalArgumentException("--disks and --queues must be at least 1");
        if (!(seconds > 0) || seconds > 3600) throw new IllegalArgumentException("--seconds must be in (0, 3600], got " + seconds);
        if (rate != null && !(rate > 0)) throw new IllegalArgumentException("--rate must be positive");
    }

    public SimOptions withSwitches(SwitchSet s, String profileName) {
        return new SimOptions(workload, disks, queues, vcpus, seconds, seed, profileName, s, background, rate, compression, fileVersion);
    }

    public SimOptions withSeed(long s) {
        return new SimOptions(workload, disks, queues, vcpus, seconds, s, profile, switches, background, rate, compression, fileVersion);
    }

    public SimOptions withVcpus(int n) {
        return new SimOptions(workload, disks, queues, n, seconds, seed, profile, switches, background, rate, compression, fileVersion);
    }

    public SimOptions withDisks(int n) {
        return new SimOptions(workload, n, queues, vcpus, seconds, seed, profile, switches, background, rate, compression, fileVersion);
    }

    /** One line for the SYNTHETIC option; {@code switches=} and {@code profile=} are read back by the model. */
    public String describe() {
        return "workload=" + workload + " disks=" + disks + " queues=" + queues + " vcpus=" + vcpus + " seconds=" + seconds + " seed=" + seed
                + (rate != null ? " rate=" + rate : "") + " background=" + (background ? "on" : "off")
                + " profile=" + (profile == null ? "-" : profile) + " switches=" + switches.describe();
    }
}
