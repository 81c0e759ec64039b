package io.exitscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exitscope.stats.ExitStats;
import io.exitscope.exit.ExitClass;
import io.exitscope.exit.ExitRecord;
import io.exitscope.exit.Arch;
import io.exitscope.exit.Measure;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.testutil.Cli;
import io.exitscope.testutil.SharedTraces;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report formats against each other and against HdrHistogram's own log reader. */
class ReportCommandTest {
    static final String VMX = "x86-vmx-linux-6.5/host-kvm-tsc2nsec.dat";

    static JsonNode json(String... args) throws Exception {
        Cli r = Cli.run(args);
        assertEquals(0, r.code, r.toString());
        return new ObjectMapper().readTree(r.out);
    }

    @Test
    void jsonContractFields() throws Exception {
        JsonNode j = json("report", "--format", "json", SharedTraces.require(VMX).toString());
        for (String f : List.of("source", "events", "exits", "incomplete_exits", "lost_events", "groups")) assertTrue(j.has(f), f);
        assertEquals(11_721, j.get("events").asLong());
        for (JsonNode g : j.get("groups")) {
            for (String f : List.of("reason", "reason_code", "class", "count", "total_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns")) {
                assertTrue(g.has(f), f + " in " + g);
            }
            assertTrue(g.get("p50_ns").asLong() <= g.get("p99_ns").asLong());
            assertTrue(g.get("p99_ns").asLong() <= g.get("max_ns").asLong());
        }
    }

    /**
     * A trace of kvm_exit lines alone (as kvm_stat users record them) has no exit latency, but
     * its exits are counted by reason: equal to the reasons counted here from the text itself.
     */
    @Test
    void exitOnlyTraceCountsIncompleteExitsByReason() throws Exception {
        Path f = SharedTraces.require("text/kvm_exit_vapic.report-filtered.txt");
        Map<String, Long> expected = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(f)) {
            String[] t = line.trim().split("\\s+");
            for (int i = 0; i + 1 < t.length; i++) if (t[i].equals("reason")) expected.merge(t[i + 1], 1L, Long::sum);
        }
        assertEquals(1333, expected.values().stream().mapToLong(Long::longValue).sum());
        JsonNode j = json("report", "--format", "json", f.toString());
        assertEquals(0, j.get("exits").asLong());
        assertEquals(1333, j.get("incomplete_exits").asLong());
        Map<String, Long> got = new java.util.TreeMap<>();
        j.get("incomplete_by_reason").fields().forEachRemaining(e -> got.put(e.getKey(), e.getValue().asLong()));
        assertEquals(expected, got);
        Cli table = Cli.run("report", f.toString());
        assertTrue(table.out.contains("incomplete MSR_WRITE 820, HLT 337, EPT_MISCONFIG 108"), table.out);
    }

    @Test
    void blockingHltIsKeptOutOfSharesUnlessAsked() throws Exception {
        String f = SharedTraces.require(VMX).toString();
        JsonNode j = json("report", "--format", "json", "--by", "reason", f);
        double sum = 0;
        for (JsonNode g : j.get("groups")) {
            if (g.get("reason").asText().equals("HLT")) {
                assertTrue(g.get("blocking").asBoolean());
                assertTrue(g.get("share").isNull());
            } else {
                sum += g.get("share").asDouble();
            }
        }
        assertEquals(1.0, sum, 1e-3);
        JsonNode all = json("report", "--format", "json", "--by", "reason", "--include-blocking", f);
        for (JsonNode g : all.get("groups")) {
            if (g.get("reason").asText().equals("HLT")) assertTrue(g.get("share").asDouble() > 0.5, "HLT holds most of the time");
        }
    }

    @Test
    void csvHasStableColumnsAndTheSameFiguresAsJson() throws Exception {
        String f = SharedTraces.require(VMX).toString();
        Cli csv = Cli.run("report", "--format", "csv", f);
        assertEquals(0, csv.code, csv.toString());
        List<String> lines = csv.out.lines().toList();
        assertEquals("reason,reason_code,class,subkey,vcpu,vm,count,measured,total_ns,share,p50_ns,p90_ns,p99_ns,p999_ns,max_ns,blocking", lines.get(0));
        JsonNode j = json("report", "--format", "json", f);
        assertEquals(j.get("groups").size(), lines.size() - 1);
        Map<String, JsonNode> byReason = new HashMap<>();
        for (JsonNode g : j.get("groups")) byReason.put(g.get("reason").asText() + "/" + g.get("class").asText(), g);
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",", -1);
            JsonNode g = byReason.get(c[0] + "/" + c[2]);
            assertNotNull(g, line);
            assertEquals(g.get("count").asLong(), Long.parseLong(c[6]));
            assertEquals(g.get("p99_ns").asLong(), Long.parseLong(c[12]));
        }
    }

    @Test
    void hdrLogIsReadByHdrHistogramsOwnReaderWithTheSameTotals(@TempDir Path tmp) throws Exception {
        String f = SharedTraces.require(VMX).toString();
        Path log = tmp.resolve("exits.hlog");
        Cli r = Cli.run("report", "--format", "hdr", "-o", log.toString(), f);
        assertEquals(0, r.code, r.toString());
        JsonNode j = json("report", "--format", "json", f);
        Map<String, Long> counts = new HashMap<>();
        for (JsonNode g : j.get("groups")) counts.put(g.get("reason").asText() + "_[" + g.get("class").asText() + "]", g.get("measured").asLong());
        HistogramLogReader reader = new HistogramLogReader(log.toFile());
        int n = 0;
        long total = 0;
        EncodableHistogram e;
        while ((e = reader.nextIntervalHistogram()) != null) {
            Histogram h = (Histogram) e;
            Long expected = counts.get(h.getTag());
            assertNotNull(expected, "tag " + h.getTag() + " among " + counts.keySet());
            assertEquals(expected.longValue(), h.getTotalCount(), h.getTag());
            total += h.getTotalCount();
            n++;
        }
        assertEquals(counts.size(), n);
        assertEquals(j.get("exits").asLong(), total);
    }

    @Test
    void timeWindowAndFilters() throws Exception {
        String f = SharedTraces.require(VMX).toString();
        long all = json("report", "--format", "json", f).get("exits").asLong();
        JsonNode first = json("report", "--format", "json", "--to", "1s", f);
        JsonNode rest = json("report", "--format", "json", "--from", "1000000001ns", f);
        long kept = 0;
        for (JsonNode j : List.of(first, rest)) for (JsonNode g : j.get("groups")) kept += g.get("count").asLong();
        assertEquals(all, kept, "the two windows partition the exits");
        JsonNode byVm = json("report", "--format", "json", "--by", "vm", f);
        // no guest name in the GUEST option and no tgids in trace.dat: the VM label is the thread's comm
        boolean qemu = false;
        for (JsonNode g : byVm.get("groups")) qemu |= g.get("vm").asText().equals("qemu-system-x86") && !g.get("blocking").asBoolean();
        assertTrue(qemu, byVm.toString());
        long blocking = 0;
        for (JsonNode g : byVm.get("groups")) if (g.get("blocking").asBoolean()) blocking += g.get("count").asLong();
        assertEquals(1663, blocking, "HLT exits form their own groups");
        JsonNode byVcpu = json("report", "--format", "json", "--by", "vcpu", "--vcpu", "0", f);
        assertEquals("0", byVcpu.get("groups").get(0).get("vcpu").asText());
    }

    @Test
    void badUsageIsOneLineAndExit64() {
        Cli r = Cli.run("report", "--by", "colour", "x.dat");
        assertEquals(64, r.code);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertFalse(r.err.contains("Exception"));
        Cli m = Cli.run("report", "/nonexistent/trace.dat");
        assertEquals(65, m.code);
        assertTrue(m.err.contains("/nonexistent/trace.dat") && m.err.contains("no such file"), m.err);
    }

    @Test
    void intervalStatisticsAddUpToTheCumulativeOnes() {
        ExitStats first = new ExitStats(), second = new ExitStats(), cumulative = new ExitStats();
        for (int i = 1; i <= 100; i++) first.accept(rec(i * 10));
        for (int i = 1; i <= 10; i++) second.accept(rec(5_000));
        cumulative.add(first);
        cumulative.add(second);
        assertEquals(100, first.snapshot(GroupBy.REASON_CLASS).groups().get(0).histogram().getTotalCount());
        assertEquals(10, second.snapshot(GroupBy.REASON_CLASS).groups().get(0).histogram().getTotalCount());
        assertEquals(5_000, second.snapshot(GroupBy.REASON_CLASS).groups().get(0).percentile(50), 5);
        StatsSnapshot.Group all = cumulative.snapshot(GroupBy.REASON_CLASS).groups().get(0);
        assertEquals(110, all.histogram().getTotalCount());
        assertEquals(110, all.count());
        assertEquals(5_000, all.max(), 5);
        assertEquals(110, cumulative.exits());
    }

    static ExitRecord rec(long lat) {
        return new ExitRecord(0, lat, 1, 0, 0, "vm", Arch.X86_VMX, 30, "IO_INSTRUCTION", null, -1, false, ExitClass.KERNEL,
                false, Measure.EXIT_TO_ENTRY, lat, -1, -1, -1);
    }

    @Test
    void tableShowsLostEventsAndMeasure() throws Exception {
        Cli r = Cli.run("report", SharedTraces.require(VMX).toString());
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.contains("lost events 0"), r.out);
        assertTrue(r.out.contains("measure    exit latency"), r.out);
        assertTrue(r.out.contains("blocking exits (guest idle"), r.out);
        assertTrue(Files.exists(SharedTraces.require(VMX)));
    }
}
