package io.exitscope.triage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * A bounded ring of the most recent raw ring-buffer pages, as the live readers deliver them
 * ({@code LiveSource.addPageListener}): what a {@code record} action saves. Pages older than the
 * retention time are dropped, and so are the oldest pages when the byte budget is full. Pages
 * of one CPU stay in read order. Thread-safe: readers add from their own threads.
 */
public final class PageRing implements BiConsumer<Integer, byte[]> {
    public static final long DEFAULT_MAX_BYTES = 64L << 20;

    /** One page with the monotonic time (System.nanoTime) it arrived. */
    public record Page(int cpu, byte[] data, long arrivedNanos) {}

    private final ArrayDeque<Page> pages = new ArrayDeque<>();
    private final long retentionNs;
    private final long maxBytes;
    private final LongSupplier clock;
    private long bytes;
    private long dropped;

    public PageRing(long retentionNs, long maxBytes) {
        this(retentionNs, maxBytes, System::nanoTime);
    }

    PageRing(long retentionNs, long maxBytes, LongSupplier clock) {
        this.retentionNs = retentionNs;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    /**
     * A page cut to what it holds: header, the committed data and a stored missed-events count
     * (trace_pipe_raw hands out whole sub-buffers, mostly empty when events trickle in).
     */
    public static byte[] compact(byte[] page, io.exitscope.event.HeaderPage hp, boolean bigEndian) {
        if (hp == null || page.length < hp.dataOffset()) return page;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(page).order(bigEndian ? java.nio.ByteOrder.BIG_ENDIAN : java.nio.ByteOrder.LITTLE_ENDIAN);
        long commit = hp.commitSize() == 8 ? b.getLong(hp.commitOffset()) : b.getInt(hp.commitOffset()) & 0xffffffffL;
        long size = commit & ((1L << 30) - 1);
        boolean missedStored = (commit & (1L << 30)) != 0;
        long len = hp.dataOffset() + size + (missedStored ? hp.commitSize() : 0);
        if (len >= page.length || len < hp.dataOffset()) return page;
        return java.util.Arrays.copyOf(page, (int) len);
    }

    @Override
    public void accept(Integer cpu, byte[] page) {
        long now = clock.getAsLong();
        synchronized (this) {
            pages.addLast(new Page(cpu, page, now));
            bytes += page.length;
            trim(now);
        }
    }

    private void trim(long now) {
        while (!pages.isEmpty() && (bytes > maxBytes || now - pages.peekFirst().arrivedNanos() > retentionNs)) {
            Page p = pages.pollFirst();
            bytes -= p.data().length;
            if (now - p.arrivedNanos() <= retentionNs) dropped++;
        }
    }

    /** The pages that arrived at or after {@code fromNanos} (System.nanoTime), oldest first. */
    public synchronized List<Page> since(long fromNanos) {
        trim(clock.getAsLong());
        List<Page> out = new ArrayList<>();
        for (Page p : pages) if (p.arrivedNanos() - fromNanos >= 0) out.add(p);
        return out;
    }

    public synchronized long bytes() {
        return bytes;
    }

    /** Pages dropped for the byte budget while still within the retention time. */
    public synchronized long droppedForSpace() {
        return dropped;
    }
}
