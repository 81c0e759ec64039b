package io.exitscope.cli;

import picocli.CommandLine.Option;

/** {@code --threads}: how many threads decode a trace.dat's CPUs (dump, and every command reading trace files). */
final class DecodeThreadsOption {
    @Option(names = "--threads", paramLabel = "N",
            description = "Threads that decode a trace.dat's CPUs besides the one that merges them (default: the cores available from 3 cores on, else 1: ${DEFAULT-VALUE}); 1 decodes on one thread. Output is the same for every N.")
    int threads = defaultThreads(Runtime.getRuntime().availableProcessors());

    /**
     * Workers pay for themselves only with a core to spare beside the merging thread and the JIT:
     * on 2 cores, 2 workers took 1.93 s against 1.25 s on one thread for dump --count of the
     * 8.8 M-event file (bench/decode-vs-tracecmd.sh FILE 3, load 0.3), handing batches over costing
     * ~25 % more CPU.
     */
    static int defaultThreads(int cores) {
        return cores <= 2 ? 1 : cores;
    }

    int threads() {
        if (threads < 1) throw new Main.UsageException("--threads must be at least 1, not " + threads);
        return threads;
    }
}
