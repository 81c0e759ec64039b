package io.exitscope.stats;

import io.exitscope.exit.ExitClass;
import io.exitscope.exit.ExitRecord;
import io.exitscope.util.LongMap;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Exit statistics: one HdrHistogram (ns, 3 significant digits, auto-resizing) per fine key
 * (reason, class, subkey, vCPU, VM), aggregated on demand into any grouping. Memory grows with
 * the number of distinct keys, never with the number of exits; subkeys per reason are capped.
 * Statistics of consecutive intervals {@link #add add up} exactly to those of the whole, so live
 * records each exit once, into its interval.
 */
public final class ExitStats implements Consumer<ExitRecord> {
    public static final int SIGNIFICANT_DIGITS = 3;
    public static final int MAX_SUBKEYS_PER_REASON = 512;
    public static final int SLOWEST_KEPT = 10;
    static final String OTHER_SUBKEYS = "(other subkeys)";

    /** One slow exit kept for "slowest exits" lists. */
    public record Slow(long latencyNs, long exitTs, int cpu, int tid, String vcpu, String subkey) {}

    static final class Cell {
        /** The finest key: every dimension of the exit (vCPU label, subkey capped). */
        final ExitKey key;
        final Histogram histogram = newHistogram();
        long count, measured, totalNs, userspaceNs, kernelNs, requestsKnown, requestsPending;
        final PriorityQueue<Slow> slowest = new PriorityQueue<>((a, b) -> Long.compare(a.latencyNs, b.latencyNs));

        Cell(ExitKey key) {
            this.key = key;
        }

        void keepSlow(Slow s) {
            if (slowest.size() < SLOWEST_KEPT) {
                slowest.add(s);
            } else if (s.latencyNs() > slowest.peek().latencyNs()) {
                slowest.poll();
                slowest.add(s);
            }
        }
    }

    /** In first-seen order, so that adding statistics caps subkeys as recording them would. */
    private final Map<ExitKey, Cell> cells = new LinkedHashMap<>();
    private final Map<String, Integer> subkeysPerReason = new HashMap<>();
    private final LongMap<String> vcpuLabels = new LongMap<>();
    private long exits, measured;

    public static Histogram newHistogram() {
        Histogram h = new Histogram(SIGNIFICANT_DIGITS);
        h.setAutoResize(true);
        return h;
    }

    @Override
    public void accept(ExitRecord r) {
        Cell c = cellFor(r);
        exits++;
        c.count++;
        if (r.requests() >= 0) {
            c.requestsKnown++;
            if (r.requests() != 0) c.requestsPending++;
        }
        long lat = r.latencyNs();
        if (lat < 0) return;
        measured++;
        c.measured++;
        c.totalNs += lat;
        if (r.userspaceNs() > 0) c.userspaceNs += r.userspaceNs();
        long k = r.kernelNs();
        if (k > 0) c.kernelNs += k;
        c.histogram.recordValue(lat);
        if (c.slowest.size() < SLOWEST_KEPT || lat > c.slowest.peek().latencyNs()) {
            c.keepSlow(new Slow(lat, r.exitTs(), r.cpu(), r.tid(), c.key.vcpu(), r.subkey()));
        }
    }

    /**
     * Adds what {@code other} recorded, as if its exits had been recorded here after this one's:
     * histograms and sums add exactly; slowest exits merge; new subkeys count against the cap.
     */
    public synchronized void add(ExitStats other) {
        synchronized (other) {
            for (Cell o : other.cells.values()) {
                ExitKey key = o.key;
                Cell c = cells.get(key);
                if (c == null) c = newCell(key);
                c.count += o.count;
                c.measured += o.measured;
                c.totalNs += o.totalNs;
                c.userspaceNs += o.userspaceNs;
                c.kernelNs += o.kernelNs;
                c.requestsKnown += o.requestsKnown;
                c.requestsPending += o.requestsPending;
                c.histogram.add(o.histogram);
                for (Slow s : o.slowest) c.keepSlow(s);
            }
            exits += other.exits;
            measured += other.measured;
        }
    }

    /**
     * Exits repeat a handful of keys (an ioeventfd loop alternates four kernel-handled writes
     * with one that reaches userspace), and the assembler hands out one String per reason,
     * subkey and VM: a small cache compared by identity finds the cell without building and
     * hashing a fine ExitKey. It held a quarter of live's CPU time when only the last key was
     * remembered. Two ways per set, because identity hashes differ from run to run and two
     * alternating keys in one direct-mapped slot evict each other at every exit; the set mixes in
     * the exit's class, because one thread's writes to one port, some handled in the kernel and
     * some in userspace, are two keys (the 5 M-sample perf.data of bench/: 249 190 misses for
     * 4 cells with 16 direct-mapped slots and no class, 4 now).
     */
    private static final int CACHE_SETS = 16;
    private final ExitRecord[] cachedRecord = new ExitRecord[2 * CACHE_SETS];
    private final Cell[] cachedCell = new Cell[2 * CACHE_SETS];

    private Cell cellFor(ExitRecord r) {
        int h = ((System.identityHashCode(r.subkey()) * 31 + System.identityHashCode(r.reason())) * 31 + r.tid()) * 31
                + r.exitClass().ordinal();
        int i = ((h ^ (h >>> 16)) & (CACHE_SETS - 1)) << 1;
        if (sameKey(cachedRecord[i], r)) return cachedCell[i];
        if (sameKey(cachedRecord[i + 1], r)) return cachedCell[i + 1];
        return cellForMiss(r, i);
    }

    /** Whether exit {@code p} (may be null) has the key of {@code r}, every String compared by identity. */
    private static boolean sameKey(ExitRecord p, ExitRecord r) {
        return p != null && p.tid() == r.tid() && p.reason() == r.reason() && p.subkey() == r.subkey() && p.vm() == r.vm()
                && p.exitClass() == r.exitClass() && p.vcpu() == r.vcpu() && p.blocking() == r.blocking();
    }

    /**
     * A miss, apart from the hit path above: the JIT inlines the small hit path into every caller
     * it compiles and leaves this rare one out (the key building and the hashing of four strings).
     * The found cell takes the set's first way; what was there moves to the second.
     */
    private Cell cellForMiss(ExitRecord r, int i) {
        ExitKey key = new ExitKey(r.reason(), r.reasonCode(), r.exitClass(), r.subkey(), vcpuLabel(r), r.vm(), r.blocking());
        Cell c = cells.get(key);
        if (c == null) c = newCell(key);
        cachedRecord[i + 1] = cachedRecord[i];
        cachedCell[i + 1] = cachedCell[i];
        cachedRecord[i] = r;
        cachedCell[i] = c;
        return c;
    }

    /**
     * The cell of a key not seen before: its own, or, once its reason has
     * {@link #MAX_SUBKEYS_PER_REASON} cells with a subkey, the "(other subkeys)" one.
     */
    private Cell newCell(ExitKey key) {
        if (key.subkey() != null && !OTHER_SUBKEYS.equals(key.subkey())
                && subkeysPerReason.merge(key.reason(), 1, Integer::sum) > MAX_SUBKEYS_PER_REASON) {
            key = underOtherSubkeys(key);
        }
        return cells.computeIfAbsent(key, Cell::new);
    }

    /** Where an exit goes once its reason has {@link #MAX_SUBKEYS_PER_REASON} subkeys: the same key, subkey "(other subkeys)". */
    private static ExitKey underOtherSubkeys(ExitKey k) {
        return new ExitKey(k.reason(), k.reasonCode(), k.exitClass(), OTHER_SUBKEYS, k.vcpu(), k.vm(), k.blocking());
    }

    private String vcpuLabel(ExitRecord r) {
        int k = r.vcpu() >= 0 ? r.vcpu() : -1 - r.tid();
        String s = vcpuLabels.get(k);
        if (s == null) {
            s = r.vcpu() >= 0 ? Integer.toString(r.vcpu()) : "tid " + r.tid();
            vcpuLabels.put(k, s);
        }
        return s;
    }

    public long exits() {
        return exits;
    }

    public long measured() {
        return measured;
    }

    /**
     * The finest key of an exit as {@link #snapshot} names it (vCPU label, subkey cap), without
     * recording the exit: one instance per key, so callers can count by identity.
     */
    public ExitKey fineKey(ExitRecord r) {
        return cellFor(r).key;
    }

    /** Aggregates into groups. */
    public synchronized StatsSnapshot snapshot(GroupBy by) {
        Map<ExitKey, StatsSnapshot.Group.Builder> groups = new HashMap<>();
        for (Cell c : cells.values()) {
            ExitKey f = c.key;
            ExitKey k = f.under(by);
            StatsSnapshot.Group.Builder b = groups.computeIfAbsent(k, StatsSnapshot.Group.Builder::new);
            b.add(f, c.count, c.measured, c.histogram, c.totalNs, c.userspaceNs, c.kernelNs, c.requestsKnown, c.requestsPending, c.slowest,
                    f.blocking());
        }
        List<StatsSnapshot.Group> out = new ArrayList<>();
        for (StatsSnapshot.Group.Builder b : groups.values()) out.add(b.build());
        return new StatsSnapshot(by, out);
    }

    /** Every fine cell as (key, histogram copy), for exports that want the finest grain. */
    public synchronized Collection<StatsSnapshot.Group> fineGroups() {
        return snapshot(GroupBy.FINE).groups();
    }
}
