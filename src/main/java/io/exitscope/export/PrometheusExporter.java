package io.exitscope.export;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Unit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Serves the live statistics for Prometheus through the official Java client
 * ({@code io.prometheus:prometheus-metrics-*}): OpenMetrics / Prometheus text, and protobuf with
 * native histograms for servers that ask for it. Bound to 127.0.0.1 unless an address is given.
 *
 * <p>The exporter does not observe exits one by one: the live loop {@link #publish publishes} the
 * cumulative statistics every interval, and a scrape converts the latest published HdrHistograms
 * (the same ones {@code report} prints) into histogram snapshots. Metrics:
 *
 * <ul>
 *   <li>{@code exitscope_exit_latency_seconds} histogram {reason, class, blocking}: classic buckets
 *       {@link #BUCKETS_NS} (250 ns … 1 s, 1-2.5-5 steps) plus a native histogram (schema ≤ 5);</li>
 *   <li>{@code exitscope_exits_total} {reason, class, blocking}: all exits, timed or not;</li>
 *   <li>{@code exitscope_userspace_seconds_total} {reason, class}: time spent in the VMM;</li>
 *   <li>{@code exitscope_events_total}, {@code exitscope_lost_events_total},
 *       {@code exitscope_incomplete_exits_total}; {@code exitscope_partial} (0/1);
 *       {@code exitscope_source_info} {source, clock}.</li>
 * </ul>
 */
public final class PrometheusExporter implements AutoCloseable {
    /** Classic bucket upper bounds, ns: exit latencies run from a few hundred ns to seconds (HLT). */
    public static final long[] BUCKETS_NS = {250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
            1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000, 250_000_000, 1_000_000_000};
    /** Finest native schema used; lowered until at most {@value #MAX_NATIVE_BUCKETS} buckets are populated. */
    static final int NATIVE_SCHEMA = 5;
    static final int MAX_NATIVE_BUCKETS = 160;

    private final HTTPServer server;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private volatile Published published;
    private final long createdMillis = System.currentTimeMillis();

    /** What the last {@link #publish} saw; immutable, read by scrapes on the server's threads. */
    private record Published(List<StatsSnapshot.Group> groups, long events, long lost, long incomplete, boolean partial,
                             String source, String clock) {}

    private PrometheusExporter(String host, int port) throws IOException {
        registry.register(new MultiCollector() {
            @Override
            public MetricSnapshots collect() {
                return snapshots();
            }

            @Override
            public List<String> getPrometheusNames() {
                return List.of("exitscope_exit_latency_seconds", "exitscope_exits", "exitscope_userspace_seconds", "exitscope_events",
                        "exitscope_lost_events", "exitscope_incomplete_exits", "exitscope_partial", "exitscope_source");
            }
        });
        this.server = HTTPServer.builder().inetAddress(InetAddress.getByName(host)).port(port).registry(registry).buildAndStart();
    }

    /**
     * Starts the endpoint ({@code /metrics}). {@code spec} is {@code HOST:PORT}, {@code :PORT} or
     * {@code PORT} (host 127.0.0.1); {@code [v6addr]:PORT} for IPv6; port 0 picks a free one.
     */
    public static PrometheusExporter start(String spec) throws IOException {
        String[] hp = parseHostPort(spec);
        try {
            return new PrometheusExporter(hp[0], Integer.parseInt(hp[1]));
        } catch (java.net.BindException e) {
            throw new IOException("--prometheus " + spec + ": cannot listen there (" + e.getMessage() + ")", e);
        }
    }

    /** {@code {host, port}}; throws IllegalArgumentException with a one-line reason. */
    public static String[] parseHostPort(String spec) {
        String s = spec == null ? "" : spec.strip();
        String host = "127.0.0.1", port;
        if (s.startsWith("[")) {
            int end = s.indexOf("]:");
            if (end < 0) throw new IllegalArgumentException("--prometheus '" + spec + "': write [ADDRESS]:PORT for IPv6");
            host = s.substring(1, end);
            port = s.substring(end + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0) {
                if (colon > 0) host = s.substring(0, colon);
                port = s.substring(colon + 1);
            } else {
                port = s;
            }
        }
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--prometheus '" + spec + "': expected HOST:PORT, :PORT or PORT (port 0..65535)");
        }
        return new String[]{host, port};
    }

    public int port() {
        return server.getPort();
    }

    /** Makes the cumulative statistics of {@code r} what the next scrapes see. Call from the thread that owns {@code r}. */
    public void publish(AnalysisResult r) {
        StatsSnapshot s = r.stats().snapshot(GroupBy.REASON_CLASS);
        String clock = r.sources().isEmpty() || r.sources().get(0).clock() == null ? "" : r.sources().get(0).clock();
        published = new Published(s.groups(), r.events(), r.lostEvents(), r.incompleteExits(), r.partial(), r.sourceLabel(), clock);
    }

    MetricSnapshots snapshots() {
        Published p = published;
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        HistogramSnapshot.Builder hist = HistogramSnapshot.builder().name("exitscope_exit_latency_seconds").unit(Unit.SECONDS)
                .help("KVM exit latency (exit event to the vCPU's next entry, or the userspace round trip where only that is traced)");
        CounterSnapshot.Builder exits = CounterSnapshot.builder().name("exitscope_exits")
                .help("KVM exits, timed or not (incomplete exits are not counted here)");
        CounterSnapshot.Builder us = CounterSnapshot.builder().name("exitscope_userspace_seconds").unit(Unit.SECONDS)
                .help("Time exits spent in the VMM (userspace)");
        if (p != null) {
            for (StatsSnapshot.Group g : p.groups()) {
                String cls = g.key().exitClass() == null ? "mixed" : g.key().exitClass().label;
                Labels l = Labels.of("reason", g.key().reason() == null ? "all" : g.key().reason(), "class", cls,
                        "blocking", Boolean.toString(g.blocking()));
                if (g.measured() > 0) hist.dataPoint(histogram(g.histogram(), g.totalNs(), l, createdMillis));
                exits.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(l).value(g.count()).build());
                if (g.userspaceNs() > 0) {
                    us.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                            .labels(Labels.of("reason", g.key().reason() == null ? "all" : g.key().reason(), "class", cls))
                            .value(g.userspaceNs() / 1e9).build());
                }
            }
        }
        out.metricSnapshot(hist.build());
        out.metricSnapshot(exits.build());
        out.metricSnapshot(us.build());
        out.metricSnapshot(counter("exitscope_events", "Trace events read", p == null ? 0 : p.events()));
        out.metricSnapshot(counter("exitscope_lost_events", "Trace events lost (ring buffer full); figures are lower bounds when > 0",
                p == null ? 0 : p.lost()));
        out.metricSnapshot(counter("exitscope_incomplete_exits", "Exits whose re-entry was never seen (not timed)",
                p == null ? 0 : p.incomplete()));
        out.metricSnapshot(GaugeSnapshot.builder().name("exitscope_partial").help("1 when events were lost")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(p != null && p.partial() ? 1 : 0).build()).build());
        out.metricSnapshot(InfoSnapshot.builder().name("exitscope_source").help("Where the statistics come from")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
                        .labels(Labels.of("source", p == null ? "" : p.source(), "clock", p == null ? "" : p.clock())).build()).build());
        return out.build();
    }

    private static CounterSnapshot counter(String name, String help, long v) {
        return CounterSnapshot.builder().name(name).help(help)
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(v).build()).build();
    }

    /**
     * One histogram data point from an HdrHistogram (ns): classic buckets and a native histogram,
     * each recorded value placed by its HdrHistogram median-equivalent value. Counts are exact;
     * bucket placement is within HdrHistogram's 3-digit precision.
     */
    static HistogramSnapshot.HistogramDataPointSnapshot histogram(Histogram h, long totalNs, Labels labels, long created) {
        long[] classic = new long[BUCKETS_NS.length + 1];
        List<long[]> values = new ArrayList<>(); // {value ns, count}
        long zero = 0;
        for (HistogramIterationValue v : h.recordedValues()) {
            long val = h.medianEquivalentValue(v.getValueIteratedTo());
            if (h.lowestEquivalentValue(v.getValueIteratedTo()) == 0) val = 0;
            long n = v.getCountAtValueIteratedTo();
            int i = 0;
            while (i < BUCKETS_NS.length && val > BUCKETS_NS[i]) i++;
            classic[i] += n;
            if (val == 0) zero += n;
            else values.add(new long[]{val, n});
        }
        double[] bounds = new double[BUCKETS_NS.length + 1];
        for (int i = 0; i < BUCKETS_NS.length; i++) bounds[i] = BUCKETS_NS[i] / 1e9;
        bounds[BUCKETS_NS.length] = Double.POSITIVE_INFINITY;
        int schema = NATIVE_SCHEMA;
        Map<Integer, Long> nb;
        while (true) {
            nb = new TreeMap<>();
            for (long[] x : values) nb.merge(nativeIndex(x[0] / 1e9, schema), x[1], Long::sum);
            if (nb.size() <= MAX_NATIVE_BUCKETS || schema == -4) break;
            schema--;
        }
        NativeHistogramBuckets.Builder pos = NativeHistogramBuckets.builder();
        nb.forEach(pos::bucket);
        return new HistogramSnapshot.HistogramDataPointSnapshot(ClassicHistogramBuckets.of(bounds, classic), schema, zero, 0,
                pos.build(), NativeHistogramBuckets.EMPTY, totalNs / 1e9, labels, Exemplars.EMPTY, created);
    }

    /** The native bucket of a positive value: bucket i holds (base^(i-1), base^i], base = 2^(2^-schema). */
    static int nativeIndex(double v, int schema) {
        // exact on powers of the base, like the Go client: frexp-based
        int exp = Math.getExponent(v);           // v = m * 2^exp, 1 <= m < 2
        double frac = v / Math.scalb(1.0, exp);  // [1, 2)
        if (schema <= 0) {
            int e = frac == 1.0 ? exp : exp + 1;   // smallest e with v <= 2^e
            int div = 1 << -schema;
            return Math.floorDiv(e + div - 1, div);
        }
        double idx = (exp + Math.log(frac) / Math.log(2)) * (1 << schema);
        int i = (int) Math.ceil(idx - 1e-9);
        return i;
    }

    @Override
    public void close() {
        server.close();
    }
}
