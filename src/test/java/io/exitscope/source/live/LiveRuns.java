package io.exitscope.source.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exitscope.calibrate.ExerciserRun;
import io.exitscope.testutil.Cli;
import io.exitscope.testutil.Kvm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Runs {@code exitscope live} in-process while the exerciser runs, and reads its JSON lines. */
final class LiveRuns {
    static final ObjectMapper JSON = new ObjectMapper();

    private LiveRuns() {}

    /** Result of one live run and the exerciser's own counts. */
    record Run(Cli cli, ExerciserRun.Result ex, List<JsonNode> intervals) {
        JsonNode last() {
            return intervals.get(intervals.size() - 1);
        }

        JsonNode cumulative() {
            return last().get("cumulative");
        }

        /** The cumulative group of a subkey (grouped by subkey,class), or null. */
        JsonNode group(String subkey, String cls) {
            for (JsonNode g : cumulative().get("groups")) {
                if (subkey.equals(g.path("subkey").asText(null)) && cls.equals(g.get("class").asText())) return g;
            }
            return null;
        }
    }

    /**
     * Starts {@code exitscope live ARGS -p <exerciser pid>} on a thread, lets the (stopped) exerciser
     * run once the instance traces, and returns when live has ended.
     */
    static Run liveWhileExerciser(ExerciserRun ex, long timeoutMs, String... liveArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of(liveArgs));
        args.addAll(List.of("-p", Long.toString(ex.pid())));
        AtomicReference<Cli> res = new AtomicReference<>();
        Thread t = new Thread(() -> res.set(Cli.run(args.toArray(String[]::new))), "live-under-test");
        t.start();
        long me = ProcessHandle.current().pid();
        if (!Kvm.awaitTracing(me, 15_000)) {
            t.join(20_000);
            fail("live did not start tracing within 15 s: " + res.get());
        }
        ex.resume();
        t.join(timeoutMs);
        assertTrue(!t.isAlive(), "live did not end within " + timeoutMs + " ms");
        int code = ex.waitFor(30_000_000_000L);
        assertTrue(code == 0, "exerciser exit " + code + ": " + ex.stderrText());
        Cli cli = res.get();
        List<JsonNode> lines = new ArrayList<>();
        for (String l : cli.out.lines().toList()) {
            if (l.isBlank()) continue;
            try {
                lines.add(JSON.readTree(l));
            } catch (Exception e) {
                fail("not a JSON line: " + l + "\n" + cli);
            }
        }
        return new Run(cli, ex.result(), lines);
    }
}
