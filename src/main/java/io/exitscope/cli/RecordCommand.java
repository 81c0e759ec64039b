package io.exitscope.cli;

import io.exitscope.event.Event;
import io.exitscope.source.live.LivePump;
import io.exitscope.source.live.LiveRecorder;
import io.exitscope.source.live.LiveSource;
import io.exitscope.util.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Objects;
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
        LiveRecorder rec;
        LiveOptions.FinishOnSignal finish = new LiveOptions.FinishOnSignal(src);
        try (src; finish) {
            rec = LiveOptions.record(src, output, fileVersion, comp);
            boolean ok = false;
            try {
                LiveSource.LiveStream s = src.events();
                err.println("exitscope: recording " + src.instance().enabledEvents().size() + " events on " + src.cpus().size()
                        + " CPUs into " + output + (duration == null ? "; Ctrl-C to stop" : " for " + duration));
                err.flush();
                LivePump pump = new LivePump(src, Long.MAX_VALUE, durationNs, 200_000_000L);
                pump.run(s, new LivePump.Handler() {
                    @Override
                    public void event(Event e) {
                        if (e.kind() == Event.Kind.LOST) lost[0] += Math.max(0, e.lostCount());
                        else events[0]++;
                    }

                    @Override
                    public void check(long now) {
                        if (rec.failure() != null) pump.stopTracing(); // the disk is full: keep what is written
                    }
                });
                LiveOptions.finishRecording(rec, src, output, err, false);
                ok = true;
            } finally {
                if (!ok) rec.abort();
            }
            // said before finish closes: on a signal, closing it lets the JVM's shutdown go on, and
            // the JVM halts without waiting for this thread (RecordFaultsTest saw the message lost)
            return summary(rec, events[0], lost[0], finish.signalled(), err);
        } catch (IOException | RuntimeException e) {
            // a signal while starting: the teardown removed the instance under the start
            if (finish.signalled()) throw new Main.ExitCodeException(Main.EXIT_ERROR, "stopped by a signal before recording began; nothing written");
            throw e;
        }
    }

    /** The last line: what was kept and lost, and why the recording ended; the exit code. */
    private int summary(LiveRecorder rec, long events, long lost, boolean signalled, PrintWriter err) {
        long notWritten = rec.eventsDropped();
        String counts = "kept " + (events - notWritten) + " events in " + output + ", lost " + (lost + notWritten)
                + " (" + lost + " dropped by the kernel, " + notWritten + " not written)";
        if (rec.failure() != null) {
            err.println("exitscope: recording cut short: " + Objects.toString(rec.failure().getMessage(), rec.failure().toString()) + "; " + counts);
            err.flush();
            return Main.EXIT_ERROR;
        }
        if (signalled) {
            err.println("exitscope: recording stopped by a signal; " + counts);
            err.flush();
            return Main.EXIT_ERROR; // the JVM exits with 128 + the signal's number
        }
        err.println("exitscope: " + events + " events, " + lost + " lost");
        err.flush();
        return 0;
    }
}
