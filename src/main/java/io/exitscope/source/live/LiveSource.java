package io.exitscope.source.live;

import io.exitscope.event.Event;
import io.exitscope.event.EventFormats;
import io.exitscope.event.EventStream;
import io.exitscope.event.HeaderPage;
import io.exitscope.event.RawEvent;
import io.exitscope.event.SimpleEvent;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.TraceSource;
import io.exitscope.source.ringbuffer.CpuRecords;
import io.exitscope.source.ringbuffer.PageCursor;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * KVM tracepoints live from a private tracefs instance. One reader thread per CPU reads
 * {@code per_cpu/cpuN/trace_pipe_raw} a sub-buffer at a time; the consumer merges the CPUs into
 * one timestamp-ordered stream. An event is released once no CPU can still deliver an older one:
 * every CPU either has a later event queued, or is idle and the newest timestamp seen anywhere is
 * more than the merge slack ahead — so a vCPU thread that migrates between CPUs is paired in order.
 * When no data arrives for the slack in wall time, everything pending is released. The newest
 * timestamp is taken from every page as it arrives (its header), not only from the events at the
 * head of each CPU: with one busy CPU and idle others, the busy CPU's events are released as soon
 * as they are the slack behind its own newest page.
 *
 * <p>CPU hotplug: tracefs makes a {@code per_cpu/cpuN} directory for every possible CPU, online
 * or not, and there is a reader for each. While a CPU is offline its {@code trace_pipe_raw} hands
 * out what was buffered, then reads return 0 bytes at once (seen on Linux 6.18 with
 * {@code echo 0 > /sys/devices/system/cpu/cpu1/online}); the reader then polls every 10 ms and
 * reads on when the CPU is back. An idle or offline CPU never holds back the merge beyond the slack.
 *
 * <p>Losses: in no-overwrite mode the kernel drops new events when a CPU's buffer is full and
 * counts them in {@code per_cpu/cpuN/stats}; the readers turn those counts into lost-events
 * markers in the stream (pages only carry missed-event counts in overwrite mode).
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
    /** {@link #MAX_HELD_BYTES} in sub-buffers of this instance. */
    private final int maxHeldPages;
    private final boolean bigEndian = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;
    private final List<Integer> cpus;
    private final long slackNs;
    private final Thread shutdownHook;
    private final io.exitscope.util.LongMap<String> comms = new io.exitscope.util.LongMap<>();
    private final LinkedBlockingQueue<Page> queue;
    private final List<Reader> readers = new ArrayList<>();
    private final AtomicLong pagesRead = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final java.util.List<BiConsumer<Integer, byte[]>> pageListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** stop() was called (tracing off); the drain thread is finishing the readers. */
    private volatile boolean stopRequested, readersStopping;
    /** The readers have ended and handed over everything they read. */
    private volatile boolean readersDone;
    /** Give up on what is left: close() or the shutdown hook. */
    private volatile boolean abandon;
    private volatile boolean started;
    private final TraceInfo info;

    /** A sub-buffer as read ({@code data}), or a marker: {@code lost} events dropped (data null), or a failed reader (both 0). */
    private record Page(int cpu, byte[] data, int length, long lost) {}

    /** A reader that found less than half a sub-buffer pauses this long before the next read. */
    static final long READ_PAUSE_MS = 5;
    /** How often a reader looks at its CPU's dropped-events count. */
    static final long STATS_PERIOD_NS = 20_000_000L;
    /** Pages between the readers and the consumer: 32 MiB; when full, the readers wait and the kernel drops (counted). */
    static final int QUEUE_BYTES = 32 << 20;
    /**
     * Sub-buffer bytes the consumer takes into its per-CPU queues ahead of decoding: 4096 pages of
     * 4 KiB. A count of pages would be 256 MiB, more than live's heap, where sub-buffers are 64 KiB
     * (kernels with 64 KiB pages on arm64 and ppc64, or {@code buffer_subbuf_size_kb} raised).
     */
    static final int MAX_HELD_BYTES = 16 << 20;
    static final long DRAIN_TIMEOUT_NS = 5_000_000_000L;
    static final long TEARDOWN_WAIT_NS = 1_000_000_000L;
    private static final VarHandle LE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** Over an instance made and started by {@link #start} (or, in the CPU-cost harness of the test tree, a directory laid out as one). */
    LiveSource(TracefsInstance instance, long slackNs) throws IOException {
        this.instance = instance;
        this.header = instance.headerPage();
        this.formats = instance.formats();
        this.pageSize = subBufferSize(instance, header);
        this.maxHeldPages = Math.max(16, MAX_HELD_BYTES / Math.max(1, pageSize));
        this.cpus = instance.cpus();
        this.slackNs = slackNs;
        this.queue = new LinkedBlockingQueue<>(Math.max(256, QUEUE_BYTES / Math.max(1, pageSize)));
        this.shutdownHook = new Thread(this::teardown, "exitscope-teardown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        String uname = null;
        try {
            uname = TracefsFiles.read(Path.of("/proc/version")).strip();
        } catch (IOException ignored) {
            // informational only
        }
        this.info = new TraceInfo("live:" + instance.dir(), "live tracefs", 0, "none", bigEndian, instance.clock(),
                cpus.size(), cpus.size(), uname, null, Map.of(), List.of(), formats.size(), null,
                new TraceInfo.Live(instance.dir().getFileName().toString(), new TraceInfo.Layout(8, header.kernelLongSize(), pageSize)));
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

    /** This source enabled its events itself: kvm_userspace_exit is recorded when the kernel has it. */
    @Override
    public boolean recordsUserspaceExits() {
        return instance.enabledEvents().contains("kvm/" + io.exitscope.source.UserspaceExitEvidence.EVENT);
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

    /**
     * Receives every raw page as read, on the reader threads (recording, the ring behind threshold
     * actions). Add before {@link #events()}; several may listen.
     */
    public void addPageListener(BiConsumer<Integer, byte[]> l) {
        pageListeners.add(l);
    }

    public void removePageListener(BiConsumer<Integer, byte[]> l) {
        pageListeners.remove(l);
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

    /**
     * One CPU's reader: blocking reads of one sub-buffer each, each handed to the consumer as it
     * is read. Not in batches: a reader that holds sub-buffers may block in its next read until
     * the CPU writes again, for good if it stays quiet. Batches of up to 16, handed over early
     * only after a read that found less than a full sub-buffer, held the last full ones of a burst
     * that way (LiveSourceFifoTest#aFullSubBufferBeforeSilenceIsDelivered; TuiLiveTmuxTest saw
     * 19 956 of 20 000 exits and stuck there). The consumer polls while pages flow, so a page
     * handed over rarely has a sleeping consumer to wake.
     * After a read that found the buffer less than half full it pauses {@link #READ_PAUSE_MS}: a
     * reader that keeps up would otherwise block after every few events, and each wake-up costs the
     * traced CPU an irq_work interrupt; after the pause the data is there and the read does not block.
     * Every {@link #STATS_PERIOD_NS} it reads the CPU's {@code stats}: in no-overwrite mode the
     * kernel counts the events it had to drop there (pages carry no missed-events flag for them),
     * and the reader puts a lost-events marker into the stream.
     *
     * <p>The loop body is a method of its own ({@link #step()}): a thread that loops a few thousand
     * times a second would otherwise stay in the interpreter until on-stack replacement kicks in.
     */
    private final class Reader extends Thread {
        final int cpu;
        final FileChannel ch;
        long droppedSeen;
        long nextStats;

        Reader(int cpu, FileChannel ch) {
            super("exitscope-cpu" + cpu);
            setDaemon(true);
            this.cpu = cpu;
            this.ch = ch;
            // the instance is new: every drop it counts is ours to report, also those before this reader started
            this.droppedSeen = 0;
        }

        @Override
        public void run() {
            try {
                nextStats = System.nanoTime() + STATS_PERIOD_NS;
                while (!abandon && step()) {
                    // next sub-buffer
                }
            } catch (java.nio.channels.ClosedChannelException e) {
                // closed by the stopper or close(): the normal way out (every page read is handed over)
            } catch (IOException e) {
                if (!abandon) queue.offer(new Page(cpu, null, -1, 0)); // tell the consumer this CPU failed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeStats(); // one opened while shutdown() ran would stay open and keep the instance
            }
        }

        /** One read; false when the reader should end. */
        boolean step() throws IOException, InterruptedException {
            // a page goes to the consumer with its data; an empty read keeps its buffer for the next
            // try, so a reader polling every 10 ms (a kernel whose read returns at once when the
            // buffer is empty, or an offline CPU) allocates nothing while it waits
            byte[] buf = spare != null ? spare : new byte[pageSize];
            spare = null;
            int n = ch.read(ByteBuffer.wrap(buf));
            if (n <= 0) {
                spare = buf;
                // tracing off and buffer empty (older kernels return at once), or the CPU is offline: poll gently
                Thread.sleep(10);
                return true;
            }
            pagesRead.incrementAndGet();
            bytesRead.addAndGet(n);
            for (BiConsumer<Integer, byte[]> l : pageListeners) l.accept(cpu, buf);
            long fill = dataBytes(buf, n);
            int capacity = pageSize - header.dataOffset();
            if (!hand(new Page(cpu, buf, n, 0))) return false;
            long now = System.nanoTime();
            if (now - nextStats >= 0) {
                nextStats = now + STATS_PERIOD_NS;
                if (!checkDropped()) return false;
            }
            if (!stopRequested && READ_PAUSE_MS > 0 && fill < capacity / 2) Thread.sleep(READ_PAUSE_MS);
            return true;
        }

        /** A page buffer an empty read left unused (reader thread only). */
        private byte[] spare;

        private volatile FileChannel stats;
        private volatile boolean closed;
        private final ByteBuffer statsBuf = ByteBuffer.allocate(1024);

        /**
         * The kernel's dropped-events count of this CPU: {@code stats} re-read at offset 0 from a file
         * kept open (cheap enough to do every {@link #STATS_PERIOD_NS}), -1 if unknown.
         */
        long droppedNow() {
            // after shutdown() (the drain thread's last look) open and close: a channel cached now
            // would never be closed, and the kernel refuses to remove an instance with a file open
            if (closed) return instance.droppedEvents(cpu);
            try {
                if (stats == null) stats = FileChannel.open(instance.dir().resolve("per_cpu").resolve("cpu" + cpu).resolve("stats"));
                statsBuf.clear();
                int n = stats.read(statsBuf, 0);
                return n <= 0 ? -1 : parseDropped(statsBuf.array(), n);
            } catch (IOException | RuntimeException e) {
                return instance.droppedEvents(cpu);
            }
        }

        /** Puts a lost-events marker into the stream for events the kernel dropped since the last look. */
        boolean checkDropped() throws InterruptedException {
            long d = droppedNow();
            if (d > droppedSeen) {
                long n = d - droppedSeen;
                droppedSeen = d;
                return hand(new Page(cpu, null, 0, n));
            }
            return true;
        }

        /** Queues a page; waits while the consumer is behind (the kernel then drops and counts). */
        boolean hand(Page p) throws InterruptedException {
            while (!abandon) {
                if (queue.offer(p, 50, TimeUnit.MILLISECONDS)) return true;
            }
            return false;
        }

        void shutdown() {
            closed = true;
            try {
                ch.close(); // wakes the blocked read
            } catch (IOException ignored) {
                // already closed
            }
            closeStats();
        }

        private void closeStats() {
            try {
                FileChannel st = stats;
                if (st != null) st.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    private static final byte[] DROPPED = "dropped events:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The number after {@code dropped events:} in a per-CPU {@code stats} text, -1 if absent. */
    static long parseDropped(byte[] b, int n) {
        outer:
        for (int i = 0; i + DROPPED.length <= n; i++) {
            if (i > 0 && b[i - 1] != '\n') continue;
            for (int j = 0; j < DROPPED.length; j++) if (b[i + j] != DROPPED[j]) continue outer;
            int k = i + DROPPED.length;
            while (k < n && b[k] == ' ') k++;
            long v = 0;
            int start = k;
            while (k < n && b[k] >= '0' && b[k] <= '9') v = v * 10 + (b[k++] - '0');
            return k > start ? v : -1;
        }
        return -1;
    }

    /** Bytes of event data in a sub-buffer as read (its commit field). */
    private long dataBytes(byte[] buf, int n) {
        int off = header.commitOffset();
        if (n < off + header.commitSize()) return 0;
        long commit = header.commitSize() == 8
                ? (long) (bigEndian ? BE64 : LE64).get(buf, off)
                : (int) (bigEndian ? BE32 : LE32).get(buf, off) & 0xffffffffL;
        return commit & ((1 << 27) - 1);
    }

    private long pageTimestamp(byte[] buf) {
        return (long) (bigEndian ? BE64 : LE64).get(buf, header.timestampOffset());
    }

    /** Per-CPU decode state in the consumer. */
    private final class CpuState {
        final int cpu;
        final ArrayDeque<Page> pages = new ArrayDeque<>();
        final RawEvent event = new RawEvent(bigEndian, "", pid -> comm(pid));
        final CpuRecords records;
        boolean hasHead;      // a decoded event (or lost marker) waits in event/lost
        Event lost;
        long ts;
        int lastPid = -1;

        CpuState(int cpu) {
            this.cpu = cpu;
            this.records = new CpuRecords(cpu, header, bigEndian, event, formats);
        }

        /** Makes the next record of this CPU the head, if any data is queued. */
        void fill() {
            while (!hasHead) {
                int r;
                try {
                    r = records.next();
                } catch (PageCursor.PageException e) {
                    malformedPages++;
                    records.dropPage();
                    continue;
                }
                if (r == CpuRecords.RECORD) {
                    // name threads while they exist: short-lived ones are gone by the time anyone asks
                    int pid = event.pid();
                    if (pid != lastPid) {
                        lastPid = pid;
                        comm(pid);
                    }
                    ts = records.timestamp();
                    hasHead = true;
                    return;
                }
                if (r == CpuRecords.UNKNOWN_EVENT) {
                    unknownEvents++;
                    continue;
                }
                Page p = pages.poll();
                if (p == null) return;
                held--;
                if (p.data == null) {
                    // events the kernel dropped on this CPU (stats), placed where the reader noticed
                    lost = SimpleEvent.lost(ts, cpu, "", p.lost);
                    hasHead = true;
                    return;
                }
                long m;
                try {
                    m = records.load(p.data, 0, p.length);
                } catch (PageCursor.PageException e) {
                    malformedPages++;
                    continue;
                }
                if (m != 0) {
                    lost = SimpleEvent.lost(records.pageTimestamp(), cpu, "", m);
                    ts = records.pageTimestamp();
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
    /** Pages moved from the queue into the per-CPU decode queues and not yet decoded. */
    private int held;

    /**
     * The merged live stream. {@link #advance(long)} waits at most the given time;
     * {@link #advanceUntil(long)} until a {@link System#nanoTime()} deadline. Neither reads the
     * clock while events can be released without waiting, so a caller that needs the clock under
     * a steady flood (interval ticks) should look at it every few hundred events.
     */
    public final class LiveStream implements EventStream {
        private final Map<Integer, CpuState> states = new HashMap<>();
        private final List<CpuState> order = new ArrayList<>();
        /** Newest timestamp seen in any data (page headers and decoded events): the watermark. */
        private long newestTs;
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
                int r = advanceUntil(Long.MAX_VALUE);
                if (r == EVENT) return true;
                if (r == END) return false;
            }
        }

        public static final int EVENT = 0, TIMEOUT = 1, END = 2;
        /** Data within this long ago: the consumer polls (sleeping at most {@link #PARK_NS}) instead of waiting to be woken. */
        private static final long BUSY_NS = 50_000_000L, PARK_NS = 2_000_000L;

        /**
         * Moves to the next event if one is released within {@code maxWaitNanos}.
         *
         * @return {@link #EVENT}, {@link #TIMEOUT} or {@link #END}
         */
        public int advance(long maxWaitNanos) throws IOException {
            return advanceUntil(maxWaitNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, maxWaitNanos));
        }

        /**
         * Moves to the next event if one is released before {@code deadlineNanos} ({@link System#nanoTime()}
         * time; {@code Long.MAX_VALUE}: no deadline).
         *
         * @return {@link #EVENT}, {@link #TIMEOUT} or {@link #END}
         */
        public int advanceUntil(long deadlineNanos) throws IOException {
            if (currentState != null) {
                currentState.consume();
                currentState = null;
            }
            while (true) {
                if (!queue.isEmpty() && held < maxHeldPages) drain();
                CpuState best = null;
                boolean allHaveHead = true;
                for (int i = 0, n = order.size(); i < n; i++) {
                    CpuState s = order.get(i);
                    if (!s.hasHead) {
                        s.fill();
                        if (s.hasHead && Long.compareUnsigned(s.ts, newestTs) > 0) newestTs = s.ts;
                    }
                    if (s.hasHead) {
                        if (best == null || Long.compareUnsigned(s.ts, best.ts) < 0) best = s;
                    } else {
                        allHaveHead = false;
                    }
                }
                boolean finished = readersDone && queue.isEmpty();
                if (best != null && (allHaveHead || finished || Long.compareUnsigned(best.ts + slackNs, newestTs) <= 0)) {
                    return release(best);
                }
                if (best == null && finished) {
                    ended = true;
                    return END;
                }
                long now = System.nanoTime();
                long sinceData = now - lastDataNanos;
                if (best != null && sinceData >= slackNs) return release(best); // quiet: nothing older can come
                if (deadlineNanos != Long.MAX_VALUE && now - deadlineNanos >= 0) return TIMEOUT;
                long wait = Math.max(1_000_000L, slackNs / 4);
                if (best != null) wait = Math.min(wait, slackNs - sinceData);
                if (deadlineNanos != Long.MAX_VALUE) wait = Math.min(wait, deadlineNanos - now);
                if (readersStopping) wait = Math.min(wait, 5_000_000L);
                try {
                    Page p;
                    if (sinceData < BUSY_NS) {
                        // Pages are flowing: look again in at most PARK_NS rather than sleep on the
                        // queue, so that a reader handing a page over finds nobody to wake (a futex
                        // wake per 4 KiB page and a wait for each on the consumer's side otherwise).
                        // bench/live-cost.sh 850000 10, three series of interleaved rounds (the first
                        // with a 1 ms look, the others as here): medians
                        // 0.223 -> 0.201, 0.237 -> 0.218, 0.211 -> 0.209 CPU-s per million events;
                        // 9 of 12 paired rounds lower, median -5 %; 0 lost. A small gain, kept
                        // because it removes work rather than tunes it. Idle, it sleeps on the
                        // queue as before (no wake-ups every 2 ms with nothing to read).
                        p = queue.poll();
                        if (p == null) {
                            LockSupport.parkNanos(Math.min(Math.max(wait, 10_000L), PARK_NS));
                            if (Thread.interrupted()) throw new InterruptedException();
                            p = queue.poll();
                        }
                    } else {
                        p = queue.poll(Math.max(wait, 10_000L), TimeUnit.NANOSECONDS);
                    }
                    if (p != null) accept(p);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return END;
                }
            }
        }

        private int release(CpuState s) {
            currentState = s;
            current = s.head();
            return EVENT;
        }

        private void drain() {
            Page p;
            while (held < maxHeldPages && (p = queue.poll()) != null) accept(p);
        }

        private void accept(Page p) {
            if (p.data == null && p.lost == 0) return; // a reader failed; its CPU just stops contributing
            lastDataNanos = System.nanoTime();
            CpuState s = states.get(p.cpu);
            if (s == null) return;
            if (p.data != null) {
                long t = pageTimestamp(p.data);
                if (Long.compareUnsigned(t, newestTs) > 0) newestTs = t;
            }
            s.pages.add(p);
            held++;
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
        comms.forEachEntry((k, v) -> m.put((int) (long) k, v));
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
     * Stops tracing; the readers then take what is still in the ring buffer and end, and the
     * stream ends once it has delivered everything. Does not wait: keep reading the stream (its
     * {@code END} says the drain is complete). Safe to call more than once, from any thread.
     */
    public void stop() {
        synchronized (this) {
            if (stopRequested) return;
            stopRequested = true;
        }
        try {
            Files.writeString(instance.dir().resolve("tracing_on"), "0");
        } catch (IOException ignored) {
            // instance already gone
        }
        Thread t = new Thread(this::finishReaders, "exitscope-drain");
        t.setDaemon(true);
        t.start();
    }

    /**
     * With tracing off: waits until the kernel holds no unread event on any CPU (the readers took
     * everything), then closes the readers (a blocked read returns), counts the last dropped
     * events and marks the readers done.
     */
    private void finishReaders() {
        readersStopping = true;
        long deadline = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (started && !abandon && System.nanoTime() - deadline < 0) {
            boolean empty = true;
            for (int cpu : cpus) {
                if (unreadEvents(cpu) > 0) {
                    empty = false;
                    break;
                }
            }
            if (empty) break;
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Reader r : readers) r.shutdown();
        for (Reader r : readers) {
            try {
                r.join(5000);
                if (!abandon) r.checkDropped();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        readersDone = true;
    }

    /** Events still in the kernel's buffer for a CPU ({@code entries} in its stats), 0 if unknown. */
    private long unreadEvents(int cpu) {
        for (String line : instance.cpuStats(cpu).lines().toList()) {
            if (line.startsWith("entries:")) {
                try {
                    return Long.parseLong(line.substring(8).strip());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** Waits (at most {@code timeoutNanos}) until the readers have drained and ended after {@link #stop()}. */
    public boolean awaitStopped(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!readersDone && started && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return readersDone || !started;
    }

    /**
     * Tracing off, readers given a moment to hand over what is left (a consumer may still be reading:
     * a recording in progress), then closed, and the instance removed.
     */
    private void teardown() {
        stop();
        awaitStopped(TEARDOWN_WAIT_NS);
        abandon = true;
        for (Reader r : readers) r.shutdown();
        for (Reader r : readers) {
            try {
                r.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        readersDone = true;
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
