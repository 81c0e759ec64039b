package io.exitscope.stats;

import io.exitscope.exit.ExitClass;
import io.exitscope.exit.ExitRecord;
import io.exitscope.util.LongMap;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Exit statistics: one HdrHistogram (ns, 3 significant digits, auto-resizing) per fine key
 * (reason, class, subkey, vCPU, VM), aggregated on demand into any grouping. Memory grows with
 * the number of distinct keys, never with the number of exits; subkeys per reason are capped.
 *
 * <p>With intervals enabled each key also feeds a {@link Recorder}, so a live view can take
 * interval histograms without stopping the recording side.
 */
public final class ExitStats implements Consumer<ExitRecord> {
    public static final int SIGNIFICANT_DIGITS = 3;
    public static final int MAX_SUBKEYS_PER_REASON = 512;
    public static final int SLOWEST_KEPT = 10;
    static final String OTHER_SUBKEYS = "(other subkeys)";

    /** The finest key exitscope keeps. */
    record FineKey(String reason, long reasonCode, ExitClass exitClass, String subkey, String vcpu, String vm, boolean blocking) {}

    /** One slow exit kept for "slowest exits" lists. */
    public record Slow(long latencyNs, long exitTs, int cpu, int tid, String vcpu, String subkey) {}

    static final class Cell {
        final FineKey key;
        final Histogram histogram = newHistogram();
        final Recorder recorder;
        long count, measured, totalNs, userspaceNs, kernelNs, requestsKnown, requestsPending;
        final PriorityQueue<Slow> slowest = new PriorityQueue<>((a, b) -> Long.compare(a.latencyNs, b.latencyNs));

        Cell(FineKey key, boolean intervals) {
            this.key = key;
            this.recorder = intervals ? new Recorder(SIGNIFICANT_DIGITS) : null;
        }
    }

    private final Map<FineKey, Cell> cells = new HashMap<>();
    private final Map<String, Integer> subkeysPerReason = new HashMap<>();
    private final LongMap<String> vcpuLabels = new LongMap<>();
    private final boolean intervals;
    private long exits, measured;
    private Cell lastCell;
    private ExitRecord lastRecord;

    public ExitStats() {
        this(false);
    }

    public ExitStats(boolean intervals) {
        this.intervals = intervals;
    }

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
        if (c.recorder != null) c.recorder.recordValue(lat);
        if (c.slowest.size() < SLOWEST_KEPT) {
            c.slowest.add(new Slow(lat, r.exitTs(), r.cpu(), r.tid(), c.key.vcpu(), r.subkey()));
        } else if (lat > c.slowest.peek().latencyNs()) {
            c.slowest.poll();
            c.slowest.add(new Slow(lat, r.exitTs(), r.cpu(), r.tid(), c.key.vcpu(), r.subkey()));
        }
    }

    private Cell cellFor(ExitRecord r) {
        ExitRecord p = lastRecord;
        // consecutive exits of one thread usually share a key: skip the map on a repeat
        if (p != null && p.tid() == r.tid() && p.reason() == r.reason() && p.subkey() == r.subkey()
                && p.exitClass() == r.exitClass() && p.vcpu() == r.vcpu() && p.blocking() == r.blocking()) {
            lastRecord = r;
            return lastCell;
        }
        String subkey = r.subkey();
        FineKey key = new FineKey(r.reason(), r.reasonCode(), r.exitClass(), subkey, vcpuLabel(r), r.vm(), r.blocking());
        Cell c = cells.get(key);
        if (c == null) {
            if (subkey != null) {
                int n = subkeysPerReason.merge(r.reason(), 1, Integer::sum);
                if (n > MAX_SUBKEYS_PER_REASON) {
                    key = new FineKey(r.reason(), r.reasonCode(), r.exitClass(), OTHER_SUBKEYS, key.vcpu(), r.vm(), r.blocking());
                }
            }
            c = cells.computeIfAbsent(key, k -> new Cell(k, intervals));
        }
        lastRecord = r;
        lastCell = c;
        return c;
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
     * Aggregates into groups.
     *
     * @param interval take the Recorders' interval histograms (resets them) instead of the cumulative ones
     */
    public synchronized StatsSnapshot snapshot(GroupBy by, boolean interval) {
        Map<ExitKey, StatsSnapshot.Group.Builder> groups = new HashMap<>();
        for (Cell c : cells.values()) {
            FineKey f = c.key;
            ExitKey k = new ExitKey(
                    by.has(GroupBy.Dim.REASON) ? f.reason() : null,
                    by.has(GroupBy.Dim.REASON) ? f.reasonCode() : -1,
                    by.has(GroupBy.Dim.CLASS) ? f.exitClass() : null,
                    by.has(GroupBy.Dim.SUBKEY) ? f.subkey() : null,
                    by.has(GroupBy.Dim.VCPU) ? f.vcpu() : null,
                    by.has(GroupBy.Dim.VM) ? f.vm() : null,
                    // blocking exits always form their own groups: idle time never mixes with overhead
                    f.blocking());
            StatsSnapshot.Group.Builder b = groups.computeIfAbsent(k, StatsSnapshot.Group.Builder::new);
            Histogram h = c.histogram;
            if (interval && c.recorder != null) h = c.recorder.getIntervalHistogram();
            b.add(f, c.count, c.measured, h, c.totalNs, c.userspaceNs, c.kernelNs, c.requestsKnown, c.requestsPending, c.slowest,
                    f.blocking());
        }
        List<StatsSnapshot.Group> out = new ArrayList<>();
        for (StatsSnapshot.Group.Builder b : groups.values()) out.add(b.build());
        return new StatsSnapshot(by, out);
    }

    /** Every fine cell as (key, histogram copy), for exports that want the finest grain. */
    public synchronized Collection<StatsSnapshot.Group> fineGroups() {
        return snapshot(GroupBy.parse("reason,class,subkey,vcpu,vm"), false).groups();
    }
}
