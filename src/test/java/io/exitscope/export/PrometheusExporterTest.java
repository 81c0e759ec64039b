package io.exitscope.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exitscope.analysis.LiveAnalysis;
import io.exitscope.testutil.Cli;
import io.exitscope.testutil.SharedTraces;
import io.exitscope.triage.LiveHooks;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_31_1.Metrics;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Prometheus endpoint, scraped over loopback and parsed as OpenMetrics (and protobuf for native histograms). */
class PrometheusExporterTest {
    static final String VMX = "x86-vmx-linux-6.5/host-kvm-tsc2nsec.dat";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    static final String PROTOBUF = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

    record Response(String contentType, byte[] body) {}

    static Response get(int port, String accept) throws Exception {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/metrics").openConnection();
        c.setRequestProperty("Accept", accept);
        c.setConnectTimeout(5000);
        c.setReadTimeout(10000);
        assertEquals(200, c.getResponseCode());
        try (InputStream in = c.getInputStream()) {
            return new Response(c.getContentType(), in.readAllBytes());
        }
    }

    @Test
    void scrapedOverLoopbackAsValidOpenMetricsWithHistogramsPerReasonAndClass() throws Exception {
        Path f = SharedTraces.require(VMX);
        LiveAnalysis la = TraceFeed.replay(f, 200_000_000L, (iv, cum) -> { });
        JsonNode report = new ObjectMapper().readTree(Cli.run("report", "--format", "json", f.toString()).out);
        try (PrometheusExporter p = PrometheusExporter.start("127.0.0.1:0")) {
            p.publish(la.cumulative());
            Response r = get(p.port(), OPENMETRICS);
            assertTrue(r.contentType().startsWith("application/openmetrics-text"), r.contentType());
            Map<String, OpenMetricsChecker.Family> fams = OpenMetricsChecker.parse(new String(r.body(), StandardCharsets.UTF_8));
            OpenMetricsChecker.Family h = fams.get("exitscope_exit_latency_seconds");
            assertNotNull(h, fams.keySet().toString());
            assertEquals("histogram", h.type());
            assertEquals("seconds", h.unit());
            Map<String, Double> count = new HashMap<>(), sum = new HashMap<>();
            Map<String, Integer> buckets = new HashMap<>();
            for (OpenMetricsChecker.Sample s : h.samples()) {
                String k = s.labels().get("reason") + "/" + s.labels().get("class");
                if (s.name().endsWith("_count")) count.put(k, s.value());
                if (s.name().endsWith("_sum")) sum.put(k, s.value());
                if (s.name().endsWith("_bucket")) buckets.merge(k, 1, Integer::sum);
            }
            int groups = 0;
            for (JsonNode g : report.get("groups")) {
                if (g.get("measured").asLong() == 0) continue;
                String k = g.get("reason").asText() + "/" + g.get("class").asText();
                groups++;
                assertEquals(g.get("measured").asDouble(), count.get(k), "count of " + k);
                assertEquals(g.get("total_ns").asDouble() / 1e9, sum.get(k), 1e-9, "sum of " + k);
                assertEquals(PrometheusExporter.BUCKETS_NS.length + 1, buckets.get(k), "buckets of " + k);
            }
            assertEquals(groups, count.size(), "one series per reason and class");
            assertTrue(count.containsKey("HLT/unknown"));
            assertEquals("counter", fams.get("exitscope_exits").type());
            assertEquals("counter", fams.get("exitscope_lost_events").type());
            assertEquals(0.0, fams.get("exitscope_lost_events").samples().get(0).value());
            assertEquals((double) report.get("events").asLong(), fams.get("exitscope_events").samples().get(0).value());
            assertEquals("info", fams.get("exitscope_source").type());

            // classic Prometheus text for old servers, too
            Response text = get(p.port(), "text/plain; version=0.0.4");
            assertTrue(new String(text.body(), StandardCharsets.UTF_8).contains("exitscope_exit_latency_seconds_bucket{"));
        }
    }

    @Test
    void nativeHistogramsOverProtobuf() throws Exception {
        Path f = SharedTraces.require(VMX);
        LiveAnalysis la = TraceFeed.replay(f, 500_000_000L, (iv, cum) -> { });
        try (PrometheusExporter p = PrometheusExporter.start(":0")) {
            p.publish(la.cumulative());
            Response r = get(p.port(), PROTOBUF);
            assertTrue(r.contentType().startsWith("application/vnd.google.protobuf"), r.contentType());
            ByteArrayInputStream in = new ByteArrayInputStream(r.body());
            Metrics.MetricFamily fam = null;
            Metrics.MetricFamily mf;
            while ((mf = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
                if (mf.getName().equals("exitscope_exit_latency_seconds")) fam = mf;
            }
            assertNotNull(fam);
            assertEquals(Metrics.MetricType.HISTOGRAM, fam.getType());
            assertTrue(fam.getMetricCount() > 5);
            for (Metrics.Metric m : fam.getMetricList()) {
                Metrics.Histogram h = m.getHistogram();
                assertTrue(h.getSchema() >= -4 && h.getSchema() <= 8, "native schema " + h.getSchema());
                assertTrue(h.getPositiveSpanCount() > 0, "native buckets present");
                long total = h.getZeroCount(), c = 0;
                for (long d : h.getPositiveDeltaList()) {
                    c += d;
                    assertTrue(c >= 0);
                    total += c;
                }
                assertEquals(h.getSampleCount(), total, "native bucket counts add up to the count");
                assertTrue(h.getBucketCount() >= PrometheusExporter.BUCKETS_NS.length, "classic buckets too");
            }
        }
    }

    @Test
    void nativeBucketIndexes() {
        // schema 0: bucket i holds (2^(i-1), 2^i]
        assertEquals(0, PrometheusExporter.nativeIndex(1.0, 0));
        assertEquals(1, PrometheusExporter.nativeIndex(1.5, 0));
        assertEquals(1, PrometheusExporter.nativeIndex(2.0, 0));
        assertEquals(-8, PrometheusExporter.nativeIndex(0.002, 0)); // (2^-9, 2^-8]
        // schema 3: base 2^(1/8)
        for (double v : new double[]{1e-7, 3.3e-6, 0.25, 7.0}) {
            int i = PrometheusExporter.nativeIndex(v, 3);
            double upper = Math.pow(2, i / 8.0), lower = Math.pow(2, (i - 1) / 8.0);
            assertTrue(v > lower * (1 - 1e-12) && v <= upper * (1 + 1e-12), v + " in bucket " + i);
        }
        assertEquals(1, PrometheusExporter.nativeIndex(3.0, -1)); // (1, 4]
    }

    @Test
    void bindsToLoopbackByDefault() throws Exception {
        InetAddress other = null;
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) continue;
            for (InetAddress a : Collections.list(ni.getInetAddresses())) if (a instanceof Inet4Address) other = a;
        }
        try (PrometheusExporter p = PrometheusExporter.start("0")) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", p.port()), 2000);
            }
            if (other != null) {
                InetAddress o = other;
                assertThrows(ConnectException.class, () -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(o, p.port()), 2000);
                    }
                }, "not reachable on " + other);
            }
        }
    }

    @Test
    void hostPortSyntax() {
        assertEquals(List.of("127.0.0.1", "9100"), List.of(PrometheusExporter.parseHostPort("9100")));
        assertEquals(List.of("127.0.0.1", "9100"), List.of(PrometheusExporter.parseHostPort(":9100")));
        assertEquals(List.of("0.0.0.0", "9100"), List.of(PrometheusExporter.parseHostPort("0.0.0.0:9100")));
        assertEquals(List.of("::1", "9100"), List.of(PrometheusExporter.parseHostPort("[::1]:9100")));
        assertThrows(IllegalArgumentException.class, () -> PrometheusExporter.parseHostPort("host:http"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusExporter.parseHostPort("70000"));
        Cli c = Cli.run("live", "--batch", "--prometheus", "localhost:x");
        assertEquals(64, c.code, c.toString());
        assertTrue(c.err.contains("--prometheus 'localhost:x'"), c.err);
    }

    @Test
    void liveHooksPublishEveryInterval() throws Exception {
        Path f = SharedTraces.require(VMX);
        StringWriter err = new StringWriter();
        LiveHooks.Config cfg = LiveHooks.configure(null, List.of(), "127.0.0.1:0", null);
        try (LiveHooks hooks = LiveHooks.detached(cfg, new PrintWriter(err, true))) {
            TraceFeed.replay(f, 300_000_000L, hooks::onInterval);
            String om = new String(get(hooks.prometheusPort(), OPENMETRICS).body(), StandardCharsets.UTF_8);
            OpenMetricsChecker.parse(om);
            assertTrue(om.contains("exitscope_exit_latency_seconds_count{blocking=\"false\",class=\"unknown\",reason=\"APIC_WRITE\"} 3206"), om);
            assertTrue(err.toString().contains("Prometheus metrics on http://127.0.0.1:"), err.toString());
        }
    }
}
