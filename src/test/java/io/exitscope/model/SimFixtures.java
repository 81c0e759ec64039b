package io.exitscope.model;

import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.model.sim.SimOptions;
import io.exitscope.model.sim.Simulator;
import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceSource;
import io.exitscope.source.InputFormat;
import io.exitscope.source.tracedat.Compression;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Simulates small traces and analyses them. */
final class SimFixtures {
    private SimFixtures() {}

    static SimOptions options(String workload, int vcpus, double seconds, long seed, String profile) {
        ModelConfig c = ModelFixtures.config();
        return new SimOptions(workload, 100, 1, vcpus, seconds, seed, profile, c.profile(profile).switches(), true, null,
                Compression.ZSTD, 7);
    }

    static Path simulate(Path dir, String name, SimOptions o) throws IOException {
        Path out = dir.resolve(name);
        Simulator.run(o, ModelFixtures.config(), out);
        return out;
    }

    static AnalysisResult analyse(Path file) throws IOException {
        try (TraceSource s = TraceFiles.open(file, InputFormat.AUTO)) {
            return TraceAnalysis.run(List.of(s), AnalysisOptions.ALL);
        }
    }

    /** The group of a (reason, subkey) key, grouped by subkey. */
    static StatsSnapshot.Group group(AnalysisResult r, String subkeyContains) {
        for (StatsSnapshot.Group g : r.stats().snapshot(GroupBy.parse("subkey")).groups()) {
            if (g.key().subkey() != null && g.key().subkey().contains(subkeyContains)) return g;
        }
        throw new AssertionError("no group with subkey containing '" + subkeyContains + "'");
    }
}
