package io.exitscope.model.sim;

import io.exitscope.model.ModelConfig;
import io.exitscope.model.Switch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Simulates a workload on the s390 exit-path model and writes it as a trace.dat that trace-cmd
 * reads. Deterministic: the same options, seed and config give the same file.
 */
public final class Simulator {
    private Simulator() {}

    /** Boot-relative time of the first event: a host that has been up for a while. */
    static final double START_NS = 1_000_000_000_000d;

    /** What was simulated. */
    public record Summary(Path file, long events, Map<String, Long> exitsByKind, long transactions, double seconds, String description) {}

    public static Summary run(SimOptions options, ModelConfig config, Path out) throws IOException {
        Workload workload = Workload.named(options.workload());
        Map<Integer, String> comms = new LinkedHashMap<>();
        for (int i = 0; i < options.vcpus(); i++) comms.put(Simulation.FIRST_PID + i, "qemu-system-s39");
        String description = "simulated by exitscope " + version() + ": " + options.describe();
        SimTraceFile.Metadata meta = new SimTraceFile.Metadata(options.fileVersion(), options.compression(),
                "Linux kvm-s390-sim 6.8.0-exitscope-simulated #1 SMP simulated trace s390x GNU/Linux",
                "exitscope " + version() + " simulator (simulated data, not a recording)", description, options.vcpus(),
                kallsyms(options.switches().on(Switch.KVM_BUILTIN)), comms);
        SimTraceFile trace = new SimTraceFile(out, meta);
        boolean ok = false;
        try {
            Simulation sim = new Simulation(options, config, trace, START_NS);
            SplittableRandom root = new SplittableRandom(options.seed());
            List<SimVcpu> vcpus = new ArrayList<>();
            for (int i = 0; i < options.vcpus(); i++) {
                SplittableRandom r = root.split();
                // vCPUs do not start in lock step
                vcpus.add(new SimVcpu(i, sim, r, START_NS + r.nextDouble() * 10_000));
            }
            workload.run(sim, vcpus);
            trace.close();
            ok = true;
            return new Summary(out, trace.events(), sim.counts(), sim.transactions(), options.seconds(), description);
        } finally {
            if (!ok) trace.abort();
        }
    }

    /** The workload names {@code simulate} knows. */
    public static java.util.List<String> workloads() {
        return Workload.NAMES;
    }

    static String version() {
        String v = Simulator.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** A few KVM symbols, marked as module symbols unless KVM is built in (kallsyms is the evidence). */
    static String kallsyms(boolean builtin) {
        String[][] syms = {
                {"00000000001a0400", "T", "kvm_vcpu_ioctl"},
                {"00000000001a2c80", "T", "kvm_arch_vcpu_ioctl_run"},
                {"00000000001a3100", "t", "vcpu_post_run"},
                {"00000000001a3400", "t", "vcpu_pre_run"},
                {"00000000001a5a00", "T", "kvm_handle_sie_intercept"},
                {"00000000001a7200", "T", "kvm_s390_handle_diag"},
                {"00000000001a9000", "T", "kvm_io_bus_write_cookie"},
        };
        StringBuilder sb = new StringBuilder();
        sb.append("0000000000100000 T _stext\n0000000000112340 T __sie64a\n");
        for (String[] s : syms) {
            if (builtin) sb.append(s[0]).append(' ').append(s[1]).append(' ').append(s[2]).append('\n');
            else sb.append("000003ff8").append(s[0].substring(9)).append(' ').append(s[1].toLowerCase()).append(' ').append(s[2]).append("\t[kvm]\n");
        }
        return sb.toString();
    }
}
