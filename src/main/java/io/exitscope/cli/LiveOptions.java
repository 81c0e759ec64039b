package io.exitscope.cli;

import io.exitscope.source.live.HostFacts;
import io.exitscope.source.live.LiveRecorder;
import io.exitscope.source.live.LiveSource;
import io.exitscope.source.live.Tracefs;
import io.exitscope.source.live.TracefsInstance;
import io.exitscope.source.tracedat.Compression;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Options shared by the commands that trace this host: which VM, buffer size, recording. */
final class LiveOptions {
    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Only this VM (VMM process; all its threads, new ones included).")
    long pid = -1;

    @Option(names = {"-g", "--guest"}, paramLabel = "NAME", description = "Only the VM whose VMM was started with -name NAME.")
    String guest;

    @Option(names = "--buffer-kb", paramLabel = "KB", description = "Ring buffer per CPU in KiB (default 8192).")
    int bufferKb = 8192;

    @Option(names = {"-e", "--event"}, paramLabel = "SYSTEM/EVENT",
            description = "Also trace this tracepoint (repeatable), e.g. sched/sched_switch: recorded with the KVM events, not analysed.")
    List<String> extraEvents = new ArrayList<>();

    /** Thread ids to trace (empty: all). */
    List<Integer> pids() {
        return pids(pid, guest);
    }

    /** The threads of VMM process {@code pid}, or of the VMM started with {@code -name guest}; empty: all. */
    static List<Integer> pids(long pid, String guest) {
        long p = pid;
        if (guest != null) {
            for (HostFacts.Vmm v : HostFacts.vmms()) if (guest.equals(v.guestName())) p = v.pid();
            if (p < 0) throw new Main.ExitCodeException(Main.EXIT_ERROR, "no running VM named '" + guest + "' (no VMM process with /dev/kvm open and -name " + guest + ")");
        }
        List<Integer> out = new ArrayList<>();
        if (p >= 0) {
            out.addAll(HostFacts.threads(p));
            if (out.isEmpty()) throw new Main.ExitCodeException(Main.EXIT_ERROR, "no process " + p);
        }
        return out;
    }

    LiveSource start(long slackNs, PrintWriter err) throws IOException {
        for (String e : extraEvents) {
            if (!e.matches("[A-Za-z0-9_]+/[A-Za-z0-9_]+")) throw new Main.UsageException("--event must be SYSTEM/EVENT, e.g. sched/sched_switch: " + e);
        }
        List<String> events = new ArrayList<>(TracefsInstance.KVM_EVENTS);
        events.addAll(extraEvents);
        return start(bufferKb, pids(), events, slackNs, err);
    }

    /** Starts tracing the kvm events in a private instance; no tracefs or privileges: one sentence, exit 1. */
    static LiveSource start(int bufferKb, List<Integer> pids, long slackNs, PrintWriter err) throws IOException {
        return start(bufferKb, pids, TracefsInstance.KVM_EVENTS, slackNs, err);
    }

    private static LiveSource start(int bufferKb, List<Integer> pids, List<String> events, long slackNs, PrintWriter err) throws IOException {
        if (bufferKb < 4) throw new Main.UsageException("--buffer-kb must be at least 4");
        try {
            return LiveSource.start(new TracefsInstance.Config(bufferKb, pids, events), slackNs, err);
        } catch (Tracefs.UnavailableException e) {
            throw new Main.ExitCodeException(Main.EXIT_ERROR, e.getMessage());
        }
    }

    /**
     * Keeps the JVM from halting before a recording is finished when a signal arrives: the hook
     * stops tracing (the main loop then drains and closes the file) and waits for it.
     */
    static final class FinishOnSignal implements AutoCloseable {
        private final CountDownLatch done = new CountDownLatch(1);
        private final Thread hook;
        private volatile boolean signalled;

        FinishOnSignal(LiveSource src) {
            hook = new Thread(() -> {
                signalled = true;
                src.stop();
                try {
                    done.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "exitscope-finish-recording");
            Runtime.getRuntime().addShutdownHook(hook);
        }

        /** True when the JVM is shutting down (SIGINT, SIGTERM, SIGHUP): the recording was cut short. */
        boolean signalled() {
            return signalled;
        }

        @Override
        public void close() {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down: the hook is waiting for us and now returns
            }
        }
    }

    static LiveRecorder record(LiveSource src, Path out, int version, Compression c) throws IOException {
        if (version != 6 && version != 7) throw new Main.UsageException("--file-version must be 6 or 7");
        return LiveRecorder.attach(src, out, version, c);
    }

    static Compression compression(String name) {
        Compression c = Compression.byName(name);
        if (c == null) throw new Main.UsageException("--compression must be none, zlib or zstd");
        return c;
    }

    /** Writes the file; says so, and whether the disk filled before the end (unless the caller says it with its counts). */
    static void finishRecording(LiveRecorder rec, LiveSource src, Path out, PrintWriter err) throws IOException {
        finishRecording(rec, src, out, err, true);
    }

    static void finishRecording(LiveRecorder rec, LiveSource src, Path out, PrintWriter err, boolean sayCut) throws IOException {
        src.commsSeen().forEach(rec::comm);
        rec.close();
        err.println("exitscope: wrote " + out + " (" + java.nio.file.Files.size(out) + " bytes, " + src.pagesRead() + " pages read)");
        if (sayCut && rec.failure() != null) {
            err.println("exitscope: recording cut short: " + java.util.Objects.toString(rec.failure().getMessage(), rec.failure().toString())
                    + "; " + out + " holds the pages written until then (" + rec.eventsDropped() + " events read later were not written)");
        }
    }
}
