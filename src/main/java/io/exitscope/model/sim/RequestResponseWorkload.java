package io.exitscope.model.sim;

import io.exitscope.model.ExitKind;
import io.exitscope.model.Lognormal;

import java.io.IOException;
import java.util.List;

/**
 * Request/response networking like uperf TCP_RR: build a request, notify the TX queue
 * (DIAG 0x500), wait in an enabled wait state until the answer's interrupt arrives one network
 * round trip later, consume it. Each vCPU runs one connection.
 */
final class RequestResponseWorkload implements Workload {
    @Override
    public void run(Simulation sim, List<SimVcpu> vcpus) throws IOException {
        double think = sim.workload("think");
        double rtt = sim.workload("network_rtt");
        for (SimVcpu v : vcpus) {
            while (true) {
                v.runGuest(v.exponential(think));
                if (v.done()) break;
                SimExit notify = v.exit(v.context(ExitKind.diag(0x500), false));
                double answer = notify.handlerDone() > 0 ? notify.handlerDone() : v.now();
                answer += Lognormal.sample(rtt, 0.15, v.rng());
                v.runGuest(300);
                if (v.done()) break;
                SimExit wait = v.beginWait(v.context(ExitKind.WAIT, false).withInterrupt(true));
                v.finishWait(wait, answer);
                sim.transaction();
            }
        }
    }
}
