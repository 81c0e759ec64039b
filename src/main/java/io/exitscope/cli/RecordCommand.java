package io.exitscope.cli;

import io.exitscope.event.Event;
import io.exitscope.source.live.LivePump;
import io.exitscope.source.live.LiveRecorder;
import io.exitscope.source.live.LiveSource;
import io.exitscope.util.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Records KVM tracepoints of this host to trace.dat. */
@Command(name = "record", mixinStandardHelpOptions = true,
        header = "Record KVM tracepoints of this host into a trace.dat.",
        description = {"Record KVM tracepoints of this host into a trace.dat (v7 zstd by default) that trace-cmd and",
                "KernelShark open, from a private tracefs instance. Stops after --duration or on Ctrl-C; the file is",
                "written either way."})
final class RecordCommand implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The trace.dat to write.")
    Path output;

    @Option(names = "--file-version", paramLabel = "N", description = "trace.dat version: 7 (default) or 6 (uncompressed).")
    int fileVersion = 7;

    @Option(names = "--compression", paramLabel = "ALG", description = "none, zlib or zstd (default) for version 7.")
    String compression = "zstd";

    @Option(names = "--duration", paramLabel = "TIME", description = "Stop after TIME (default: until interrupted).")
    String duration;

    @Mixin
    LiveOptions live;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @SuppressWarnings("try") // resources held open for their close (hooks, finish-on-signal), not used by name
    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        long durationNs;
        try {
            durationNs = duration == null ? Long.MAX_VALUE : Durations.parse(duration);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        var comp = LiveOptions.compression(compression);
        LiveSource src = live.start(LiveSource.DEFAULT_SLACK_NS, err);
        long[] events = {0}, lost = {0};
        try (src; LiveOptions.FinishOnSignal finish = new LiveOptions.FinishOnSignal(src)) {
            LiveRecorder rec = LiveOptions.record(src, output, fileVersion, comp);
            boolean ok = false;
            try {
                LiveSource.LiveStream s = src.events();
                err.println("exitscope: recording " + src.instance().enabledEvents().size() + " kvm events on " + src.cpus().size()
                        + " CPUs into " + output + (duration == null ? "; Ctrl-C to stop" : " for " + duration));
                err.flush();
                LivePump pump = new LivePump(src, Long.MAX_VALUE, durationNs, 200_000_000L);
                pump.run(s, e -> {
                    if (e.kind() == Event.Kind.LOST) lost[0] += Math.max(0, e.lostCount());
                    else events[0]++;
                });
                LiveOptions.finishRecording(rec, src, output, err);
                ok = true;
            } finally {
                if (!ok) rec.abort();
            }
        }
        err.println("exitscope: " + events[0] + " events, " + lost[0] + " lost");
        return 0;
    }
}
