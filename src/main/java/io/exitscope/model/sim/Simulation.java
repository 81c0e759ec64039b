package io.exitscope.model.sim;

import io.exitscope.model.ExitContext;
import io.exitscope.model.ExitKind;
import io.exitscope.model.ExitPathModel;
import io.exitscope.model.ModelConfig;
import io.exitscope.model.SwitchSet;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** The shared state of one simulation run: model, switches, workload numbers, output, counters. */
final class Simulation {
    static final int FIRST_PID = 41000;

    private final SimOptions options;
    private final ModelConfig config;
    private final ExitPathModel model;
    private final SimTraceFile trace;
    private final double end;
    private final ExitKind[] backgroundKinds = {ExitKind.HOST_INTERRUPTION, ExitKind.EXTERNAL_REQUEST, ExitKind.IO_REQUEST, ExitKind.program(0x11)};
    private final double[] backgroundRates = new double[backgroundKinds.length];
    private final double backgroundTotal;
    private final Map<String, Long> counts = new TreeMap<>();
    private long transactions;

    Simulation(SimOptions options, ModelConfig config, SimTraceFile trace, double start) {
        this.options = options;
        this.config = config;
        this.model = new ExitPathModel(config);
        this.trace = trace;
        this.end = start + options.seconds() * 1e9;
        String[] keys = {"host-interruption", "external-request", "io-request", "program-interruption"};
        double total = 0;
        for (int i = 0; i < keys.length; i++) {
            backgroundRates[i] = options.background() ? config.number("workload.background." + keys[i], 0) : 0;
            total += backgroundRates[i];
        }
        this.backgroundTotal = total;
    }

    SimOptions options() {
        return options;
    }

    ModelConfig config() {
        return config;
    }

    ExitPathModel model() {
        return model;
    }

    SwitchSet switches() {
        return options.switches();
    }

    SimTraceFile trace() {
        return trace;
    }

    double end() {
        return end;
    }

    /** A number of the running workload's config section. */
    double workload(String key) {
        return config.number("workload." + options.workload() + "." + key);
    }

    double workload(String key, double otherwise) {
        return config.number("workload." + options.workload() + "." + key, otherwise);
    }

    double outlierProbability() {
        return config.number("model.outlier_probability", 0);
    }

    double outlierNs() {
        return config.number("model.outlier_ns", 0);
    }

    double backgroundRatePerNs() {
        return backgroundTotal / 1e9;
    }

    /** An exit of the workload: userspace or not as the switches decide, with the workload's facts. */
    ExitContext context(ExitKind kind, boolean observedUserspace) {
        return ExitContext.of(kind, ExitPathModel.toUserspace(kind, observedUserspace, switches()))
                .withVcpus(options.vcpus())
                .withDevices(options.disks() * options.queues())
                .withWake(workload("wake_probability", 1.0));
    }

    /** One of the background exits, chosen by rate. */
    ExitContext backgroundContext(SplittableRandom rng) {
        double x = rng.nextDouble() * backgroundTotal;
        int i = 0;
        while (i < backgroundRates.length - 1 && x >= backgroundRates[i]) x -= backgroundRates[i++];
        return context(backgroundKinds[i], false);
    }

    void count(ExitKind k) {
        counts.merge(k.label(), 1L, Long::sum);
    }

    void transaction() {
        transactions++;
    }

    Map<String, Long> counts() {
        return counts;
    }

    long transactions() {
        return transactions;
    }
}
