package io.exitscope.cli;

import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceSource;
import io.exitscope.util.Durations;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Options shared by the commands that analyse trace files: format, time window, filters. */
final class TraceInputs {
    /**
     * What FILE may be, in every file command's help: one text, so that no command's help lags
     * behind the readers (report's and model's still said "trace.dat or text traces" a day after
     * perf.data could be read).
     */
    static final String FILES = "trace.dat (v6/v7), perf.data, or a text trace (ftrace, trace-cmd report, perf script; .gz ok)";

    @picocli.CommandLine.Mixin
    InputFormatOption inputFormat;

    @Mixin
    DecodeThreadsOption decode = new DecodeThreadsOption();

    @Option(names = "--from", paramLabel = "TIME", description = "Keep exits from TIME after the trace start (e.g. 1.5s, 200ms).")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "Keep exits up to TIME after the trace start.")
    String to;

    @Option(names = "--tid", paramLabel = "TID", description = "Only this vCPU thread.")
    int tid = -1;

    @Option(names = "--vcpu", paramLabel = "N", description = "Only this vCPU id.")
    int vcpu = -1;

    @Option(names = "--vm", paramLabel = "NAME", description = "Only this VM (guest name or VMM comm as shown with --by vm).")
    String vm;

    AnalysisOptions options() {
        try {
            long f = from == null ? Long.MIN_VALUE : Durations.parse(from);
            long t = to == null ? Long.MAX_VALUE : Durations.parse(to);
            if (f > t) throw new Main.UsageException("--from " + from + " is after --to " + to);
            return new AnalysisOptions(f, t, tid, vcpu, vm);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
    }

    List<TraceSource> open(List<Path> files) throws IOException {
        List<TraceSource> out = new ArrayList<>();
        try {
            int threads = decode.threads();
            for (Path p : files) out.add(TraceFiles.open(p, inputFormat.value, threads));
        } catch (IOException | RuntimeException e) {
            for (TraceSource s : out) s.close();
            throw e;
        }
        return out;
    }

    static void closeAll(List<TraceSource> sources) {
        for (TraceSource s : sources) {
            try {
                s.close();
            } catch (IOException ignored) {
                // reading is over; nothing to save
            }
        }
    }
}
