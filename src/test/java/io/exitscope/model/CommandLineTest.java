package io.exitscope.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exitscope.testutil.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.exitscope.model.ModelFixtures.assertWithin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command-line contract of simulate, model, and report/compare on simulated traces. */
class CommandLineTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    Path simulate(String name, String... extra) {
        return simulate(name, 1, extra);
    }

    Path simulate(String name, long seed, String... extra) {
        Path f = tmp.resolve(name);
        String[] base = {"simulate", "--workload", "diag500", "--disks", "100", "--vcpus", "2", "--seconds", "0.2", "--seed", Long.toString(seed)};
        String[] args = new String[base.length + extra.length + 2];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        args[args.length - 2] = "-o";
        args[args.length - 1] = f.toString();
        Cli c = Cli.run(args);
        assertEquals(0, c.code, c.toString());
        assertTrue(c.out.contains("SIMULATED"), c.out);
        return f;
    }

    static JsonNode json(String... args) throws Exception {
        Cli c = Cli.run(args);
        assertEquals(0, c.code, c.toString());
        return JSON.readTree(c.out);
    }

    static JsonNode diagGroup(JsonNode report) {
        for (JsonNode g : report.get("groups")) {
            String text = g.path("reason").asText() + " " + g.path("subkey").asText();
            if (text.contains("DIAG") && text.contains("0x500")) return g;
        }
        throw new AssertionError("no DIAG 0x500 group in " + report);
    }

    @Test
    void reportAndCompareShowTheIoeventfdShift() throws Exception {
        Path on = simulate("on.dat", "--switch", "ioeventfd=on");
        Path off = simulate("off.dat", "--switch", "ioeventfd=off");
        JsonNode ron = json("report", on.toString(), "--format", "json", "--by", "subkey");
        JsonNode roff = json("report", off.toString(), "--format", "json", "--by", "subkey");
        assertTrue(ron.get("synthetic").asBoolean());
        assertWithin(410, diagGroup(ron).get("p50_ns").asLong(), 0.10, "report p50 with ioeventfd");
        assertWithin(1400, diagGroup(roff).get("p50_ns").asLong(), 0.10, "report p50 without ioeventfd");
        assertEquals("kernel", diagGroup(ron).get("class").asText());
        assertEquals("userspace", diagGroup(roff).get("class").asText());

        Cli cmp = Cli.run("compare", off.toString(), on.toString());
        assertEquals(0, cmp.code, cmp.toString());
        String top = cmp.out.lines().filter(l -> l.startsWith("*")).findFirst().orElse("");
        assertTrue(top.contains("DIAG (0x500)") && top.contains("userspace") && top.contains("kernel"), cmp.out);
        assertTrue(cmp.out.contains("SIMULATED"), cmp.out);
    }

    @Test
    void reportAndCompareShowTheProfileShift() throws Exception {
        Path old = simulate("old.dat", "--profile", "kernel-4.4");
        Path tuned = simulate("tuned.dat", "--profile", "talk-2016-tuned");
        long pOld = diagGroup(json("report", old.toString(), "--format", "json", "--by", "subkey")).get("p50_ns").asLong();
        long pTuned = diagGroup(json("report", tuned.toString(), "--format", "json", "--by", "subkey")).get("p50_ns").asLong();
        // traced part of early exit (30) + built in (5) + the fast path's traced share (25)
        assertWithin(60, pOld - pTuned, 0.25, "DIAG 0x500 exit latency kernel-4.4 -> tuned");
        JsonNode cmp = json("compare", old.toString(), tuned.toString(), "--format", "json");
        JsonNode diag = null;
        for (JsonNode s : cmp.get("shifts")) if (s.get("key").asText().contains("DIAG (0x500)")) diag = s;
        assertNotNull(diag, cmp.toString());
        assertWithin(pOld - pTuned, diag.get("a_p50_ns").asLong() - diag.get("b_p50_ns").asLong(), 0.05, "compare's p50 shift");
        // every kernel-handled key moves down by the early exit and the built-in kernel
        for (JsonNode s : cmp.get("shifts")) {
            if (s.get("a_count").asLong() > 50 && s.get("b_count").asLong() > 50) {
                assertTrue(s.get("b_p50_ns").asLong() < s.get("a_p50_ns").asLong(), s.toString());
            }
        }
    }

    @Test
    void modelJsonContract() throws Exception {
        Path on = simulate("on.dat");
        Path off = simulate("off2.dat", 2, "--switch", "ioeventfd=off");
        JsonNode m = json("model", on.toString(), "--format", "json", "--switch", "ioeventfd=off");
        for (String f : new String[]{"source", "events", "exits", "incomplete_exits", "lost_events", "groups", "recorded", "target", "ranking"}) {
            assertNotNull(m.get(f), f);
        }
        JsonNode g = diagGroup(m);
        JsonNode p = g.get("projected");
        for (String f : new String[]{"p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns", "count", "total_ns"}) {
            assertTrue(p.has(f), "projected." + f);
            assertTrue(g.has(f), f);
        }
        assertEquals("userspace", p.get("class").asText());
        JsonNode direct = diagGroup(json("report", off.toString(), "--format", "json", "--by", "subkey"));
        assertWithin(direct.get("p50_ns").asLong(), p.get("p50_ns").asLong(), 0.10, "projected p50 vs simulated directly");
        assertWithin(direct.get("p99_ns").asLong(), p.get("p99_ns").asLong(), 0.10, "projected p99 vs simulated directly");
        // the recorded set is recovered; the ranking puts ioeventfd first
        JsonNode rec = m.get("recorded");
        assertEquals("current", rec.get("profile").asText());
        assertEquals("on", rec.get("switches").get("ioeventfd").get("value").asText());
        assertEquals("ioeventfd", m.get("ranking").get(0).get("switch").asText());
        assertEquals(1, m.get("target").get("changed").size());
        for (JsonNode r : m.get("ranking")) assertTrue(r.has("total_ns_delta") && r.has("keys"));
        assertTrue(g.get("stages").size() > 10);
    }

    @Test
    void modelOnASimulatedTraceRecoversTheSetEvenWithoutItsDeclaration() throws Exception {
        Path old = simulate("old.dat", "--profile", "kernel-4.4", "--switch", "ioeventfd=off");
        JsonNode m = json("model", old.toString(), "--format", "json", "--recorded", "fit");
        JsonNode sw = m.get("recorded").get("switches");
        assertEquals("off", sw.get("ioeventfd").get("value").asText());
        assertEquals("evidence", sw.get("ioeventfd").get("how").asText());
        assertEquals("off", sw.get("kvm-builtin").get("value").asText());
        assertEquals("off", sw.get("request-early-exit").get("value").asText());
        assertEquals("fit", sw.get("request-early-exit").get("how").asText());
    }

    @Test
    void modelTableListsAndErrors() throws Exception {
        Cli list = Cli.run("model", "--list-switches", "--list-profiles");
        assertEquals(0, list.code, list.toString());
        for (Switch s : Switch.values()) assertTrue(list.out.contains(s.cliName), s.cliName);
        assertTrue(list.out.contains("talk-2016-tuned") && list.out.contains("kernel-4.4") && list.out.contains("current"));
        Path on = simulate("t.dat");
        Cli t = Cli.run("model", on.toString(), "--profile", "talk-2016-tuned", "--explain");
        assertEquals(0, t.code, t.toString());
        assertTrue(t.out.contains("SIMULATED") && t.out.contains("which switch moves what most") && t.out.contains("eventfd-wakeup"), t.out);
        Cli bad = Cli.run("model", on.toString(), "--switch", "ioeventfd=maybe");
        assertEquals(64, bad.code, bad.toString());
        assertFalse(bad.err.contains("Exception"), bad.err);
        Cli badProfile = Cli.run("simulate", "--workload", "diag500", "--profile", "nope", "-o", tmp.resolve("x.dat").toString());
        assertEquals(64, badProfile.code, badProfile.toString());
        assertTrue(badProfile.err.contains("unknown profile"), badProfile.err);
        Cli badWorkload = Cli.run("simulate", "--workload", "nope", "-o", tmp.resolve("x.dat").toString());
        assertEquals(64, badWorkload.code, badWorkload.toString());
        assertFalse(Files.exists(tmp.resolve("x.dat")));
    }

    @Test
    void inKernelHypercallRoundTripFromSimulatedTraces() throws Exception {
        Path old = tmp.resolve("h-old.dat"), tuned = tmp.resolve("h-tuned.dat");
        assertEquals(0, Cli.run("simulate", "--workload", "hypercall", "--seconds", "0.05", "--profile", "kernel-4.4", "-o", old.toString()).code);
        assertEquals(0, Cli.run("simulate", "--workload", "hypercall", "--seconds", "0.05", "--profile", "talk-2016-tuned", "-o", tuned.toString()).code);
        long rtOld = diagGroup(json("model", old.toString(), "--format", "json")).get("round_trip").get("p50_ns").asLong();
        long rtTuned = diagGroup(json("model", tuned.toString(), "--format", "json")).get("round_trip").get("p50_ns").asLong();
        assertWithin(500, rtOld, 0.10, "hypercall round trip, kernel-4.4 trace");
        assertWithin(390, rtTuned, 0.10, "hypercall round trip, talk-2016-tuned trace");
        // and projecting the old trace onto the tuned set says the same
        JsonNode proj = diagGroup(json("model", old.toString(), "--format", "json", "--profile", "talk-2016-tuned"));
        assertWithin(390, proj.get("projected").get("round_trip").get("p50_ns").asLong(), 0.10, "projected hypercall round trip");
    }
}
