package io.exitscope.source.live;

import com.fasterxml.jackson.databind.JsonNode;
import io.exitscope.testutil.Cli;
import io.exitscope.testutil.Kvm;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code exitscope calibrate --format json}: one object per exit kind, the right class per kind
 * (port 0x500 kernel-handled with ioeventfd, userspace without), and the trace's counts equal to
 * the exerciser's own.
 */
class CalibrateTest {
    static final String[] FIELDS = {"kind", "description", "exerciser_args", "cpu", "iterations", "elapsed_ns", "stopped_by", "target",
            "class", "expected_class", "class_counts", "exits", "expected_exits", "exits_per_s", "traced_exits_per_s", "measure",
            "measured", "p50_ns", "p99_ns", "max_ns", "all_exits", "incomplete_exits", "interrupted_exits", "userspace_exits", "expected_userspace_exits",
            "events", "counts_match", "lost_events", "partial", "span_ns", "clock", "groups"};

    @Test
    void everyKindOneObjectRightClassCountsMatch() throws Exception {
        Kvm.assumeLiveWithExerciser();
        Cli r = Cli.run("calibrate", "--format", "json", "--iterations", "20000", "--cpu", "0");
        assertEquals(0, r.code, r.toString());
        Map<String, JsonNode> byKind = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        for (String line : r.out.lines().toList()) {
            JsonNode o = LiveRuns.JSON.readTree(line);
            for (String f : FIELDS) assertTrue(o.has(f), "field " + f + " in " + line);
            byKind.put(o.get("kind").asText(), o);
            order.add(o.get("kind").asText());
        }
        assertEquals(List.of("pio", "mixed", "pio-ioeventfd", "mmio", "hlt"), order, "one object per kind, in order");
        for (JsonNode o : byKind.values()) {
            String k = o.get("kind").asText();
            assertEquals(20000, o.get("iterations").asLong(), k);
            if (o.get("lost_events").asLong() > 0) {
                assertTrue(o.get("partial").asBoolean(), k + ": lost events flagged partial");
                continue; // a busy host: exactness cannot be checked for this kind
            }
            assertTrue(o.get("counts_match").asBoolean(), k + ": trace counts equal the exerciser's: " + o);
            assertEquals(o.get("expected_exits").asLong(), o.get("exits").asLong(), k);
            assertEquals(o.get("expected_userspace_exits").asLong(), o.get("userspace_exits").asLong(), k);
            assertEquals(o.get("expected_class").asText(), o.get("class").asText(), k + ": class");
            o.get("events").fields().forEachRemaining(e -> {
                if (!e.getValue().get("expected").isNull()) {
                    assertEquals(e.getValue().get("expected").asLong(), e.getValue().get("traced").asLong(), k + " " + e.getKey());
                }
            });
            assertTrue(o.get("exits_per_s").asDouble() > 0 && o.get("traced_exits_per_s").asDouble() > 0, k);
        }
        JsonNode pio = byKind.get("pio");
        assertEquals("userspace", pio.get("class").asText(), "pio to port 0x500 reaches userspace");
        assertEquals("userspace round trip", pio.get("measure").asText(), "no kvm_exit/kvm_entry here: the userspace round trip is timed");
        assertTrue(pio.get("p50_ns").asLong() > 0 && pio.get("p99_ns").asLong() >= pio.get("p50_ns").asLong());
        assertEquals(20000, pio.get("expected_exits").asLong());

        JsonNode b = byKind.get("pio-ioeventfd");
        assertEquals("kernel", b.get("class").asText(), "port 0x500 with ioeventfd is kernel-handled");
        assertEquals(80000, b.get("expected_exits").asLong());
        assertTrue(b.get("p50_ns").isNull(), "kernel-handled exits are counted, not timed, without kvm_exit/kvm_entry");
        JsonNode ab = b.get("ioeventfd_ab");
        assertNotNull(ab, "the A/B is attached to pio-ioeventfd");
        assertEquals("0x500", ab.get("port").asText());
        assertEquals(1.0, ab.get("without").get("userspace_share").asDouble(), 1e-9);
        assertEquals(0.0, ab.get("with").get("userspace_share").asDouble(), 1e-9);
        assertTrue(ab.get("with").get("notifications_per_s").asDouble() > 0 && ab.get("without").get("notifications_per_s").asDouble() > 0);
        assertEquals("userspace", byKind.get("mixed").get("class").asText());
        assertEquals("userspace", byKind.get("mmio").get("class").asText());
        assertEquals("userspace", byKind.get("hlt").get("class").asText());
        assertFalse(Kvm.instanceExists(ProcessHandle.current().pid()), "instance removed");
    }

    /** Timed runs end by a timer signal (KVM_EXIT_INTR): it must not make a kernel-handled exit look like a userspace one. */
    @Test
    void timedRunKeepsIoeventfdExitsKernel() throws Exception {
        Kvm.assumeLiveWithExerciser();
        Cli r = Cli.run("calibrate", "--format", "json", "--kinds", "pio-ioeventfd", "--seconds", "0.5", "--cpu", "0");
        assertEquals(0, r.code, r.toString());
        JsonNode o = LiveRuns.JSON.readTree(r.out.strip());
        assertEquals("seconds", o.get("stopped_by").asText());
        assertTrue(o.get("ioeventfd_ab") == null, "no A/B without the mixed run");
        if (o.get("lost_events").asLong() == 0) assertTrue(o.get("counts_match").asBoolean(), o.toString());
        assertEquals("kernel", o.get("class").asText(), o.toString());
        assertTrue(o.get("interrupted_exits").asLong() <= 1, "at most the one exit before the timer's return: " + o);
    }
}
