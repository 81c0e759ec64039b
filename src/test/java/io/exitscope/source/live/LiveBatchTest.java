package io.exitscope.source.live;

import com.fasterxml.jackson.databind.JsonNode;
import io.exitscope.calibrate.ExerciserRun;
import io.exitscope.testutil.Kvm;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code exitscope live --batch --format json} while the KVM exerciser runs a known number of guest
 * loop passes: exits by port with the right class, and counts equal to the exerciser's own.
 *
 * <p>The exerciser is exec'd stopped (its pid is needed for {@code -p}) and only runs its first
 * guest instruction after live's instance traces. Other VMs on the host (other test runs) are
 * outside the pid filter.
 */
class LiveBatchTest {
    static final int N = 20_000;

    @Test
    void ioeventfdPortIsKernelOtherPortUserspaceCountsExact() throws Exception {
        Kvm.assumeLiveWithExerciser();
        try (ExerciserRun ex = Kvm.startStopped("--mode", "mixed", "--ioeventfd", "--iterations", Integer.toString(N), "--cpu", "0")) {
            LiveRuns.Run run = LiveRuns.liveWhileExerciser(ex, 20_000,
                    "live", "--batch", "--duration", "5", "--format", "json", "--by", "subkey,class");
            assertEquals(0, run.cli().code, run.cli().toString());
            checkIntervals(run);
            JsonNode cum = run.cumulative();
            Assumptions.assumeTrue(cum.get("lost_events").asLong() == 0,
                    "events were lost on this busy host, exact counts cannot be checked: " + cum.get("lost_events"));
            ExerciserRun.Result r = run.ex();
            Assumptions.assumeTrue(r.elapsedNs() < 4_000_000_000L, "the exerciser needed " + r.elapsedNs() / 1e9 + " s on this busy host");
            assertEquals(4L * N, r.guestWrites(0x500));
            JsonNode k500 = run.group("port 0x500 out", "kernel");
            assertNotNull(k500, "port 0x500 with ioeventfd is kernel-handled\n" + run.cli());
            assertEquals(r.guestWrites(0x500), k500.get("count").asLong(), "every kernel-handled 0x500 write\n" + r.json() + "\n" + run.cli());
            assertEquals(null, run.group("port 0x500 out", "userspace"), "no 0x500 write reaches userspace with ioeventfd");
            JsonNode u3f8 = run.group("port 0x3f8 out", "userspace");
            assertNotNull(u3f8, "port 0x3f8 reaches userspace\n" + run.cli());
            // the exerciser's very last exit (a 0x3f8 write) never re-enters the guest: incomplete, not in a group
            assertEquals(1, cum.get("incomplete_exits").asLong(), "only the final exit is incomplete");
            assertEquals(r.ioByPort().get(0x3f8), u3f8.get("count").asLong() + cum.get("incomplete_exits").asLong(), "0x3f8 writes");
            assertEquals(r.userspaceExits(), cum.get("evidence").get("userspace_returns").asLong(), "kvm_userspace_exit = returns from KVM_RUN");
            assertEquals(r.guestWrites(0x500) + r.guestWrites(0x3f8), cum.get("exits").asLong() + cum.get("incomplete_exits").asLong());
            boolean ioeventfd = false;
            for (JsonNode a : cum.get("evidence").get("notifications")) {
                if (a.get("address").asText().equals("port 0x500 out")) ioeventfd = a.get("ioeventfd").asBoolean();
            }
            assertTrue(ioeventfd, "evidence says port 0x500 uses ioeventfd");
        }
    }

    @Test
    void withoutIoeventfdBothPortsReachUserspace() throws Exception {
        Kvm.assumeLiveWithExerciser();
        try (ExerciserRun ex = Kvm.startStopped("--mode", "mixed", "--iterations", Integer.toString(N), "--cpu", "0")) {
            LiveRuns.Run run = LiveRuns.liveWhileExerciser(ex, 20_000,
                    "live", "--batch", "--duration", "3", "--interval", "500ms", "--format", "json", "--by", "subkey,class");
            assertEquals(0, run.cli().code, run.cli().toString());
            checkIntervals(run);
            JsonNode cum = run.cumulative();
            Assumptions.assumeTrue(cum.get("lost_events").asLong() == 0, "events were lost on this busy host: " + cum.get("lost_events"));
            ExerciserRun.Result r = run.ex();
            Assumptions.assumeTrue(r.elapsedNs() < 2_500_000_000L, "the exerciser needed " + r.elapsedNs() / 1e9 + " s on this busy host");
            JsonNode u500 = run.group("port 0x500 out", "userspace");
            assertNotNull(u500, "port 0x500 without ioeventfd reaches userspace\n" + run.cli());
            assertEquals(null, run.group("port 0x500 out", "kernel"), "no 0x500 write stays in the kernel without ioeventfd");
            assertEquals((long) r.ioByPort().get(0x500), u500.get("count").asLong());
            assertEquals(4L * N, u500.get("count").asLong());
            JsonNode u3f8 = run.group("port 0x3f8 out", "userspace");
            assertNotNull(u3f8);
            assertEquals(r.ioByPort().get(0x3f8), u3f8.get("count").asLong() + cum.get("incomplete_exits").asLong());
            assertTrue(u500.get("p50_ns").asLong() > 0, "userspace round trips are timed");
            assertEquals(r.userspaceExits(), cum.get("evidence").get("userspace_returns").asLong());
        }
    }

    /** Every line: one JSON object per interval with its bounds and the cumulative object; intervals add up. */
    static void checkIntervals(LiveRuns.Run run) {
        assertTrue(run.intervals().size() >= 2, "one object per interval\n" + run.cli());
        long sumExits = 0, sumEvents = 0, prevEnd = Long.MIN_VALUE;
        for (JsonNode o : run.intervals()) {
            for (String f : new String[]{"interval_start_ns", "interval_end_ns", "cumulative", "source", "events", "exits",
                    "incomplete_exits", "lost_events", "groups", "partial"}) {
                assertTrue(o.has(f), "field " + f + " in " + o);
            }
            long s = o.get("interval_start_ns").asLong(), e = o.get("interval_end_ns").asLong();
            assertTrue(e >= s, "interval end after start: " + o);
            if (prevEnd != Long.MIN_VALUE) assertEquals(prevEnd, s, "intervals are contiguous");
            prevEnd = e;
            sumExits += o.get("exits").asLong();
            sumEvents += o.get("events").asLong();
            assertTrue(o.get("cumulative").has("groups"), "cumulative has the report fields");
        }
        JsonNode cum = run.cumulative();
        assertEquals(cum.get("exits").asLong(), sumExits, "interval exits add up to the cumulative count");
        assertEquals(cum.get("events").asLong(), sumEvents, "interval events add up to the cumulative count");
        for (Map.Entry<String, JsonNode> e : iter(cum.get("evidence"))) assertNotNull(e.getValue());
    }

    private static Iterable<Map.Entry<String, JsonNode>> iter(JsonNode n) {
        return n::fields;
    }
}
