package io.exitscope.stats;

import io.exitscope.exit.Arch;
import io.exitscope.exit.ExitClass;
import io.exitscope.exit.ExitRecord;
import io.exitscope.exit.Measure;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every exit lands in the cell of its own key, whatever the order of keys: exits of keys that
 * differ in one field only (thread, reason, subkey, VM, class, vCPU, blocking), more keys than
 * the cell cache holds, interleaved at random and in tight alternation. The expected counts and
 * latency sums per cell are tallied here from the records themselves.
 */
class ExitStatsCellsTest {
    /** One String per reason, subkey and VM, as the assembler hands them out (the cache compares them by identity). */
    private static final String[] REASONS = {"PIO", "MMIO"};
    private static final String[] SUBKEYS = {"port 0x3f8 out", "port 0x500 out", null};
    private static final String[] VMS = {"vm-a", "vm-b"};

    private static List<ExitRecord> keys() {
        List<ExitRecord> keys = new ArrayList<>();
        int lat = 1;
        for (int tid = 100; tid < 102; tid++)
            for (String reason : REASONS)
                for (String subkey : SUBKEYS)
                    for (String vm : VMS)
                        for (ExitClass c : new ExitClass[] {ExitClass.KERNEL, ExitClass.USERSPACE})
                            for (int vcpu = 0; vcpu < 2; vcpu++)
                                for (boolean blocking : new boolean[] {false, true}) {
                                    long ns = 1000L * lat++;
                                    keys.add(new ExitRecord(0, ns, tid, 0, vcpu, vm, Arch.UNKNOWN, -1, reason, subkey, -1, true, c,
                                            blocking, Measure.USERSPACE_ROUND_TRIP, ns, -1, -1, -1));
                                }
        return keys;
    }

    /** The fields of a cell's key: reason, subkey, VM, class, vCPU label (threads of one vCPU share it), blocking. */
    private static List<Object> cellOf(String reason, String subkey, String vm, ExitClass c, String vcpu, boolean blocking) {
        return List.of(reason, String.valueOf(subkey), vm, c, vcpu, blocking);
    }

    private static void check(List<ExitRecord> exits) {
        ExitStats stats = new ExitStats();
        Map<List<Object>, List<Long>> want = new HashMap<>();
        for (ExitRecord r : exits) {
            stats.accept(r);
            want.merge(cellOf(r.reason(), r.subkey(), r.vm(), r.exitClass(), Integer.toString(r.vcpu()), r.blocking()),
                    List.of(1L, r.latencyNs()), (x, y) -> List.of(x.get(0) + y.get(0), x.get(1) + y.get(1)));
        }
        Map<List<Object>, List<Long>> got = new HashMap<>();
        for (StatsSnapshot.Group g : stats.snapshot(GroupBy.FINE).groups()) {
            ExitKey k = g.key();
            got.put(cellOf(k.reason(), k.subkey(), k.vm(), k.exitClass(), k.vcpu(), k.blocking()), List.of(g.count(), g.totalNs()));
        }
        assertEquals(want, got);
        assertEquals(exits.size(), stats.exits());
    }

    @Test
    void keysDifferingInOneFieldAtRandom() {
        List<ExitRecord> keys = keys();
        Random rnd = new Random(7);
        List<ExitRecord> exits = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) exits.add(keys.get(rnd.nextInt(keys.size())));
        check(exits);
    }

    @Test
    void pairsOfKeysInTightAlternation() {
        // neighbours in keys() differ in one field: blocking, vCPU, class, VM, subkey, reason, thread
        List<ExitRecord> keys = keys();
        List<ExitRecord> exits = new ArrayList<>();
        for (int step : new int[] {1, 2, 4, 8, 16, 48, 96}) {
            for (int a = 0; a + step < keys.size(); a += 2 * step) {
                for (int i = 0; i < 5; i++) {
                    exits.add(keys.get(a));
                    exits.add(keys.get(a + step));
                }
            }
        }
        check(exits);
    }
}
