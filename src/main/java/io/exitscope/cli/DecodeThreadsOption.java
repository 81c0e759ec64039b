package io.exitscope.cli;

import picocli.CommandLine.Option;

/** {@code --threads}: how many threads decode a trace.dat's CPUs (dump, and every command reading trace files). */
final class DecodeThreadsOption {
    @Option(names = "--threads", paramLabel = "N",
            description = "Threads that decode a trace.dat's CPUs besides the one that merges them (default: the cores available, ${DEFAULT-VALUE}); 1 decodes on one thread. Output is the same for every N.")
    int threads = Runtime.getRuntime().availableProcessors();

    int threads() {
        if (threads < 1) throw new Main.UsageException("--threads must be at least 1, not " + threads);
        return threads;
    }
}
