package io.exitscope.triage;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.export.HdrIntervalLog;
import io.exitscope.export.PrometheusExporter;
import io.exitscope.source.live.LiveSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the live loops ({@code live --batch}, {@code triage --live}) do at the end of every
 * interval besides printing: evaluate {@code --fail-on} on the interval's statistics and run the
 * {@code --on-threshold} actions when it becomes true, publish to Prometheus, append to the
 * HdrHistogram interval log.
 *
 * <p>Usage: {@link #configure} (parses and checks every option, before tracing starts), then
 * {@link Config#attach} the live source (before its events are read), {@link #onInterval} per
 * interval, {@link #close} at the end; {@link #crossed()} tells whether to exit with 2.
 *
 * <p>Actions are edge-triggered: they run when the expression turns true, and again only after it
 * was false for an interval (with {@code continue}). Programs run by {@code exec} get their
 * output copied to exitscope's stderr; exitscope waits for them (at most 30 s) before it exits.
 */
public final class LiveHooks implements AutoCloseable {

    /** Parsed options, checked before anything starts. */
    public record Config(FailExpr failOn, List<ThresholdAction> actions, String prometheus, Path hdrLog) {
        public boolean stopsOnCrossing() {
            boolean stop = false, cont = false;
            for (ThresholdAction a : actions) {
                if (a instanceof ThresholdAction.Stop) stop = true;
                if (a instanceof ThresholdAction.Continue) cont = true;
            }
            return stop || !cont;
        }

        long retentionNs() {
            long r = 0;
            for (ThresholdAction a : actions) if (a instanceof ThresholdAction.Record rec) r = Math.max(r, rec.beforeNs() + rec.afterNs());
            return r;
        }

        /** Starts the exports and the page ring; call after the source started, before reading its events. */
        public LiveHooks attach(LiveSource src, PrintWriter err) throws IOException {
            return new LiveHooks(this, src, err);
        }
    }

    /**
     * Checks the options; throws IllegalArgumentException with a one-line message
     * ({@link FailExpr.SyntaxError} for the expression).
     */
    public static Config configure(String failOn, List<String> onThreshold, String prometheus, Path hdrLog) {
        FailExpr expr = failOn == null ? null : FailExpr.parse(failOn);
        List<ThresholdAction> actions = new ArrayList<>();
        if (onThreshold != null) for (String s : onThreshold) actions.add(ThresholdAction.parse(s));
        if (!actions.isEmpty() && expr == null) throw new IllegalArgumentException("--on-threshold needs --fail-on EXPR (the threshold)");
        if (prometheus != null) PrometheusExporter.parseHostPort(prometheus);
        if (hdrLog != null) {
            Path dir = hdrLog.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) throw new IllegalArgumentException("--hdr-log " + hdrLog + ": no such directory");
        }
        return new Config(expr, List.copyOf(actions), prometheus, hdrLog);
    }

    private final Config cfg;
    private final LiveSource src;
    private final PrintWriter err;
    private final PrometheusExporter prometheus;
    private final HdrIntervalLog hdr;
    private final PageRing ring;
    private java.util.function.BiConsumer<Integer, byte[]> ringListener;
    private final RingRecorder.Meta meta;
    private final List<Pending> pending = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final List<Thread> pumps = new ArrayList<>();
    private boolean armed = true;
    private boolean crossed;
    private boolean stopRequested;
    private int fired;
    private final List<Path> recorded = new ArrayList<>();
    private long lastWallMillis = System.currentTimeMillis();

    private record Pending(ThresholdAction.Record action, Path file, long fromNanos, long dueNanos) {}

    private LiveHooks(Config cfg, LiveSource src, PrintWriter err) throws IOException {
        this.cfg = cfg;
        this.src = src;
        this.err = err;
        long retention = cfg.retentionNs();
        if (retention > 0 && src != null) {
            this.meta = RingRecorder.Meta.of(src);
            this.ring = new PageRing(retention + 2_000_000_000L, PageRing.DEFAULT_MAX_BYTES);
            io.exitscope.event.HeaderPage hp = src.headerPage();
            boolean be = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN;
            PageRing r = ring;
            this.ringListener = (cpu, page) -> r.accept(cpu, PageRing.compact(page, hp, be));
            src.addPageListener(ringListener);
        } else {
            this.meta = null;
            this.ring = null;
        }
        PrometheusExporter p = null;
        HdrIntervalLog h = null;
        try {
            if (cfg.prometheus() != null) {
                p = PrometheusExporter.start(cfg.prometheus());
                err.println("exitscope: Prometheus metrics on http://" + PrometheusExporter.parseHostPort(cfg.prometheus())[0] + ":" + p.port() + "/metrics");
            }
            if (cfg.hdrLog() != null) h = new HdrIntervalLog(cfg.hdrLog(), src == null ? "live" : src.info().path(), lastWallMillis);
        } catch (IOException | RuntimeException e) {
            if (p != null) p.close();
            throw e;
        }
        this.prometheus = p;
        this.hdr = h;
        err.flush();
    }

    /** For tests and replays: hooks without a live source (no record action). */
    public static LiveHooks detached(Config cfg, PrintWriter err) throws IOException {
        return new LiveHooks(cfg, null, err);
    }

    public int prometheusPort() {
        return prometheus == null ? -1 : prometheus.port();
    }

    public boolean crossed() {
        return crossed;
    }

    public boolean stopRequested() {
        return stopRequested;
    }

    public List<Path> recordedFiles() {
        return List.copyOf(recorded);
    }

    /**
     * The end of one interval.
     *
     * @param interval   the interval's statistics (thresholds are evaluated on these)
     * @param cumulative everything so far (what Prometheus serves)
     * @return true when an action asked to stop the live session
     */
    public boolean onInterval(AnalysisResult interval, AnalysisResult cumulative) {
        long now = System.currentTimeMillis();
        if (hdr != null) hdr.writeInterval(interval, lastWallMillis, now);
        lastWallMillis = now;
        if (prometheus != null) prometheus.publish(cumulative);
        flushDue(false);
        if (cfg.failOn() == null) return false;
        FailExpr.Outcome o = cfg.failOn().evaluate(interval);
        if (!o.crossed()) {
            armed = true;
            return stopRequested;
        }
        crossed = true;
        if (!armed) return stopRequested;
        armed = false;
        fired++;
        err.println("exitscope: threshold crossed: " + o.detailText());
        TriageReport t = Triage.analyze(interval, TriageOptions.DEFAULT, null);
        String recordFile = null;
        for (ThresholdAction a : cfg.actions()) {
            if (a instanceof ThresholdAction.Record r) {
                Path f = fileFor(r);
                long nowNanos = System.nanoTime();
                Pending p = new Pending(r, f, nowNanos - r.beforeNs(), nowNanos + r.afterNs());
                recordFile = f.toString();
                if (r.afterNs() == 0) write(p);
                else pending.add(p);
            } else if (a instanceof ThresholdAction.Exec x) {
                exec(x, o, t, recordFile);
            }
        }
        if (cfg.stopsOnCrossing()) stopRequested = true;
        err.flush();
        return stopRequested;
    }

    private Path fileFor(ThresholdAction.Record r) {
        Path base = r.file() != null ? r.file()
                : Path.of("exitscope-threshold-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".dat");
        if (fired <= 1 && !Files.exists(base)) return base;
        String name = base.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name, ext = dot > 0 ? name.substring(dot) : "";
        for (int i = Math.max(2, fired); ; i++) {
            Path p = base.resolveSibling(stem + "-" + i + ext);
            if (!Files.exists(p)) return p;
        }
    }

    private void flushDue(boolean all) {
        long now = System.nanoTime();
        for (var it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (all || now - p.dueNanos() >= 0) {
                it.remove();
                write(p);
            }
        }
    }

    private void write(Pending p) {
        if (ring == null || meta == null) {
            err.println("exitscope: record: no live source to record from");
            return;
        }
        List<PageRing.Page> pages = ring.since(p.fromNanos());
        try {
            int n = RingRecorder.write(meta, pages, p.file(), cmdlines());
            recorded.add(p.file());
            long kib = 0;
            for (PageRing.Page pg : pages) kib += pg.data().length;
            kib /= 1024;
            err.println("exitscope: recorded " + n + " ring-buffer pages (" + kib + " KiB of events) of the last "
                    + io.exitscope.util.Durations.format(p.action().beforeNs() + p.action().afterNs()) + " to " + p.file()
                    + (ring.droppedForSpace() > 0 ? " (older pages dropped: ring limit " + PageRing.DEFAULT_MAX_BYTES / (1 << 20) + " MiB)" : ""));
        } catch (IOException | RuntimeException e) {
            err.println("exitscope: record to " + p.file() + " failed: " + e.getMessage());
        }
    }

    /** pid/comm pairs the kernel saw (tracefs saved_cmdlines, read only), so trace-cmd names the threads. */
    private String cmdlines() {
        if (src == null) return null;
        try {
            return RingRecorder.Meta.read(src.instance().tracefs().resolve("saved_cmdlines"));
        } catch (IOException e) {
            return null;
        }
    }

    private void exec(ThresholdAction.Exec x, FailExpr.Outcome o, TriageReport t, String recordFile) {
        ProcessBuilder pb = new ProcessBuilder(x.command());
        Map<String, String> env = pb.environment();
        env.putAll(environment(cfg.failOn().text(), o, t, recordFile));
        pb.redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            Process p = pb.start();
            processes.add(p);
            String tag = "exitscope: exec[" + p.pid() + "]: ";
            Thread pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (err) {
                            err.println(tag + line);
                            err.flush();
                        }
                    }
                } catch (IOException ignored) {
                    // the program closed its output
                }
            }, "exitscope-exec-" + p.pid());
            pump.setDaemon(true);
            pump.start();
            pumps.add(pump);
            err.println("exitscope: started " + String.join(" ", x.command()) + " (pid " + p.pid() + ")");
        } catch (IOException e) {
            err.println("exitscope: exec " + x.command().get(0) + " failed: " + e.getMessage());
        }
    }

    /** The environment an {@code exec} action gets: the crossing and the top finding. */
    static Map<String, String> environment(String expr, FailExpr.Outcome o, TriageReport t, String recordFile) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("EXITSCOPE_THRESHOLD", expr);
        env.put("EXITSCOPE_THRESHOLD_DETAIL", o.detailText());
        env.put("EXITSCOPE_TIME", java.time.OffsetDateTime.now().toString());
        env.put("EXITSCOPE_PID", Long.toString(ProcessHandle.current().pid()));
        env.put("EXITSCOPE_SOURCE", t.source());
        env.put("EXITSCOPE_PARTIAL", Boolean.toString(t.partial()));
        Finding f = t.top();
        if (f != null) {
            env.put("EXITSCOPE_FINDING_KIND", f.kind());
            env.put("EXITSCOPE_FINDING_TITLE", f.title());
            env.put("EXITSCOPE_FINDING_KEY", f.key());
            env.put("EXITSCOPE_FINDING_SHARE", String.format(java.util.Locale.ROOT, "%.6f", f.share()));
            env.put("EXITSCOPE_FINDING_ADVICE", f.advice());
        }
        String json = t.toJson(false).strip();
        if (json.length() > 100_000) json = json.substring(0, 100_000);
        env.put("EXITSCOPE_FINDINGS_JSON", json);
        if (recordFile != null) env.put("EXITSCOPE_RECORD_FILE", recordFile);
        return env;
    }

    /** Writes pending recordings, closes the exports, waits for programs started by exec (30 s at most). */
    @Override
    public void close() {
        flushDue(true);
        if (src != null && ringListener != null) src.removePageListener(ringListener);
        if (prometheus != null) prometheus.close();
        if (hdr != null) hdr.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Process p : processes) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    err.println("exitscope: exec pid " + p.pid() + " still running; not waiting for it");
                } else if (p.exitValue() != 0) {
                    err.println("exitscope: exec pid " + p.pid() + " exited with " + p.exitValue());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Thread t : pumps) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        err.flush();
    }
}
