package io.exitscope.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exitscope.testutil.Cli;
import io.exitscope.testutil.SharedTraces;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --hdr-log}: read back with HdrHistogram's own reader, totals equal to the report's, mergeable across hosts. */
class HdrIntervalLogTest {

    /** Per tag: the sum of all interval histograms in the log; also counts intervals in [0]. */
    static Map<String, Histogram> readBack(Path log, int[] histograms) throws Exception {
        Map<String, Histogram> out = new HashMap<>();
        HistogramLogReader r = new HistogramLogReader(log.toFile());
        EncodableHistogram e;
        while ((e = r.nextIntervalHistogram()) != null) {
            Histogram h = (Histogram) e;
            assertNotNull(h.getTag());
            assertTrue(h.getStartTimeStamp() > 1_000_000_000_000L, "absolute epoch ms: " + h.getStartTimeStamp());
            out.computeIfAbsent(h.getTag(), k -> {
                Histogram x = new Histogram(3);
                x.setAutoResize(true);
                return x;
            }).add(h);
            histograms[0]++;
        }
        return out;
    }

    static String tag(JsonNode g) {
        return (g.get("reason").asText() + " [" + g.get("class").asText() + "]").replaceAll("[,\\s]+", "_");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86-vmx-linux-6.5/host-kvm-tsc2nsec.dat", "x86-vmx-linux-6.5/host-kvm-x86tsc.v7-zstd.dat",
            "x86-pvm-linux-6.18/pvm-ioeventfd-ab.dat"})
    void readBackWithHdrHistogramsReaderTotalsEqualTheReport(String trace, @TempDir Path dir) throws Exception {
        Path f = SharedTraces.require(trace);
        Path log = dir.resolve("exits.hlog");
        long[] clock = {1_700_000_000_000L};
        int[] intervals = {0};
        try (HdrIntervalLog hl = new HdrIntervalLog(log, f.toString(), clock[0])) {
            TraceFeed.replay(f, 20_000_000L, (iv, cum) -> {
                hl.writeInterval(iv, clock[0], clock[0] + 20);
                clock[0] += 20;
                intervals[0]++;
            });
            assertEquals(intervals[0], hl.intervals());
        }
        assertTrue(intervals[0] > 2, "several intervals");
        int[] n = {0};
        Map<String, Histogram> got = readBack(log, n);
        assertTrue(n[0] >= intervals[0] / 4, "interval histograms written");
        JsonNode report = new ObjectMapper().readTree(Cli.run("report", "--format", "json", f.toString()).out);
        int timed = 0;
        for (JsonNode g : report.get("groups")) {
            if (g.get("measured").asLong() == 0) continue;
            timed++;
            Histogram h = got.get(tag(g));
            assertNotNull(h, tag(g) + " in " + got.keySet());
            assertEquals(g.get("measured").asLong(), h.getTotalCount(), "count " + tag(g));
            assertEquals(g.get("max_ns").asLong(), h.getMaxValue(), "max " + tag(g));
            assertEquals(g.get("p50_ns").asLong(), h.getValueAtPercentile(50), "p50 " + tag(g));
            assertEquals(g.get("p99_ns").asLong(), h.getValueAtPercentile(99), "p99 " + tag(g));
            assertEquals(g.get("p999_ns").asLong(), h.getValueAtPercentile(99.9), "p99.9 " + tag(g));
        }
        assertEquals(timed, got.size(), "one tag per timed reason,class key");
    }

    @Test
    void logsOfSeveralHostsConcatenateIntoOneFleetLog(@TempDir Path dir) throws Exception {
        Path a = SharedTraces.require("x86-vmx-linux-6.5/host-kvm-tsc2nsec.dat");
        Path b = SharedTraces.require("x86-vmx-linux-6.5/host-kvm-x86tsc.v7-zstd.dat");
        Path la = dir.resolve("a.hlog"), lb = dir.resolve("b.hlog"), fleet = dir.resolve("fleet.hlog");
        for (Path[] p : new Path[][]{{a, la}, {b, lb}}) {
            long[] clock = {1_700_000_000_000L};
            try (HdrIntervalLog hl = new HdrIntervalLog(p[1], p[0].toString(), clock[0])) {
                TraceFeed.replay(p[0], 100_000_000L, (iv, cum) -> {
                    hl.writeInterval(iv, clock[0], clock[0] + 100);
                    clock[0] += 100;
                });
            }
        }
        // "cat host*.hlog > fleet.hlog"
        try (OutputStream o = Files.newOutputStream(fleet, StandardOpenOption.CREATE_NEW)) {
            Files.copy(la, o);
            Files.copy(lb, o);
        }
        int[] n = {0};
        Map<String, Histogram> ha = readBack(la, n), hb = readBack(lb, n), all = readBack(fleet, new int[1]);
        // a was recorded without kvm_userspace_exit (its classes are unknown), b with it: every tag of
        // the fleet log is the sum of that tag's histograms in the host logs
        for (Map.Entry<String, Histogram> e : all.entrySet()) {
            Histogram expect = new Histogram(3);
            if (ha.containsKey(e.getKey())) expect.add(ha.get(e.getKey()));
            if (hb.containsKey(e.getKey())) expect.add(hb.get(e.getKey()));
            assertEquals(expect, e.getValue(), e.getKey());
        }
        assertEquals(ha.size() + hb.size() - ha.keySet().stream().filter(hb::containsKey).count(), all.size());
        assertEquals(3206 + 1055, all.get("APIC_WRITE_[unknown]").getTotalCount() + all.get("APIC_WRITE_[kernel]").getTotalCount());
    }
}
