package io.exitscope.triage;

import io.exitscope.exit.ExitClass;
import io.exitscope.exit.ExitRecord;
import io.exitscope.exit.Measure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Big-lock evidence: for every userspace round trip, how many other vCPU threads of the same VM
 * were in userspace at the moment it started. If round trips get longer the more vCPUs are in
 * the VMM at once, the VMM serializes them (QEMU's big lock, or any VMM-wide lock).
 *
 * <p>The userspace leg of an exit is taken as {@code [end - userspace time, end]} (exact for the
 * userspace round-trip measure; with exit→entry it ends at the entry, close to the VMM's return).
 * Memory is bounded: at most {@value #MAX_LEGS} legs are kept in all (the first ones, 20 bytes
 * each), however many VMs the host ran; the evidence says how many were left out.
 */
public final class ConcurrencyTracker implements Consumer<ExitRecord> {
    static final int MAX_LEGS = 2_000_000;
    /** Concurrency levels reported; higher ones are counted in the last. */
    static final int LEVELS = 8;

    private static final class Legs {
        long[] start = new long[1024], dur = new long[1024];
        int[] tid = new int[1024];
        int n;
        final Set<Integer> tids = new HashSet<>();

        void add(long s, long d, int t, int cap) {
            if (n == start.length) {
                int m = (int) Math.min(cap, n * 2L);
                start = Arrays.copyOf(start, m);
                dur = Arrays.copyOf(dur, m);
                tid = Arrays.copyOf(tid, m);
            }
            start[n] = s;
            dur[n] = d;
            tid[n] = t;
            n++;
            tids.add(t);
        }
    }

    private final Map<String, Legs> byVm = new LinkedHashMap<>();
    private final int maxLegs;
    private long kept, leftOut;

    public ConcurrencyTracker() {
        this(MAX_LEGS);
    }

    ConcurrencyTracker(int maxLegs) {
        this.maxLegs = maxLegs;
    }

    /** Round trips not kept because {@link #MAX_LEGS} were already (all VMs together). */
    public long leftOut() {
        return leftOut;
    }

    @Override
    public void accept(ExitRecord r) {
        if (r.exitClass() != ExitClass.USERSPACE || r.latencyNs() < 0 || r.blocking()) return;
        long us = r.measure() == Measure.USERSPACE_ROUND_TRIP ? r.latencyNs() : r.userspaceNs();
        if (us <= 0) return;
        long end = r.measure() == Measure.USERSPACE_ROUND_TRIP ? r.exitTs() + r.latencyNs() : r.endTs();
        if (end < 0) return;
        if (kept >= maxLegs) {
            leftOut++;
            return;
        }
        Legs l = byVm.computeIfAbsent(r.vm() == null ? "?" : r.vm(), k -> new Legs());
        l.add(end - us, us, r.tid(), (int) Math.min(Integer.MAX_VALUE - 8, l.n + (maxLegs - kept)));
        kept++;
    }

    /** Round trips of one VM by the number of other vCPUs in userspace when each started. */
    public record Level(int others, long exits, long totalNs) {
        public long meanNs() {
            return exits == 0 ? 0 : totalNs / exits;
        }
    }

    /** Per VM with at least two vCPU threads that went to userspace. */
    public record VmConcurrency(String vm, int vcpus, List<Level> levels, Map<Integer, long[]> perThread) {}

    public List<VmConcurrency> results() {
        List<VmConcurrency> out = new ArrayList<>();
        for (Map.Entry<String, Legs> e : byVm.entrySet()) {
            Legs l = e.getValue();
            if (l.tids.size() < 2) continue;
            Integer[] idx = new Integer[l.n];
            for (int i = 0; i < l.n; i++) idx[i] = i;
            Arrays.sort(idx, (a, b) -> Long.compare(l.start[a], l.start[b]));
            long[] cnt = new long[LEVELS], sum = new long[LEVELS];
            Map<Integer, long[]> perThread = new HashMap<>(); // tid -> {alone n, alone sum, busy n, busy sum}
            // active legs: end times with their thread
            PriorityQueue<long[]> active = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
            Map<Integer, Integer> activeByTid = new HashMap<>();
            for (Integer i : idx) {
                long s = l.start[i];
                while (!active.isEmpty() && active.peek()[0] <= s) {
                    long[] x = active.poll();
                    activeByTid.merge((int) x[1], -1, Integer::sum);
                }
                int others = active.size() - activeByTid.getOrDefault(l.tid[i], 0);
                int lv = Math.min(LEVELS - 1, Math.max(0, others));
                cnt[lv]++;
                sum[lv] += l.dur[i];
                long[] pt = perThread.computeIfAbsent(l.tid[i], k -> new long[4]);
                if (others == 0) {
                    pt[0]++;
                    pt[1] += l.dur[i];
                } else {
                    pt[2]++;
                    pt[3] += l.dur[i];
                }
                active.add(new long[]{s + l.dur[i], l.tid[i]});
                activeByTid.merge(l.tid[i], 1, Integer::sum);
            }
            List<Level> levels = new ArrayList<>();
            for (int k = 0; k < LEVELS; k++) if (cnt[k] > 0) levels.add(new Level(k, cnt[k], sum[k]));
            out.add(new VmConcurrency(e.getKey(), l.tids.size(), levels, perThread));
        }
        return out;
    }
}
