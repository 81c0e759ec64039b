package io.exitscope.source.live;

import com.fasterxml.jackson.databind.JsonNode;
import io.exitscope.calibrate.ExerciserRun;
import io.exitscope.testutil.Kvm;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A ring buffer made too small on purpose (4 KiB per CPU) at the exerciser's highest event rate:
 * the kernel drops events (no-overwrite mode) and live reports them, per interval and cumulative,
 * and flags the figures as partial — never silently fewer exits.
 */
class LiveLostEventsTest {
    @Test
    void tinyBufferLossesAreReported() throws Exception {
        Kvm.assumeLiveWithExerciser();
        try (ExerciserRun ex = Kvm.startStopped("--mode", "pio-ioeventfd", "--seconds", "1.5", "--cpu", "0")) {
            LiveRuns.Run run = LiveRuns.liveWhileExerciser(ex, 20_000,
                    "live", "--batch", "--duration", "3", "--format", "json", "--buffer-kb", "4", "--by", "subkey,class");
            assertEquals(0, run.cli().code, run.cli().toString());
            JsonNode cum = run.cumulative();
            long lost = cum.get("lost_events").asLong();
            assertTrue(lost > 0, "a 4 KiB buffer at this rate loses events, and says so\n" + run.cli());
            assertTrue(cum.get("partial").asBoolean(), "partial when events were lost");
            long sumLost = 0;
            for (JsonNode o : run.intervals()) {
                sumLost += o.get("lost_events").asLong();
                if (o.get("lost_events").asLong() > 0) assertTrue(o.get("partial").asBoolean(), "interval flagged partial: " + o);
            }
            assertEquals(lost, sumLost, "interval losses add up");
            // what was traced plus what was lost is every event of the run: 8 per pass + 3 per interrupted KVM_RUN
            ExerciserRun.Result r = run.ex();
            long expectedEvents = 5 * r.iterations() + r.userspaceExits() * 3; // kvm_pio, kvm_userspace_exit, 2 kvm_fpu
            long traced = cum.get("events").asLong();
            assertTrue(traced < expectedEvents, "fewer events traced than happened");
            assertEquals(expectedEvents, traced + lost, "traced + lost = every event the exerciser caused (lost counts are exact)");
        }
    }
}
