package io.exitscope.model.sim;

import io.exitscope.model.ExitContext;
import io.exitscope.model.ExitKind;

import java.io.IOException;
import java.util.List;

/**
 * vCPU pairs ping-pong IPIs: one sends a SIGP (handled in the kernel, which kicks the target)
 * and waits; the target wakes from its wait, thinks, and sends one back. With an odd number of
 * vCPUs the last one idles like the {@code wait} workload.
 */
final class SigpWorkload implements Workload {
    @Override
    public void run(Simulation sim, List<SimVcpu> vcpus) throws IOException {
        double think = sim.workload("think");
        long order = (long) sim.workload("order");
        for (int i = 0; i + 1 < vcpus.size(); i += 2) pair(vcpus.get(i), vcpus.get(i + 1), think, order);
        if (vcpus.size() % 2 == 1) {
            WaitWorkload.runOne(vcpus.get(vcpus.size() - 1), sim.config().number("workload.wait.busy"),
                    sim.config().number("workload.wait.idle"));
        }
    }

    private static void pair(SimVcpu a, SimVcpu b, double think, long order) throws IOException {
        a.partner(b.id());
        b.partner(a.id());
        SimVcpu sender = a, receiver = b;
        SimExit receiverWait = receiver.beginWait(waitContext(receiver));
        while (true) {
            sender.runGuest(sender.exponential(think));
            if (sender.done()) break;
            SimExit sigp = sender.exit(sender.context(ExitKind.sigp(order), false));
            // the kernel made the target's interrupt pending when the handler ran
            receiver.finishWait(receiverWait, sigp.handlerDone() > 0 ? sigp.handlerDone() : sigp.end());
            sender.runGuest(300);
            if (sender.done()) break;
            receiverWait = sender.beginWait(waitContext(sender));
            SimVcpu t = sender;
            sender = receiver;
            receiver = t;
        }
        // the trace ends with one vCPU still waiting: that exit stays open, as in a real recording
    }

    private static ExitContext waitContext(SimVcpu v) {
        return v.context(ExitKind.WAIT, false).withInterrupt(true);
    }
}
