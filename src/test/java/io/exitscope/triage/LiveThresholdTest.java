package io.exitscope.triage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exitscope.cli.Main;
import io.exitscope.testutil.TraceCmd;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live on this machine. Without a guest (root, tracefs): the actions fire and the exports serve.
 * With the KVM exerciser (also /dev/kvm): a {@code --fail-on}
 * threshold crossed by real exits fires {@code record} (trace-cmd reads the file) and {@code exec}
 * (the finding in its environment); Prometheus is scraped over loopback meanwhile; the
 * HdrHistogram interval log adds up to the run's cumulative report. Skipped, with the reason,
 * where any of that is missing.
 */
class LiveThresholdTest {
    /** A port no real device uses, so other VMs on the host cannot cross the threshold. */
    static final String PORT = "0x5e7";

    static Path exerciser() {
        Path p = Path.of(System.getProperty("exitscope.native.dir", "target/native"), "kvm-exerciser");
        Assumptions.assumeTrue(Files.isExecutable(p), "kvm-exerciser not built (needs gcc at build time): " + p);
        Assumptions.assumeTrue(Files.isWritable(Path.of("/dev/kvm")), "/dev/kvm missing or not usable");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "live tracing needs root");
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/sys/kernel/tracing/events/kvm"))
                || Files.isDirectory(Path.of("/sys/kernel/debug/tracing/events/kvm")), "no tracefs with KVM events");
        return p;
    }

    /** A command line running in the background with its output readable while it runs. */
    static final class Running {
        final StringWriter out = new StringWriter(), err = new StringWriter();
        final CompletableFuture<Integer> code;

        Running(String... args) {
            code = CompletableFuture.supplyAsync(() -> Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true)));
        }

        /** Waits until stderr matches, returns the match. */
        Matcher awaitErr(Pattern p, long millis) throws InterruptedException {
            long end = System.currentTimeMillis() + millis;
            while (System.currentTimeMillis() < end) {
                Matcher m = p.matcher(err.toString());
                if (m.find()) return m;
                if (code.isDone()) break;
                Thread.sleep(50);
            }
            throw new AssertionError("no " + p + " in stderr:\n" + err + "\nstdout:\n" + out);
        }
    }

    static Process startExerciser(Path ex, String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = ex.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    static String scrape(int port) throws Exception {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/metrics").openConnection();
        c.setRequestProperty("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8");
        c.setConnectTimeout(5000);
        c.setReadTimeout(10000);
        assertEquals(200, c.getResponseCode());
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * The actions' mechanics where tracing works but no guest can run: a threshold that holds
     * from the first interval fires {@code record} (a trace.dat that trace-cmd reads, here without
     * events) and {@code exec} (the crossing in its environment), {@code continue} keeps the run
     * going to its end, and the Prometheus endpoint serves valid OpenMetrics meanwhile.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void actionsFireWithoutAGuest(@TempDir Path dir) throws Exception {
        io.exitscope.testutil.Kvm.assumeLiveTracing();
        TraceCmd.assumeAvailable();
        Path rec = dir.resolve("crossing.dat");
        String expr = "lost >= 0";
        long t0 = System.nanoTime();
        Running live = new Running("live", "--batch", "--format", "json", "--interval", "300ms", "--duration", "3s",
                "--fail-on", expr, "--on-threshold", "record,file=" + rec + ",before=1s",
                "--on-threshold", "exec /usr/bin/env", "--on-threshold", "continue", "--prometheus", "127.0.0.1:0");
        Matcher m = live.awaitErr(Pattern.compile("Prometheus metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics"), 20_000);
        io.exitscope.export.OpenMetricsChecker.parse(scrape(Integer.parseInt(m.group(1))));
        int code = live.code.get(60, TimeUnit.SECONDS);
        String err = live.err.toString();
        assertEquals(Main.EXIT_THRESHOLD, code, err);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) >= 3000, "continue: ran to --duration");
        assertTrue(err.contains("threshold crossed: lost = 0 >= 0"), err);
        assertTrue(err.contains(": EXITSCOPE_THRESHOLD=" + expr), err);
        assertTrue(err.contains(": EXITSCOPE_RECORD_FILE=" + rec), err);
        assertTrue(err.contains(": EXITSCOPE_FINDINGS_JSON={\"source\":"), err);
        assertTrue(Files.size(rec) > 0, err);
        TraceCmd.report(rec);   // throws unless trace-cmd reads the file
        // live --batch --format json: one object per interval, the report's fields plus the
        // interval bounds and the cumulative object (the contract in the README)
        String[] lines = live.out.toString().strip().split("\n");
        assertTrue(lines.length >= 5, "one JSON object per interval:\n" + live.out);
        long prevEnd = -1;
        for (String line : lines) {
            JsonNode j = new ObjectMapper().readTree(line);
            for (String f : List.of("source", "events", "exits", "incomplete_exits", "incomplete_by_reason", "lost_events",
                    "partial", "groups", "interval_start_ns", "interval_end_ns", "cumulative")) {
                assertTrue(j.has(f), f + " in " + line);
            }
            assertTrue(j.get("cumulative").has("groups"), line);
            long start = j.get("interval_start_ns").asLong(), end = j.get("interval_end_ns").asLong();
            assertTrue(start <= end && (prevEnd < 0 || start == prevEnd), "intervals follow each other: " + line);
            prevEnd = end;
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void recordAndExecFireWhileTheExerciserRunsAndExportsAgree(@TempDir Path dir) throws Exception {
        Path ex = exerciser();
        TraceCmd.assumeAvailable();
        Path rec = dir.resolve("crossing.dat"), hlog = dir.resolve("live.hlog");
        String expr = "count(port=" + PORT + ", class=userspace) > 50";
        Running live = new Running("live", "--batch", "--format", "json", "--interval", "300ms", "--duration", "6s",
                "--fail-on", expr,
                "--on-threshold", "record,file=" + rec + ",before=3s",
                "--on-threshold", "exec /usr/bin/env",
                "--on-threshold", "continue",
                "--prometheus", "127.0.0.1:0", "--hdr-log", hlog.toString());
        Matcher m = live.awaitErr(Pattern.compile("Prometheus metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics"), 20_000);
        int port = Integer.parseInt(m.group(1));
        Process p = startExerciser(ex, "--mode", "pio", "--port", PORT, "--seconds", "2");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String exOut = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), exOut);
        Thread.sleep(800); // an interval or two after the last exit: published
        String metrics = scrape(port);
        io.exitscope.export.OpenMetricsChecker.parse(metrics);
        assertTrue(metrics.contains("# TYPE exitscope_exit_latency_seconds histogram"), metrics);
        assertTrue(Pattern.compile("exitscope_exit_latency_seconds_count\\{[^}]*class=\"userspace\"[^}]*} [1-9]").matcher(metrics).find(), metrics);

        int code = live.code.get(60, TimeUnit.SECONDS);
        String err = live.err.toString();
        assertEquals(Main.EXIT_THRESHOLD, code, err);
        assertTrue(err.contains("threshold crossed: count(port=" + PORT + ", class=userspace) = "), err);

        // record: a trace.dat that trace-cmd reads, holding the exerciser's writes
        assertTrue(Files.size(rec) > 0, err);
        List<String> report = TraceCmd.report(rec);
        long pio = report.stream().filter(l -> l.contains("kvm_pio") && l.contains(PORT.substring(2))).count();
        assertTrue(pio > 50, "the crossing's writes are in the recording: " + pio + " of " + report.size() + " lines");

        // exec: run without a shell, with the crossing and the top finding in its environment
        assertTrue(err.contains("exec["), err);
        assertTrue(err.contains(": EXITSCOPE_THRESHOLD=" + expr), err);
        assertTrue(err.contains(": EXITSCOPE_FINDING_KIND="), err);
        assertTrue(err.contains(": EXITSCOPE_FINDING_TITLE="), err);
        assertTrue(err.contains(": EXITSCOPE_RECORD_FILE=" + rec), err);
        assertTrue(err.contains(": EXITSCOPE_FINDINGS_JSON={\"source\":"), err);

        // the HdrHistogram interval log adds up to the run's own cumulative report
        String[] lines = live.out.toString().strip().split("\n");
        JsonNode last = new ObjectMapper().readTree(lines[lines.length - 1]).get("cumulative");
        Map<String, Histogram> tags = new HashMap<>();
        HistogramLogReader r = new HistogramLogReader(hlog.toFile());
        EncodableHistogram e;
        while ((e = r.nextIntervalHistogram()) != null) {
            Histogram h = (Histogram) e;
            tags.computeIfAbsent(h.getTag(), k -> {
                Histogram x = new Histogram(3);
                x.setAutoResize(true);
                return x;
            }).add(h);
        }
        int timed = 0;
        for (JsonNode g : last.get("groups")) {
            if (g.get("measured").asLong() == 0) continue;
            timed++;
            String tag = (g.get("reason").asText() + " [" + g.get("class").asText() + "]").replaceAll("[,\\s]+", "_");
            Histogram h = tags.get(tag);
            assertNotNull(h, tag + " in " + tags.keySet());
            assertEquals(g.get("measured").asLong(), h.getTotalCount(), tag);
            assertEquals(g.get("max_ns").asLong(), h.getMaxValue(), tag);
            assertEquals(g.get("p99_ns").asLong(), h.getValueAtPercentile(99), tag);
        }
        assertTrue(timed > 0, "the exerciser's exits were timed");
        assertEquals(timed, tags.size());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void stopIsTheDefaultAndTriageLiveNamesTheMissingIoeventfd() throws Exception {
        Path ex = exerciser();
        Running tri = new Running("triage", "--live", "--format", "json", "--duration", "20s", "--interval", "250ms",
                "--fail-on", "count(port=" + PORT + ", class=userspace) > 50", "--on-threshold", "exec /usr/bin/env");
        Thread.sleep(2000); // tracing starts within this
        Process p = startExerciser(ex, "--mode", "pio", "--port", PORT, "--seconds", "2");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        int code = tri.code.get(60, TimeUnit.SECONDS);
        assertEquals(Main.EXIT_THRESHOLD, code, tri.err.toString());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 10_000, "stopped at the crossing, long before --duration");
        JsonNode t = new ObjectMapper().readTree(tri.out.toString());
        boolean found = false;
        for (JsonNode f : t.get("findings")) {
            if (f.get("kind").asText().equals("no-ioeventfd") && f.get("key").asText().equals("port " + PORT)) found = true;
        }
        assertTrue(found, "triage --live finds port " + PORT + " without ioeventfd: " + t.toPrettyString());
        assertTrue(tri.err.toString().contains("EXITSCOPE_FINDING_KIND="), tri.err.toString());
    }
}
