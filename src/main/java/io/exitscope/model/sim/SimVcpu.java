package io.exitscope.model.sim;

import io.exitscope.model.ExitContext;
import io.exitscope.model.ExitKind;
import io.exitscope.model.ExitPath;

import java.io.IOException;
import java.util.SplittableRandom;

/**
 * One simulated vCPU thread: its own host CPU, its own random stream (so a seed gives the same
 * trace whatever the other vCPUs do) and a clock that only moves forward. Between the workload's
 * exits the guest runs; other exits arrive during that time as Poisson processes.
 */
final class SimVcpu {
    private final int id;
    private final Simulation sim;
    private final SplittableRandom rng;
    private double now;
    private int partner = -1;

    SimVcpu(int id, Simulation sim, SplittableRandom rng, double start) {
        this.id = id;
        this.sim = sim;
        this.rng = rng;
        this.now = start;
    }

    int id() {
        return id;
    }

    int cpu() {
        return id;
    }

    int pid() {
        return Simulation.FIRST_PID + id;
    }

    double now() {
        return now;
    }

    SplittableRandom rng() {
        return rng;
    }

    SimTraceFile trace() {
        return sim.trace();
    }

    void partner(int p) {
        partner = p;
    }

    int partnerAddress() {
        return Math.max(0, partner);
    }

    boolean done() {
        return now >= sim.end();
    }

    /** Exponential with this mean. */
    double exponential(double mean) {
        return -mean * Math.log(1 - rng.nextDouble());
    }

    /** The guest runs for {@code ns} of its own time; background exits interrupt it. */
    void runGuest(double ns) throws IOException {
        double left = ns;
        double rate = sim.backgroundRatePerNs();
        while (rate > 0) {
            double gap = exponential(1 / rate);
            if (gap >= left) break;
            now += gap;
            left -= gap;
            if (done()) return;
            exit(sim.backgroundContext(rng));
        }
        now += left;
    }

    /** An exit at the current time, run to its end. */
    SimExit exit(ExitContext c) throws IOException {
        SimExit e = newExit(c);
        now = e.run(now);
        return e;
    }

    /** A wait-state exit whose wake-up is not known yet: written up to the idle stage. */
    SimExit beginWait(ExitContext c) throws IOException {
        SimExit e = newExit(c.withIdle(0));
        e.begin(now);
        return e;
    }

    /** Finishes a {@link #beginWait} exit woken at {@code wakeNs}. */
    void finishWait(SimExit e, double wakeNs) throws IOException {
        e.wake(wakeNs);
        now = e.end();
    }

    private SimExit newExit(ExitContext c) {
        sim.count(c.kind());
        ExitPath path = sim.model().path(c.withVcpus(sim.options().vcpus()), sim.switches());
        return new SimExit(this, c, path, rng, sim.outlierProbability(), sim.outlierNs());
    }

    /** Convenience: the workload's exit kind with the switch set's userspace decision. */
    ExitContext context(ExitKind kind, boolean observedUserspace) {
        return sim.context(kind, observedUserspace);
    }
}
