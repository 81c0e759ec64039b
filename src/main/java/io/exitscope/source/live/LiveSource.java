package io.exitscope.source.live;

import io.exitscope.event.Event;
import io.exitscope.event.EventFormat;
import io.exitscope.event.EventFormats;
import io.exitscope.event.EventStream;
import io.exitscope.event.HeaderPage;
import io.exitscope.event.RawEvent;
import io.exitscope.event.SimpleEvent;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.TraceSource;
import io.exitscope.source.ringbuffer.PageCursor;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * KVM tracepoints live from a private tracefs instance. One reader thread per CPU reads
 * {@code per_cpu/cpuN/trace_pipe_raw} a sub-buffer at a time; the consumer merges the CPUs into
 * one timestamp-ordered stream. An event is released once no CPU can still deliver an older one:
 * every CPU either has a later event queued, or is idle and the newest timestamp seen anywhere is
 * more than the merge slack ahead — so a vCPU thread that migrates between CPUs is paired in order.
 * When no data arrives for the slack in wall time, everything pending is released.
 *
 * <p>The instance is removed on {@link #close()}, and by a shutdown hook on SIGINT, SIGTERM and
 * SIGHUP; instances of killed exitscope processes are removed at the next start.
 */
public final class LiveSource implements TraceSource {
    public static final long DEFAULT_SLACK_NS = 50_000_000L;

    private final TracefsInstance instance;
    private final HeaderPage header;
    private final EventFormats formats;
    private final int pageSize;
    private final boolean bigEndian = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;
    private final List<Integer> cpus;
    private final long slackNs;
    private final Thread shutdownHook;
    private final io.exitscope.util.IntMap<String> comms = new io.exitscope.util.IntMap<>();
    private final LinkedBlockingQueue<Page> queue = new LinkedBlockingQueue<>();
    private final List<Reader> readers = new ArrayList<>();
    private final AtomicLong pagesRead = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private volatile BiConsumer<Integer, byte[]> pageListener;
    private volatile boolean stopping;
    private boolean started;
    private final TraceInfo info;

    private record Page(int cpu, byte[] data, int length) {}

    private LiveSource(TracefsInstance instance, long slackNs) throws IOException {
        this.instance = instance;
        this.header = instance.headerPage();
        this.formats = instance.formats();
        this.pageSize = subBufferSize(instance, header);
        this.cpus = instance.cpus();
        this.slackNs = slackNs;
        this.shutdownHook = new Thread(this::teardown, "exitscope-teardown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        String uname = null;
        try {
            uname = TracefsFiles.read(Path.of("/proc/version")).strip();
        } catch (IOException ignored) {
            // informational only
        }
        this.info = new TraceInfo("live:" + instance.dir(), "live tracefs", 0, "none", bigEndian, 8, header.kernelLongSize(),
                pageSize, instance.clock(), List.of(), cpus.size(), cpus.size(), uname, null,
                List.of(new TraceInfo.Buffer(instance.dir().getFileName().toString(), instance.clock(), pageSize, List.of())),
                Map.of(), null, 0, List.of(), false, List.of(), List.of(), formats.size(), false);
    }

    /**
     * Finds (or mounts) tracefs, removes stale exitscope instances, creates ours and starts tracing.
     */
    public static LiveSource start(TracefsInstance.Config cfg, long slackNs, PrintWriter log) throws IOException, Tracefs.UnavailableException {
        Path tracefs = Tracefs.findOrMount();
        TracefsInstance.removeStale(tracefs, log);
        TracefsInstance inst = TracefsInstance.create(tracefs, cfg);
        try {
            return new LiveSource(inst, slackNs);
        } catch (IOException | RuntimeException e) {
            inst.close();
            throw e;
        }
    }

    /** The sub-buffer size: {@code buffer_subbuf_size_kb} on new kernels, else the header page's. */
    static int subBufferSize(TracefsInstance inst, HeaderPage header) {
        Path f = inst.dir().resolve("buffer_subbuf_size_kb");
        try {
            if (Files.exists(f)) return Integer.parseInt(TracefsFiles.read(f).strip()) * 1024;
        } catch (IOException | NumberFormatException ignored) {
            // fall back to the header
        }
        return header.subBufferSize();
    }

    public TracefsInstance instance() {
        return instance;
    }

    public HeaderPage headerPage() {
        return header;
    }

    public EventFormats formats() {
        return formats;
    }

    public int pageSize() {
        return pageSize;
    }

    public List<Integer> cpus() {
        return cpus;
    }

    /** Receives every raw page as read (reader threads; for recording). Set before {@link #events()}. */
    public void setPageListener(BiConsumer<Integer, byte[]> l) {
        this.pageListener = l;
    }

    public long pagesRead() {
        return pagesRead.get();
    }

    public long bytesRead() {
        return bytesRead.get();
    }

    @Override
    public TraceInfo info() {
        return info;
    }

    /** Starts the per-CPU readers; returns the merged stream (only one per source). */
    @Override
    public synchronized LiveStream events() throws IOException {
        if (started) throw new IllegalStateException("live events can be read once");
        started = true;
        for (int cpu : cpus) {
            Reader r = new Reader(cpu, FileChannel.open(instance.rawPipe(cpu), StandardOpenOption.READ));
            readers.add(r);
            r.start();
        }
        return new LiveStream();
    }

    /** One CPU's reader: blocking reads of one sub-buffer each, handed to the consumer. */
    private final class Reader extends Thread {
        final int cpu;
        final FileChannel ch;

        Reader(int cpu, FileChannel ch) {
            super("exitscope-cpu" + cpu);
            setDaemon(true);
            this.cpu = cpu;
            this.ch = ch;
        }

        @Override
        public void run() {
            try {
                while (!stopping) {
                    byte[] buf = new byte[pageSize];
                    ByteBuffer b = ByteBuffer.wrap(buf);
                    int n = ch.read(b);
                    if (n <= 0) {
                        if (stopping) break;
                        // tracing off and buffer empty: nothing to block on; poll gently
                        Thread.sleep(10);
                        continue;
                    }
                    pagesRead.incrementAndGet();
                    bytesRead.addAndGet(n);
                    BiConsumer<Integer, byte[]> l = pageListener;
                    if (l != null) l.accept(cpu, buf);
                    queue.add(new Page(cpu, buf, n));
                }
            } catch (java.nio.channels.ClosedChannelException e) {
                // closed by close(): the normal way out
            } catch (IOException e) {
                if (!stopping) queue.add(new Page(cpu, null, -1)); // tell the consumer this CPU failed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void shutdown() {
            try {
                ch.close(); // wakes the blocked read
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /** Per-CPU decode state in the consumer. */
    private final class CpuState {
        final int cpu;
        final ArrayDeque<Page> pages = new ArrayDeque<>();
        final PageCursor cursor = new PageCursor(header, bigEndian);
        final RawEvent event = new RawEvent(bigEndian, "", pid -> comm(pid));
        byte[] current;
        boolean hasHead;      // a decoded event (or lost marker) waits in event/lost
        Event lost;
        long ts;
        int lastPid = -1;

        CpuState(int cpu) {
            this.cpu = cpu;
        }

        /** Makes the next record of this CPU the head, if any data is queued. */
        void fill() {
            while (!hasHead) {
                if (current != null) {
                    boolean ok;
                    try {
                        ok = cursor.next();
                    } catch (PageCursor.PageException e) {
                        malformedPages++;
                        ok = false;
                    }
                    if (ok) {
                        event.set(current, cursor.payload, cursor.payloadLength, 0, cpu, null);
                        EventFormat f = formats.byId(event.uint16(cursor.payload));
                        if (f == null) {
                            unknownEvents++;
                            continue;
                        }
                        event.set(current, cursor.payload, cursor.payloadLength, cursor.timestamp, cpu, f);
                        // name threads while they exist: short-lived ones are gone by the time anyone asks
                        int pid = event.pid();
                        if (pid != lastPid) {
                            lastPid = pid;
                            comm(pid);
                        }
                        ts = cursor.timestamp;
                        hasHead = true;
                        return;
                    }
                    current = null;
                }
                Page p = pages.poll();
                if (p == null) return;
                current = p.data;
                try {
                    cursor.reset(p.data, 0, p.length);
                } catch (PageCursor.PageException e) {
                    malformedPages++;
                    current = null;
                    continue;
                }
                long m = cursor.missedEvents();
                if (m != 0) {
                    lost = SimpleEvent.lost(cursor.pageTimestamp(), cpu, "", m);
                    ts = cursor.pageTimestamp();
                    hasHead = true;
                    return;
                }
            }
        }

        Event head() {
            return lost != null ? lost : event;
        }

        void consume() {
            if (lost != null) lost = null;
            hasHead = false;
        }
    }

    private long malformedPages, unknownEvents;

    /** The merged live stream. {@link #advance(long)} waits at most the given time. */
    public final class LiveStream implements EventStream {
        private final Map<Integer, CpuState> states = new HashMap<>();
        private final List<CpuState> order = new ArrayList<>();
        private long newestTs = Long.MIN_VALUE;
        private long lastDataNanos = System.nanoTime();
        private Event current;
        private CpuState currentState;
        private boolean ended;

        LiveStream() {
            for (int cpu : cpus) {
                CpuState s = new CpuState(cpu);
                states.put(cpu, s);
                order.add(s);
            }
        }

        /** Blocks until the next event; false when the source was closed and drained. */
        @Override
        public boolean advance() throws IOException {
            while (true) {
                int r = advance(Long.MAX_VALUE);
                if (r == EVENT) return true;
                if (r == END) return false;
            }
        }

        public static final int EVENT = 0, TIMEOUT = 1, END = 2;

        /**
         * Moves to the next event if one is released within {@code maxWaitNanos}.
         *
         * @return {@link #EVENT}, {@link #TIMEOUT} or {@link #END}
         */
        public int advance(long maxWaitNanos) throws IOException {
            if (currentState != null) {
                currentState.consume();
                currentState = null;
            }
            long deadline = maxWaitNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + maxWaitNanos;
            while (true) {
                drain();
                CpuState best = null;
                boolean allHaveHead = true;
                for (CpuState s : order) {
                    s.fill();
                    if (s.hasHead) {
                        if (best == null || Long.compareUnsigned(s.ts, best.ts) < 0) best = s;
                        if (newestTs == Long.MIN_VALUE || Long.compareUnsigned(s.ts, newestTs) > 0) newestTs = s.ts;
                    } else {
                        allHaveHead = false;
                    }
                }
                boolean quiet = System.nanoTime() - lastDataNanos >= slackNs;
                boolean finished = stopping && queue.isEmpty();
                if (best != null && (allHaveHead || quiet || finished || Long.compareUnsigned(best.ts + slackNs, newestTs) <= 0)) {
                    currentState = best;
                    current = best.head();
                    return EVENT;
                }
                if (best == null && finished) {
                    ended = true;
                    return END;
                }
                long now = System.nanoTime();
                if (now >= deadline) return TIMEOUT;
                long wait = Math.min(deadline - now, Math.max(1_000_000L, slackNs / 4));
                try {
                    Page p = queue.poll(wait, TimeUnit.NANOSECONDS);
                    if (p != null) accept(p);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return END;
                }
            }
        }

        private void drain() {
            Page p;
            while ((p = queue.poll()) != null) accept(p);
        }

        private void accept(Page p) {
            if (p.data == null) return; // a reader failed; its CPU just stops contributing
            lastDataNanos = System.nanoTime();
            states.get(p.cpu).pages.add(p);
        }

        @Override
        public Event current() {
            return current;
        }

        public boolean ended() {
            return ended;
        }

        @Override
        public void close() {
            LiveSource.this.close();
        }
    }

    private synchronized String comm(int pid) {
        String c = comms.get(pid);
        if (c == null) {
            if (pid == 0) c = "<idle>";
            else {
                try {
                    c = TracefsFiles.read(Path.of("/proc/" + pid + "/comm")).strip();
                } catch (IOException e) {
                    c = "<...>";
                }
            }
            if (comms.size() < 65536) comms.put(pid, c);
        }
        return c;
    }

    /** Command names of the threads seen so far (for the recorded file's saved cmdlines). */
    public synchronized Map<Integer, String> commsSeen() {
        Map<Integer, String> m = new HashMap<>();
        comms.forEachEntry(m::put);
        return m;
    }

    /** Pages that could not be decoded and events of unknown type, skipped (live never dies on them). */
    public long malformedPages() {
        return malformedPages;
    }

    public long unknownEvents() {
        return unknownEvents;
    }

    /**
     * Stops tracing and lets the readers take what is still in the ring buffer (until nothing
     * came for a little while), then closes them: the stream drains what was read, then ends.
     */
    public void stop() {
        if (stopping) return;
        try {
            Files.writeString(instance.dir().resolve("tracing_on"), "0");
        } catch (IOException ignored) {
            // instance already gone
        }
        long last = -1;
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (started && System.nanoTime() < deadline) {
            long now = pagesRead.get();
            if (now == last) break;
            last = now;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stopping = true;
        for (Reader r : readers) r.shutdown();
        for (Reader r : readers) {
            try {
                r.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void teardown() {
        stop();
        instance.close();
    }

    @Override
    public void close() {
        teardown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // already shutting down: the hook is running or ran
        }
    }
}
