package io.exitscope.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.LiveAnalysis;
import io.exitscope.event.Event;
import io.exitscope.source.live.HostFacts;
import io.exitscope.source.live.LivePump;
import io.exitscope.source.live.LiveSource;
import io.exitscope.stats.GroupBy;
import io.exitscope.triage.LiveHooks;
import io.exitscope.util.Durations;
import io.exitscope.view.report.JsonReport;
import io.exitscope.view.report.ReportData;
import io.exitscope.view.report.ReportOptions;
import io.exitscope.view.report.TableReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** Live exit statistics from a private tracefs instance. */
@Command(name = "live", mixinStandardHelpOptions = true,
        header = "Live exit statistics on this host (full screen, or --batch reports).",
        description = {"Live exit statistics on this host, from a private tracefs instance that is removed on every",
                "way out: a full-screen view (press ? in it for the keys), or with --batch a report every --interval",
                "(per interval and cumulative)."})
final class LiveCommand implements Callable<Integer> {
    enum Format { table, json }

    /** One factory for the session (Jackson's advice): a new one per interval built its symbol tables again, every second for hours. */
    private static final JsonFactory JSON = new JsonFactory();

    @Option(names = "--batch", description = "Line mode: print a report every interval instead of the full-screen view.")
    boolean batch;

    @Option(names = "--no-color", description = "Full-screen view without colours (also when NO_COLOR is set).")
    boolean noColor;

    @Option(names = "--ascii", description = "Full-screen view with ASCII characters only.")
    boolean ascii;

    @Option(names = "--interval", paramLabel = "TIME", description = "Report interval (default 1s).")
    String interval = "1s";

    @Option(names = "--duration", paramLabel = "TIME", description = "Stop after TIME (default: until interrupted).")
    String duration;

    @Option(names = {"-f", "--format"}, paramLabel = "FMT", description = "table (default) or json (one object per interval)")
    Format format = Format.table;

    @Option(names = "--by", paramLabel = "DIMS", converter = GroupByConverter.class, description = "Grouping, as for report (default reason,class).")
    GroupBy by = GroupBy.parse("reason,class");

    @Option(names = "--vcpu", paramLabel = "N", description = "Only vCPU N.")
    int vcpu = -1;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Also record the events to FILE (trace.dat, as `record` writes it) while watching.")
    java.nio.file.Path output;

    @Option(names = "--file-version", paramLabel = "N", description = "With -o: trace.dat version 7 (default) or 6.")
    int fileVersion = 7;

    @Option(names = "--compression", paramLabel = "ALG", description = "With -o: none, zlib or zstd (default).")
    String compression = "zstd";

    @picocli.CommandLine.Mixin
    LiveOptions live;

    @Option(names = "--slack", paramLabel = "TIME", description = "Merge slack between CPUs (default 50ms).")
    String slack = "50ms";

    // thresholds, actions and fleet exports; batch mode only
    @picocli.CommandLine.Mixin
    ThresholdOptions thresholds;

    private LiveHooks hooks;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @SuppressWarnings("try") // resources held open for their close (hooks, finish-on-signal), not used by name
    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!batch) checkFullScreen(); // fail before tracing starts when there is no terminal
        long intervalNs, durationNs, slackNs;
        GroupBy groupBy;
        try {
            intervalNs = Durations.parse(interval);
            durationNs = duration == null ? Long.MAX_VALUE : Durations.parse(duration);
            slackNs = Durations.parse(slack);
            groupBy = by;
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        if (intervalNs < 10_000_000L) throw new Main.UsageException("--interval must be at least 10ms");
        LiveHooks.Config hooksCfg = thresholds.configure(); // checked before tracing starts
        LiveSource src = live.start(slackNs, err);
        HostFacts.KvmModule km = HostFacts.kvmModule();
        io.exitscope.source.live.LiveRecorder rec;
        try {
            rec = output == null ? null : LiveOptions.record(src, output, fileVersion, LiveOptions.compression(compression));
        } catch (java.io.IOException | RuntimeException e) {
            src.close();
            throw e;
        }
        try (LiveOptions.FinishOnSignal finish = rec == null ? null : new LiveOptions.FinishOnSignal(src)) {
            int code = batch ? batch(src, km, intervalNs, durationNs, groupBy, hooksCfg, out, err, rec)
                    : fullScreen(src, km, intervalNs, rec, err); // same source and analysis as --batch
            return code;
        } catch (Exception e) {
            if (rec != null) rec.abort();
            throw e;
        }
    }

    @SuppressWarnings("try") // resources held open for their close (hooks, finish-on-signal), not used by name
    private int batch(LiveSource src, HostFacts.KvmModule km, long intervalNs, long durationNs, GroupBy groupBy,
                      LiveHooks.Config hooksCfg, PrintWriter out, PrintWriter err, io.exitscope.source.live.LiveRecorder rec) throws Exception {
        LiveAnalysis la = new LiveAnalysis(src.info(), new AnalysisOptions(Long.MIN_VALUE, Long.MAX_VALUE, -1, vcpu, null), km.module(), km.evidence(),
                src.recordsUserspaceExits());
        ReportOptions ropt = new ReportOptions(groupBy, false, 0);
        try (src; LiveHooks h = (hooks = hooksCfg.attach(src, err))) { // hooks attach before events()
            LiveSource.LiveStream s = src.events();
            LivePump pump = new LivePump(src, intervalNs, durationNs, Long.MAX_VALUE);
            long[] ivStartWall = {System.nanoTime()};
            pump.run(s, new LivePump.Handler() {
                @Override
                public void event(Event e) {
                    la.accept(e);
                }

                @Override
                public void interval(long now) throws java.io.IOException {
                    emit(la, ropt, out, ivStartWall[0], now);
                    if (hooks.stopRequested()) pump.stopTracing(); // --on-threshold stop
                    ivStartWall[0] = now;
                }
            });
            la.finish();
            long now = System.nanoTime();
            if (now - ivStartWall[0] > 0) emit(la, ropt, out, ivStartWall[0], now);
            if (src.malformedPages() > 0 || src.unknownEvents() > 0) {
                err.println("exitscope: skipped " + src.malformedPages() + " malformed pages and " + src.unknownEvents() + " events of unknown type");
            }
            if (rec != null) LiveOptions.finishRecording(rec, src, output, err);
        }
        return hooks.crossed() ? Main.EXIT_THRESHOLD : 0;
    }

    private void checkFullScreen() {
        if (thresholds.failOn != null || thresholds.anyLiveOnly()) {
            throw new Main.UsageException("--fail-on, --on-threshold, --prometheus and --hdr-log need --batch");
        }
        try {
            io.exitscope.view.tui.Tui.checkTerminal();
        } catch (io.exitscope.view.tui.Tui.NoTerminalException e) {
            throw new Main.ExitCodeException(Main.EXIT_USAGE, e.getMessage() + "; for line mode use: exitscope live --batch");
        }
    }

    private int fullScreen(LiveSource src, HostFacts.KvmModule km, long intervalNs, io.exitscope.source.live.LiveRecorder rec,
                           PrintWriter err) throws java.io.IOException {
        AnalysisOptions opt = new AnalysisOptions(Long.MIN_VALUE, Long.MAX_VALUE, -1, vcpu, null);
        io.exitscope.view.tui.TuiOptions t = io.exitscope.view.tui.TuiOptions.defaults(noColor);
        if (ascii) t = new io.exitscope.view.tui.TuiOptions(t.color(), io.exitscope.view.tui.Glyphs.ASCII, t.projector());
        try (src) {
            io.exitscope.view.tui.Tui.run(new io.exitscope.view.tui.feed.LiveFeed(src,
                    () -> new LiveAnalysis(src.info(), opt, km.module(), km.evidence(), src.recordsUserspaceExits()), Math.max(intervalNs, 50_000_000L)), t, null);
            if (rec != null) {
                src.stop(); // readers hand over what is still in the ring buffer before the file is closed
                LiveOptions.finishRecording(rec, src, output, err);
            }
        }
        return 0;
    }

    private void emit(LiveAnalysis la, ReportOptions ropt, PrintWriter out, long startWall, long endWall) throws java.io.IOException {
        long endTs = la.lastTimestamp() == Long.MIN_VALUE ? endWall : Math.max(la.lastTimestamp(), endWall);
        AnalysisResult iv = la.takeInterval(endTs);
        AnalysisResult cum = la.cumulative();
        if (hooks != null) hooks.onInterval(iv, cum); // thresholds, Prometheus, HdrHistogram log
        if (format == Format.json) {
            StringWriter sw = new StringWriter();
            try (JsonGenerator g = JSON.createGenerator(sw)) {
                g.writeStartObject();
                Map<String, Long> extra = new LinkedHashMap<>();
                extra.put("interval_start_ns", startWall);
                extra.put("interval_end_ns", endWall);
                JsonReport.writeBody(new ReportData(iv, ropt), g, extra);
                g.writeObjectFieldStart("cumulative");
                JsonReport.writeBody(new ReportData(cum, ropt), g, null);
                g.writeEndObject();
                g.writeEndObject();
            }
            out.println(sw);
        } else {
            out.printf("=== %s  interval %s (cumulative: %d exits, %d lost events)%n",
                    LocalTime.now().format(DateTimeFormatter.ISO_LOCAL_TIME), Durations.format(endWall - startWall), cum.exits(), cum.lostEvents());
            TableReport.write(new ReportData(iv, ropt), out);
            out.println();
        }
        out.flush();
    }
}
