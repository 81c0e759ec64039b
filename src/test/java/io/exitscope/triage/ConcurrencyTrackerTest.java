package io.exitscope.triage;

import io.exitscope.exit.Arch;
import io.exitscope.exit.ExitClass;
import io.exitscope.exit.ExitRecord;
import io.exitscope.exit.Measure;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The big-lock tracker: concurrency levels counted right, and its memory bounded over all VMs. */
class ConcurrencyTrackerTest {
    static ExitRecord roundTrip(String vm, int tid, long start, long ns) {
        return new ExitRecord(start, start + ns, tid, 0, -1, vm, Arch.UNKNOWN, -1, "PIO", "port 0x500 out", 0x500, true,
                ExitClass.USERSPACE, false, Measure.USERSPACE_ROUND_TRIP, ns, ns, -1, 2);
    }

    static long exits(ConcurrencyTracker.VmConcurrency v) {
        return v.levels().stream().mapToLong(ConcurrencyTracker.Level::exits).sum();
    }

    @Test
    void levelsCountTheOtherThreadsInUserspace() {
        ConcurrencyTracker t = new ConcurrencyTracker();
        t.accept(roundTrip("vm", 1, 0, 100));      // alone
        t.accept(roundTrip("vm", 2, 50, 100));     // thread 1 is still out: one other
        t.accept(roundTrip("vm", 3, 60, 100));     // threads 1 and 2: two others
        t.accept(roundTrip("vm", 1, 500, 10));     // alone again
        ConcurrencyTracker.VmConcurrency v = t.results().get(0);
        assertEquals(3, v.vcpus());
        assertEquals(List.of(new ConcurrencyTracker.Level(0, 2, 110), new ConcurrencyTracker.Level(1, 1, 100),
                new ConcurrencyTracker.Level(2, 1, 100)), v.levels());
    }

    @Test
    void theBoundHoldsForAllVmsTogether() {
        ConcurrencyTracker t = new ConcurrencyTracker(100);
        for (int i = 0; i < 100; i++) {
            for (String vm : List.of("a", "b", "c")) t.accept(roundTrip(vm, 1 + i % 2, i * 1000L, 10));
        }
        assertEquals(200, t.leftOut(), "300 round trips, 100 kept");
        assertEquals(100, t.results().stream().mapToLong(ConcurrencyTrackerTest::exits).sum());
    }
}
