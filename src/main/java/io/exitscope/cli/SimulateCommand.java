package io.exitscope.cli;

import io.exitscope.model.ModelConfig;
import io.exitscope.model.SwitchSet;
import io.exitscope.model.sim.SimOptions;
import io.exitscope.model.sim.Simulator;
import io.exitscope.source.tracedat.Compression;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Writes a simulated s390 trace of a workload on the exit-path model. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        header = "Simulate a workload on the s390 exit-path model into a trace.dat.",
        description = {"Simulate a guest workload on the s390 exit-path model and write it as a",
                "trace.dat (v7, big endian, s390 KVM tracepoint formats) that trace-cmd reads.",
                "The file says it is simulated (SYNTHETIC option, UNAME, VERSION).",
                "Deterministic for a seed. Workloads:",
                "  diag500    virtio notifications (DIAG 0x500) to N disks, M queues",
                "  hypercall  a loop of in-kernel DIAG 0x500 hypercalls",
                "  rr         request/response networking (uperf TCP_RR-like)",
                "  sigp       vCPU pairs ping-ponging SIGP IPIs",
                "  wait       a mostly idle guest",
                "  bql        vCPUs issuing channel I/O that QEMU handles under its big lock"})
final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--workload", required = true, paramLabel = "W", description = "diag500, hypercall, rr, sigp, wait or bql")
    String workload;

    @Option(names = "--disks", paramLabel = "N", description = "Disks (diag500; default: the workload's config, else 100).")
    Integer disks;

    @Option(names = "--queues", paramLabel = "M", description = "Queues per disk (default: the workload's config, else 1).")
    Integer queues;

    @Option(names = "--vcpus", paramLabel = "V", description = "vCPUs (default 2).")
    int vcpus = 2;

    @Option(names = "--seconds", paramLabel = "S", description = "Simulated seconds (default 1).")
    double seconds = 1;

    @Option(names = "--seed", paramLabel = "K", description = "Random seed (default 1).")
    long seed = 1;

    @Option(names = "--profile", paramLabel = "P", description = "Switch set: a profile of the config (default: model.default_profile, i.e. current).")
    String profile;

    @Option(names = "--switch", paramLabel = "NAME=on|off", description = "Set one switch (repeatable; applied after --profile).")
    List<String> switches = new ArrayList<>();

    @Option(names = "--rate", paramLabel = "R", description = "Workload exits per second per vCPU (diag500, hypercall, bql).")
    Double rate;

    @Option(names = "--no-background", description = "Only the workload's exits, none of the [workload background] ones.")
    boolean noBackground;

    @Option(names = "--compression", paramLabel = "C", description = "zstd (default), zlib or none.")
    String compression = "zstd";

    @Option(names = "--file-version", paramLabel = "6|7", description = "trace.dat version (default 7; 6 is uncompressed).")
    int fileVersion = 7;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The trace.dat to write.")
    Path output;

    @Mixin
    ModelOptions model;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ModelConfig config = model.load();
        SimOptions o;
        try {
            String p = profile != null ? profile : config.defaultProfile().name();
            SwitchSet s = config.profile(p).switches().apply(switches);
            String named = switches.isEmpty() ? p : config.profileNamed(s);
            Compression c = switch (compression.toLowerCase()) {
                case "zstd" -> Compression.ZSTD;
                case "zlib" -> Compression.ZLIB;
                case "none" -> Compression.NONE;
                default -> throw new IllegalArgumentException("--compression must be zstd, zlib or none");
            };
            if (fileVersion == 6 && c != Compression.NONE) {
                if (!spec.commandLine().getParseResult().hasMatchedOption("--compression")) c = Compression.NONE;
                else throw new IllegalArgumentException("trace.dat v6 cannot be compressed");
            }
            if (fileVersion != 6 && fileVersion != 7) throw new IllegalArgumentException("--file-version must be 6 or 7");
            int d = disks != null ? disks : (int) config.number("workload." + workload + ".disks", 100);
            int q = queues != null ? queues : (int) config.number("workload." + workload + ".queues", 1);
            o = new SimOptions(workload, d, q, vcpus, seconds, seed, named, s, !noBackground, rate, c, fileVersion);
            if (!Simulator.workloads().contains(workload)) {
                throw new IllegalArgumentException("unknown workload '" + workload + "' (" + String.join(", ", Simulator.workloads()) + ")");
            }
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        Simulator.Summary sum = Simulator.run(o, config, output);
        PrintWriter w = spec.commandLine().getOut();
        w.printf("wrote %s: SIMULATED %s, %d vCPUs, %.3gs, seed %d, %d events%n", output, workload, vcpus, seconds, seed, sum.events());
        w.printf("switches %s%s%n", o.switches().describe(), o.profile() != null ? " (profile " + o.profile() + ")" : "");
        StringBuilder ex = new StringBuilder();
        for (Map.Entry<String, Long> e : sum.exitsByKind().entrySet()) ex.append(ex.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
        w.printf("exits    %s%n", ex);
        if (sum.transactions() > 0) w.printf("transactions %d (%.0f/s over %d vCPUs)%n", sum.transactions(), sum.transactions() / seconds, vcpus);
        w.flush();
        return 0;
    }
}
