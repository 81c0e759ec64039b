package io.exitscope.exit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exitscope.testutil.Cli;
import io.exitscope.testutil.SharedTraces;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exit latencies of the real VMX traces against an independent computation from trace-cmd's own
 * output: pair each kvm_exit with the next kvm_entry of the same thread, exact percentiles by
 * nearest rank. exitscope's HdrHistogram figures must agree within its stated precision
 * (3 significant digits: relative error below 1/1000).
 */
class VmxPairingReferenceTest {
    private static final Pattern LINE = Pattern.compile("^\\s*(.*)-(\\d+)\\s+\\[(\\d+)\\]\\s*(\\d+)(?:\\.(\\d{9}))?:\\s+(\\w+):\\s*(.*)$");
    private static final Pattern REASON = Pattern.compile("exit_reason=(\\d+)");

    @ParameterizedTest
    @CsvSource({
            "x86-vmx-linux-6.5/host-kvm-tsc2nsec.dat, x86-vmx-linux-6.5/reference/host-kvm-tsc2nsec.report.tc316-raw-fields-fullts.txt.gz",
            "x86-vmx-linux-6.5/host-kvm-x86tsc.v7-zstd.dat, x86-vmx-linux-6.5/reference/host-kvm-x86tsc.report.tc316-raw-fields-fullts.txt.gz"
    })
    void perReasonCountAndPercentilesMatchIndependentPairing(String trace, String reference) throws Exception {
        var file = SharedTraces.require(trace);
        Map<Long, List<Long>> expected = independentPairing(SharedTraces.lines(reference));
        assertTrue(expected.size() >= 5, "reference has several reasons");

        Cli r = Cli.run("report", "--format", "json", "--by", "reason", file.toString());
        assertEquals(0, r.code, r.toString());
        JsonNode json = new ObjectMapper().readTree(r.out);
        Map<Long, JsonNode> byCode = new HashMap<>();
        for (JsonNode g : json.get("groups")) byCode.put(g.get("reason_code").asLong(), g);

        long total = 0;
        for (Map.Entry<Long, List<Long>> e : expected.entrySet()) {
            List<Long> lat = e.getValue();
            lat.sort(null);
            total += lat.size();
            JsonNode g = byCode.get(e.getKey());
            assertNotNull(g, "reason code " + e.getKey() + " missing from the report");
            String what = g.get("reason").asText() + " (" + e.getKey() + ")";
            assertEquals(lat.size(), g.get("count").asLong(), what + " count");
            assertClose(nearestRank(lat, 50), g.get("p50_ns").asLong(), what + " p50");
            assertClose(nearestRank(lat, 90), g.get("p90_ns").asLong(), what + " p90");
            assertClose(nearestRank(lat, 99), g.get("p99_ns").asLong(), what + " p99");
            assertClose(lat.get(lat.size() - 1), g.get("max_ns").asLong(), what + " max");
            long sum = lat.stream().mapToLong(Long::longValue).sum();
            assertEquals(sum, g.get("total_ns").asLong(), what + " total");
        }
        assertEquals(expected.size(), byCode.size(), "no extra reasons");
        assertEquals(total, json.get("exits").asLong());
        assertEquals(0, json.get("lost_events").asLong());
    }

    /** kvm_exit → next kvm_entry of the same pid; an exit followed by another exit is unpaired. */
    static Map<Long, List<Long>> independentPairing(List<String> lines) {
        Map<Integer, long[]> open = new HashMap<>(); // pid -> {exitTs, reason}
        Map<Long, List<Long>> out = new TreeMap<>();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) continue;
            int pid = Integer.parseInt(m.group(2));
            long ts = m.group(5) == null ? Long.parseLong(m.group(4)) : Long.parseLong(m.group(4)) * 1_000_000_000L + Long.parseLong(m.group(5));
            String ev = m.group(6);
            if (ev.equals("kvm_exit")) {
                Matcher r = REASON.matcher(m.group(7));
                assertTrue(r.find(), line);
                open.put(pid, new long[]{ts, Long.parseLong(r.group(1)) & 0xffff});
            } else if (ev.equals("kvm_entry")) {
                long[] o = open.remove(pid);
                if (o != null) out.computeIfAbsent(o[1], k -> new ArrayList<>()).add(ts - o[0]);
            }
        }
        return out;
    }

    /** The smallest value with at least p% of values at or below it. */
    static long nearestRank(List<Long> sorted, int p) {
        int n = sorted.size();
        int rank = (int) ((p * (long) n + 99) / 100);
        return sorted.get(Math.max(1, rank) - 1);
    }

    static void assertClose(long exact, long hdr, String what) {
        long tol = Math.max(1, exact / 1000);
        assertTrue(Math.abs(hdr - exact) <= tol, what + ": exact " + exact + ", histogram " + hdr + " (tolerance " + tol + ")");
    }
}
