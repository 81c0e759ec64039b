package io.exitscope.model.sim;

import io.exitscope.model.ExitKind;

import java.io.IOException;
import java.util.List;

/** A mostly idle guest: a burst of work, then an enabled wait until its clock comparator fires. */
final class WaitWorkload implements Workload {
    @Override
    public void run(Simulation sim, List<SimVcpu> vcpus) throws IOException {
        double busy = sim.config().number("workload.wait.busy");
        double idle = sim.config().number("workload.wait.idle");
        for (SimVcpu v : vcpus) runOne(v, busy, idle);
    }

    static void runOne(SimVcpu v, double busy, double idle) throws IOException {
        while (true) {
            v.runGuest(v.exponential(busy));
            if (v.done()) break;
            v.exit(v.context(ExitKind.WAIT, false).withInterrupt(true).withIdle(v.exponential(idle)));
        }
    }
}
