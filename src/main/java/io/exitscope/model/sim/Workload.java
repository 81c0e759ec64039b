package io.exitscope.model.sim;

import java.io.IOException;
import java.util.List;

/** A guest behaviour that drives vCPUs through exits until the simulated time is over. */
interface Workload {
    void run(Simulation sim, List<SimVcpu> vcpus) throws IOException;

    /** The workloads by name; see {@code [workload NAME]} in the config. */
    static Workload named(String name) {
        return switch (name) {
            case "diag500", "hypercall" -> new NotifyWorkload(io.exitscope.model.ExitKind.diag(0x500), false);
            case "bql" -> new NotifyWorkload(io.exitscope.model.ExitKind.instruction(0xb233), true);
            case "rr" -> new RequestResponseWorkload();
            case "sigp" -> new SigpWorkload();
            case "wait" -> new WaitWorkload();
            default -> throw new IllegalArgumentException("unknown workload '" + name + "' (" + String.join(", ", NAMES) + ")");
        };
    }

    List<String> NAMES = List.of("diag500", "hypercall", "rr", "sigp", "wait", "bql");
}
