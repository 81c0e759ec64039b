package io.exitscope.triage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exitscope.testutil.Cli;
import io.exitscope.testutil.SharedTraces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code exitscope triage} on the real traces: the findings the issue asks for, and the JSON contract. */
class TriageTest {
    static final String PVM = "x86-pvm-linux-6.18/pvm-ioeventfd-ab.dat";
    static final String VMX_TSC2NSEC = "x86-vmx-linux-6.5/host-kvm-tsc2nsec.dat";
    static final String VMX_X86TSC = "x86-vmx-linux-6.5/host-kvm-x86tsc.v7-zstd.dat";
    static final Set<String> KINDS = Set.of("lost-events", "no-ioeventfd", "userspace-dominated", "exit-storm", "long-tail",
            "requests-pending", "big-lock", "exit-time", "kvm-module", "idle", "class-unknown");

    static JsonNode run(String... args) throws Exception {
        Cli r = Cli.run(args);
        assertEquals(0, r.code, r.toString());
        return new ObjectMapper().readTree(r.out);
    }

    static JsonNode triage(String file, String... extra) throws Exception {
        List<String> a = new ArrayList<>(List.of("triage", "--format", "json"));
        a.addAll(List.of(extra));
        a.add(SharedTraces.require(file).toString());
        return run(a.toArray(new String[0]));
    }

    static void assertContract(JsonNode t) {
        assertTrue(t.get("source").isTextual(), t.toString());
        assertTrue(t.get("partial").isBoolean());
        assertTrue(t.get("findings").isArray());
        for (JsonNode f : t.get("findings")) {
            for (String k : List.of("kind", "title", "key", "advice")) assertTrue(f.get(k).isTextual(), k + " in " + f);
            assertTrue(KINDS.contains(f.get("kind").asText()), f.get("kind").asText());
            double share = f.get("share").asDouble();
            assertTrue(f.get("share").isNumber() && share >= 0 && share <= 1, "share 0..1: " + f);
            assertTrue(f.get("evidence").isObject());
        }
    }

    @Test
    void pvmRun1TopFindingIsPort500WithoutIoeventfdWithProjectedGain() throws Exception {
        JsonNode t = triage(PVM, "--tid", "21516");
        assertContract(t);
        JsonNode top = t.get("findings").get(0);
        assertEquals("no-ioeventfd", top.get("kind").asText(), t.toPrettyString());
        assertEquals("port 0x500", top.get("key").asText());
        assertEquals("port 0x500 notifications reach userspace (no ioeventfd)", top.get("title").asText());
        JsonNode ev = top.get("evidence");
        assertEquals(4000, ev.get("to_userspace").asLong());
        assertEquals(0, ev.get("in_kernel").asLong());
        long mean = ev.get("mean_ns").asLong(), kernel = ev.get("projected_kernel_ns").asLong();
        assertTrue(mean > 1_000 && mean < 1_000_000, "mean round trip " + mean);
        // the trace times no kernel-handled write: the exit-path model's figure, the one 'exitscope model' shows
        assertEquals("exit-path model", ev.get("projected_kernel_ns_from").asText());
        assertEquals(modelProjectedP50(PVM, "21516", "port 0x500 out"), kernel, "triage and model agree");
        assertTrue(kernel > 1000 && kernel < 2000, "config x86.ioeventfd_kernel = 1500 ns, spread 0.3: " + kernel);
        assertEquals(mean - kernel, ev.get("projected_gain_per_exit_ns").asLong());
        assertTrue(ev.get("projected_gain_ns").asLong() > 0);
        double gainShare = ev.get("projected_gain_share").asDouble();
        assertTrue(gainShare > 0.5 && gainShare <= top.get("share").asDouble(), "most of the time is saved: " + gainShare);
        assertTrue(top.get("advice").asText().contains("ioeventfd"));
        // the serial port is explained as an emulated device, not as a missing ioeventfd
        for (JsonNode f : t.get("findings")) {
            if (f.get("kind").asText().equals("no-ioeventfd")) assertEquals("port 0x500", f.get("key").asText());
        }
        assertFalse(t.get("partial").asBoolean());
    }

    @Test
    void pvmRun2HasNoPort500Finding() throws Exception {
        JsonNode t = triage(PVM, "--tid", "21518");
        assertContract(t);
        for (JsonNode f : t.get("findings")) {
            assertFalse(f.get("kind").asText().equals("no-ioeventfd") && f.get("key").asText().equals("port 0x500"), f.toString());
            assertFalse(f.get("kind").asText().equals("no-ioeventfd"), "with ioeventfd only the serial port reaches userspace: " + f);
        }
    }

    @Test
    void bothRunsTogetherProveIoeventfdIsPossible() throws Exception {
        JsonNode top = triage(PVM).get("findings").get(0);
        assertEquals("no-ioeventfd", top.get("kind").asText());
        assertTrue(top.get("evidence").get("ioeventfd_seen_elsewhere").asBoolean(), top.toString());
        assertEquals(4000, top.get("evidence").get("in_kernel").asLong());
    }

    /** What {@code exitscope model} projects for one key's p50 with ioeventfd switched on. */
    static long modelProjectedP50(String file, String tid, String subkey) throws Exception {
        JsonNode model = run("model", "--format", "json", "--tid", tid, SharedTraces.require(file).toString());
        for (JsonNode r : model.get("ranking")) {
            if (!r.get("switch").asText().equals("ioeventfd")) continue;
            for (JsonNode k : r.get("keys")) if (subkey.equals(k.path("subkey").asText())) return k.get("projected_p50_ns").asLong();
        }
        throw new AssertionError("no ioeventfd projection for " + subkey + " in " + model.toPrettyString());
    }

    @Test
    void theModelsSettingsMoveTheProjection() throws Exception {
        JsonNode ev = triage(PVM, "--tid", "21516", "--set", "x86.ioeventfd_kernel=800").get("findings").get(0).get("evidence");
        long kernel = ev.get("projected_kernel_ns").asLong();
        assertTrue(kernel > 500 && kernel < 1100, "800 ns, spread 0.3: " + kernel);
        assertEquals("exit-path model", ev.get("projected_kernel_ns_from").asText());
    }

    @Test
    void notifyCostOverridesTheProjection() throws Exception {
        JsonNode ev = triage(PVM, "--tid", "21516", "--notify-cost", "1us").get("findings").get(0).get("evidence");
        assertEquals(1000, ev.get("projected_kernel_ns").asLong());
        assertEquals("given (--notify-cost)", ev.get("projected_kernel_ns_from").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {VMX_TSC2NSEC, VMX_X86TSC})
    void vmxHltIsIdleAndTheRestIsRankedByTimeWithTheReportsFigures(String file) throws Exception {
        JsonNode t = triage(file);
        assertContract(t);
        JsonNode report = run("report", "--format", "json", SharedTraces.require(file).toString());
        List<JsonNode> overhead = new ArrayList<>();
        JsonNode hltGroup = null;
        for (JsonNode g : report.get("groups")) {
            if (g.get("blocking").asBoolean()) hltGroup = g;
            else overhead.add(g);
        }
        assertNotNull(hltGroup);
        List<JsonNode> ranking = new ArrayList<>();
        JsonNode idle = null;
        int idleAt = -1, i = 0;
        for (JsonNode f : t.get("findings")) {
            String kind = f.get("kind").asText();
            if (kind.equals("exit-time")) ranking.add(f);
            if (kind.equals("idle")) {
                idle = f;
                idleAt = i;
            }
            assertFalse(kind.equals("exit-time") && f.get("key").asText().startsWith("HLT"), "HLT is not ranked as overhead: " + f);
            i++;
        }
        assertNotNull(idle, "HLT kept apart as idle");
        assertEquals("HLT", idle.get("key").asText());
        assertEquals(t.get("findings").size() - 1, idleAt, "idle comes last");
        assertEquals(0.0, idle.get("share").asDouble());
        for (String k : List.of("count", "total_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns")) {
            assertEquals(hltGroup.get(k).asLong(), idle.get("evidence").get(k).asLong(), "HLT " + k);
        }
        // the rest: one entry per report group, in the report's order (by time), with the same numbers
        assertEquals(overhead.size(), ranking.size());
        double sum = 0;
        for (int k = 0; k < overhead.size(); k++) {
            JsonNode g = overhead.get(k), ev = ranking.get(k).get("evidence");
            assertEquals(g.get("reason").asText() + " [" + g.get("class").asText() + "]", ranking.get(k).get("key").asText());
            for (String f : List.of("reason", "class")) assertEquals(g.get(f).asText(), ev.get(f).asText(), f);
            for (String f : List.of("reason_code", "count", "measured", "total_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns", "userspace_ns")) {
                assertEquals(g.get(f).asLong(), ev.get(f).asLong(), f + " of " + g.get("reason").asText());
            }
            assertEquals(g.get("share").asDouble(), ev.get("share").asDouble(), 0.0, "share of " + g.get("reason").asText());
            assertEquals(g.get("share").asDouble(), ranking.get(k).get("share").asDouble(), 1e-6);
            if (k > 0) assertTrue(ranking.get(k - 1).get("share").asDouble() >= ranking.get(k).get("share").asDouble());
            sum += ranking.get(k).get("share").asDouble();
        }
        assertEquals(1.0, sum, 1e-3);
        assertTrue(t.get("findings").toString().contains("\"kind\":\"kvm-module\""), "both hosts had KVM as a module (kallsyms)");
    }

    @Test
    void theMaxOutlierOfX86tscIsALongTailWithItsTimestamp() throws Exception {
        JsonNode t = triage(VMX_X86TSC);
        JsonNode top = t.get("findings").get(0);
        assertEquals("long-tail", top.get("kind").asText(), t.toPrettyString());
        assertEquals("APIC_WRITE [kernel]", top.get("key").asText());
        JsonNode slow = top.get("evidence").get("slowest").get(0);
        long max = top.get("evidence").get("max_ns").asLong();
        assertEquals(max, slow.get("latency_ns").asLong(), max / 1000.0, "the slowest exit is the max (within HdrHistogram's 3 digits)");
        assertTrue(slow.get("ts_ns").asLong() > 0 && slow.has("offset_s") && slow.has("cpu") && slow.has("tid"));
        // the diagnosis stands right before the group it explains
        assertEquals("exit-time", t.get("findings").get(1).get("kind").asText());
        assertEquals("APIC_WRITE [kernel]", t.get("findings").get(1).get("key").asText());
    }

    @Test
    void tableFormatNamesTheTopFinding() {
        Cli r = Cli.run("triage", "--tid", "21516", SharedTraces.require(PVM).toString());
        assertEquals(0, r.code, r.toString());
        String first = r.out.lines().filter(l -> l.matches("\\s*1\\..*")).findFirst().orElse("");
        assertTrue(first.contains("no-ioeventfd") && first.contains("port 0x500"), r.out);
    }

    @Test
    void usageErrors() {
        assertEquals(64, Cli.run("triage").code);
        Cli c = Cli.run("triage", "--on-threshold", "stop", "--fail-on", "lost > 0", SharedTraces.require(PVM).toString());
        assertEquals(64, c.code, c.toString());
        assertTrue(c.err.contains("--live"), c.err);
    }
}
