package io.exitscope.exit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exitscope.testutil.Cli;
import io.exitscope.testutil.SharedTraces;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real ioeventfd A/B recording from this machine kind (KVM on PVM, no kvm_exit/kvm_entry):
 * run 1 (tid 21516) without ioeventfd, run 2 (tid 21518) with KVM_IOEVENTFD on port 0x500.
 */
class PvmIoeventfdTest {
    static final String FILE = "x86-pvm-linux-6.18/pvm-ioeventfd-ab.dat";
    static final int RUN1 = 21516, RUN2 = 21518;

    static JsonNode report(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("report", "--format", "json"));
        args.addAll(List.of(extra));
        args.add(SharedTraces.require(FILE).toString());
        Cli r = Cli.run(args.toArray(new String[0]));
        assertEquals(0, r.code, r.toString());
        return new ObjectMapper().readTree(r.out);
    }

    static JsonNode group(JsonNode report, String subkey, String cls, String vcpu) {
        for (JsonNode g : report.get("groups")) {
            if (subkey.equals(g.path("subkey").asText()) && cls.equals(g.get("class").asText())
                    && (vcpu == null || vcpu.equals(g.path("vcpu").asText()))) return g;
        }
        return null;
    }

    @Test
    void port500IsUserspaceInRun1AndKernelInRun2_3f8UserspaceInBoth() throws Exception {
        JsonNode r = report("--by", "subkey,class,vcpu");
        // 1000 iterations of 4 x out 0x500 + 1 x out 0x3f8 per run
        assertEquals(4000, group(r, "port 0x500 out", "userspace", "tid " + RUN1).get("count").asLong());
        assertEquals(null, group(r, "port 0x500 out", "kernel", "tid " + RUN1));
        assertEquals(4000, group(r, "port 0x500 out", "kernel", "tid " + RUN2).get("count").asLong());
        assertEquals(null, group(r, "port 0x500 out", "userspace", "tid " + RUN2));
        for (int tid : new int[]{RUN1, RUN2}) {
            JsonNode g = group(r, "port 0x3f8 out", "userspace", "tid " + tid);
            // the last 0x3f8 of each run never returns into KVM_RUN (the VMM exits): incomplete, not timed
            assertEquals(999, g.get("count").asLong(), "0x3f8 on " + tid);
            assertEquals(null, group(r, "port 0x3f8 out", "kernel", "tid " + tid));
        }
        assertEquals(2, r.get("incomplete_exits").asLong());
    }

    @Test
    void userspaceRoundTripPercentilesAreReported() throws Exception {
        JsonNode r = report("--by", "subkey,class");
        boolean roundTrip = false;
        for (JsonNode m : r.get("measures")) roundTrip |= m.asText().equals("userspace round trip");
        assertTrue(roundTrip, "report says it measured userspace round trips");
        JsonNode g = group(r, "port 0x500 out", "userspace", null);
        long p50 = g.get("p50_ns").asLong(), p99 = g.get("p99_ns").asLong(), max = g.get("max_ns").asLong();
        assertTrue(p50 > 1_000 && p50 < 1_000_000, "p50 round trip " + p50 + " ns is a few microseconds");
        assertTrue(p50 <= p99 && p99 <= max);
        JsonNode k = group(r, "port 0x500 out", "kernel", null);
        assertTrue(k.get("p50_ns").isNull(), "kernel-handled exits are counted, not timed, without kvm_exit/kvm_entry");
    }

    @Test
    void ioeventfdEvidenceSaysExactlyThat() throws Exception {
        JsonNode n = report().get("evidence").get("notifications");
        int seen = 0;
        for (JsonNode a : n) {
            String addr = a.get("address").asText();
            int tid = a.get("tid").asInt();
            String verdict = a.get("verdict").asText();
            if (addr.equals("port 0x500 out")) {
                assertEquals(tid == RUN1 ? "userspace" : "kernel", verdict, "0x500 on " + tid);
                assertEquals(tid == RUN2, a.get("ioeventfd").asBoolean());
                seen++;
            } else if (addr.equals("port 0x3f8 out")) {
                assertEquals("userspace", verdict, "0x3f8 on " + tid);
                seen++;
            }
        }
        assertEquals(4, seen, "0x500 and 0x3f8 for both runs: " + n);
        Cli t = Cli.run("report", SharedTraces.require(FILE).toString());
        assertTrue(t.out.contains("port 0x500 out on tid 21516 (g2): reaches userspace: no ioeventfd"), t.out);
        assertTrue(t.out.contains("port 0x500 out on tid 21518 (g2): stays in the kernel"), t.out);
    }

    @Test
    void compareOfTheTwoRunsRanksPort500First() throws Exception {
        String f = SharedTraces.require(FILE).toString();
        Cli c = Cli.run("compare", "--format", "json", "--a-tid", "" + RUN1, "--b-tid", "" + RUN2, f, f);
        assertEquals(0, c.code, c.toString());
        JsonNode shifts = new ObjectMapper().readTree(c.out).get("shifts");
        JsonNode top = shifts.get(0);
        assertEquals("port 0x500 out", top.get("subkey").asText(), c.out);
        assertTrue(top.get("why").asText().contains("userspace 100% -> kernel 100%"), top.toString());
        assertTrue(top.get("score").asDouble() > shifts.get(1).get("score").asDouble());
        Cli table = Cli.run("compare", "--a-tid", "" + RUN1, "--b-tid", "" + RUN2, f, f);
        String firstRow = table.out.lines().filter(l -> l.startsWith("*")).findFirst().orElse("");
        assertTrue(firstRow.contains("port 0x500 out"), table.out);
    }
}
