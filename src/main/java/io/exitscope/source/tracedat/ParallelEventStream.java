package io.exitscope.source.tracedat;

import io.exitscope.event.Event;
import io.exitscope.event.EventFormat;
import io.exitscope.event.EventStream;
import io.exitscope.event.RawEvent;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The events of {@link MergedEventStream}, in the same order, with each CPU's pages read,
 * decompressed and walked on worker threads. trace.dat keeps each CPU's data apart (and v7
 * compresses it in chunks of its own), so the CPUs decode independently; the caller's thread only
 * merges. The records of a CPU reach the merge in batches: payload bytes copied out of the pages
 * with the converted timestamp and the format, or the lost-events marker, exactly as
 * {@link MergedEventStream.CpuStream} yields them; a decoding error travels in the batch to
 * where the single-threaded stream would have met it, so the events before it are the same too.
 *
 * <p>Memory is bounded whatever the file: each CPU has at most {@link #BATCHES_PER_CPU} batches
 * (one filling, the rest queued or being merged), all CPUs' batches together at most
 * {@link #BUDGET_BYTES} (but at least {@link #MIN_BATCH_BYTES} each: 1 024 CPUs take up to 80 MB); a worker whose CPUs all have their batches full waits for the merge.
 * Each worker decodes a fixed set of CPUs (CPU streams are dealt out round robin), so a CPU's
 * pages stay in order on one thread.
 */
final class ParallelEventStream implements EventStream {
    static final int BATCHES_PER_CPU = 4;
    /** Payload bytes of all CPUs' batches together. */
    static final long BUDGET_BYTES = 32L << 20;
    static final int MAX_BATCH_BYTES = 256 << 10, MIN_BATCH_BYTES = 8 << 10, SLACK_BYTES = 4096;

    /** Decoded records of one CPU, in order. */
    static final class Batch {
        final int[] start;
        final int[] length;
        final long[] ts;
        final EventFormat[] format;
        /** Non-null where the record is a lost-events marker. */
        final Event[] lost;
        int count;
        int used;
        /** Bytes of the CPU's data consumed when the batch was filled (progress). */
        long consumed;
        /** The CPU has no records after this batch. */
        boolean last;
        /** The CPU's decoding failed after this batch's records. */
        RuntimeException error;

        /** Payload bytes; a batch ends once {@code bytes} are used, the slack takes the record that crossed. */
        byte[] data;

        Batch(int bytes, int records) {
            data = new byte[bytes + SLACK_BYTES];
            start = new int[records];
            length = new int[records];
            ts = new long[records];
            format = new EventFormat[records];
            lost = new Event[records];
        }

        void clear() {
            if (count > 0) {
                java.util.Arrays.fill(lost, 0, count, null);
                java.util.Arrays.fill(format, 0, count, null);
            }
            count = 0;
            used = 0;
            last = false;
            error = null;
        }
    }

    /** One CPU: the decoder side (worker) and the merge side (caller). */
    static final class Lane {
        final MergedEventStream.CpuStream source;
        final ArrayBlockingQueue<Batch> full = new ArrayBlockingQueue<>(BATCHES_PER_CPU);
        final ConcurrentLinkedQueue<Batch> free = new ConcurrentLinkedQueue<>();
        final int batchBytes, batchRecords;
        int allocated;          // worker side
        boolean finished;       // worker side: last batch handed over
        Worker worker;
        // merge side
        final RawEvent event;
        Batch batch;
        int index;
        long ts;
        Event current;
        long consumed;

        Lane(MergedEventStream.CpuStream source, RawEvent event, int batchBytes) {
            this.source = source;
            this.event = event;
            this.batchBytes = batchBytes;
            // records have at least 8 bytes of payload; most of ours have 16-40
            this.batchRecords = Math.max(64, batchBytes / 24);
        }

        int allocatedBatches() {
            return allocated;
        }

        /** A batch to fill, or null while all of this CPU's batches are full or being merged. */
        Batch take() {
            Batch b = free.poll();
            if (b == null && allocated < BATCHES_PER_CPU) {
                allocated++;
                b = new Batch(batchBytes, batchRecords);
            }
            return b;
        }

        /** Decodes records into {@code b} until it is full or the CPU ends. */
        void fill(Batch b) {
            b.clear();
            MergedEventStream.CpuStream s = source;
            try {
                while (b.count < b.start.length && b.used < batchBytes) {
                    if (s.exhaustedAfterLost || !s.advance()) {
                        b.last = true;
                        break;
                    }
                    int i = b.count++;
                    b.ts[i] = s.ts;
                    Event e = s.current();
                    if (e != s.event) {
                        b.lost[i] = e;
                        continue;
                    }
                    RawEvent r = s.event;
                    int n = r.length();
                    // a record larger than the slack (pages of more than 4 KiB): this batch grows for it
                    if (b.used + n > b.data.length) b.data = java.util.Arrays.copyOf(b.data, b.used + n);
                    System.arraycopy(r.data(), r.start(), b.data, b.used, n);
                    b.start[i] = b.used;
                    b.length[i] = n;
                    b.format[i] = r.format();
                    b.used += n;
                }
            } catch (IOException e) {
                b.error = new java.io.UncheckedIOException(e);
                b.last = true;
            } catch (RuntimeException e) {
                b.error = e;
                b.last = true;
            }
            b.consumed = s.pages.consumed();
            if (b.last) finished = true;
        }

        /** Merge side: moves to the next record; false at the end of the CPU. */
        boolean next() throws IOException {
            while (batch == null || ++index >= batch.count) {
                if (batch != null) {
                    if (batch.error != null) throw rethrow(batch.error);
                    if (batch.last) return false;
                    Batch done = batch;
                    batch = null;
                    free.offer(done);
                    worker.wake();
                }
                batch = awaitBatch();
                consumed = batch.consumed;
                index = -1;
            }
            int i = index;
            ts = batch.ts[i];
            Event l = batch.lost[i];
            if (l != null) {
                current = l;
            } else {
                event.set(batch.data, batch.start[i], batch.length[i], ts, source.cpu, batch.format[i]);
                current = event;
            }
            return true;
        }

        /** The next batch; waits for the worker, and fails instead of waiting for one that died. */
        private Batch awaitBatch() throws IOException {
            try {
                while (true) {
                    Batch b = full.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                    if (b != null) return b;
                    if (!worker.isAlive() && full.isEmpty()) {
                        throw new IOException("decoding thread " + worker.getName() + " ended: " + worker.failure);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for decoded events");
            }
        }

        private static IOException rethrow(RuntimeException e) throws IOException {
            if (e instanceof java.io.UncheckedIOException u) throw u.getCause();
            throw e;
        }
    }

    /** Decodes its lanes a batch at a time, round robin, while they have a free batch. */
    final class Worker extends Thread {
        final java.util.List<Lane> lanes = new java.util.ArrayList<>();

        Worker(int n) {
            super("exitscope-decode-" + n);
            setDaemon(true);
        }

        /** What ended this thread early (an Error while decoding), for the merge's message. */
        volatile Throwable failure;

        @Override
        public void run() {
            try {
                decode();
            } catch (Throwable t) {
                failure = t;
            }
        }

        private void decode() {
            int open = lanes.size();
            while (open > 0 && !closed) {
                boolean progress = false;
                for (Lane l : lanes) {
                    if (l.finished) continue;
                    Batch b = l.take();
                    if (b == null) continue;
                    l.fill(b);
                    l.full.add(b); // never full: a lane has no more batches than the queue holds
                    progress = true;
                    if (l.finished) open--;
                }
                if (!progress) {
                    synchronized (this) {
                        while (!closed && !anyFree()) {
                            try {
                                wait();
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }
                }
            }
        }

        private boolean anyFree() {
            for (Lane l : lanes) if (!l.finished && (!l.free.isEmpty() || l.allocated < BATCHES_PER_CPU)) return true;
            return false;
        }

        synchronized void wake() {
            notifyAll();
        }
    }

    private final Lane[] lanes;
    /** The lanes not yet at their end, in merge order (ties go to the earlier one). */
    private final Lane[] active;
    private final Worker[] workers;
    private final long totalBytes;
    private volatile boolean closed;
    private int live;
    private int lastIndex;
    private Event current;
    private boolean started;

    ParallelEventStream(TraceDatReader r, TimestampConverter conv, int threads) {
        MergedEventStream.CpuStream[] streams = MergedEventStream.cpuStreams(r, conv);
        this.totalBytes = MergedEventStream.totalBytes(streams);
        this.lanes = new Lane[streams.length];
        long share = BUDGET_BYTES / Math.max(1, (long) streams.length * BATCHES_PER_CPU);
        int batchBytes = (int) Math.max(MIN_BATCH_BYTES, Math.min(MAX_BATCH_BYTES, share));
        for (int i = 0; i < streams.length; i++) {
            MergedEventStream.CpuStream s = streams[i];
            lanes[i] = new Lane(s, new RawEvent(r.bigEndian, s.buffer, r::comm), batchBytes);
        }
        this.active = lanes.clone();
        this.workers = new Worker[Math.max(1, Math.min(threads, lanes.length))];
        for (int w = 0; w < workers.length; w++) workers[w] = new Worker(w);
        for (int i = 0; i < lanes.length; i++) {
            Worker w = workers[i % workers.length];
            w.lanes.add(lanes[i]);
            lanes[i].worker = w;
        }
    }

    @Override
    public boolean advance() throws IOException {
        if (!started) {
            started = true;
            for (Worker w : workers) w.start();
            int n = 0;
            for (Lane l : lanes) if (l.next()) active[n++] = l;
            live = n;
        } else if (current != null) {
            int i = lastIndex;
            if (!active[i].next()) {
                System.arraycopy(active, i + 1, active, i, live - i - 1);
                live--;
            }
        }
        if (live == 0) {
            current = null;
            return false;
        }
        // ties go to the earlier lane (buffer, then CPU), as in MergedEventStream
        Lane[] a = active;
        int best = 0;
        long bestTs = a[0].ts;
        for (int i = 1; i < live; i++) {
            long t = a[i].ts;
            if (Long.compareUnsigned(t, bestTs) < 0) {
                best = i;
                bestTs = t;
            }
        }
        lastIndex = best;
        current = a[best].current;
        return true;
    }

    @Override
    public Event current() {
        return current;
    }

    /** The CPUs in merge order. */
    List<Lane> lanes() {
        return List.of(lanes);
    }

    @Override
    public long position() {
        long p = 0;
        for (Lane l : lanes) p += l.consumed;
        return p;
    }

    @Override
    public long totalBytes() {
        return totalBytes;
    }

    /** Stops the workers; the reader owns the channel. */
    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) w.wake();
    }
}
