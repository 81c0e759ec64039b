package io.exitscope.cli;

import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceSource;
import io.exitscope.util.Durations;
import io.exitscope.view.tui.Glyphs;
import io.exitscope.view.tui.Tui;
import io.exitscope.view.tui.TuiOptions;
import io.exitscope.view.tui.feed.Baseline;
import io.exitscope.view.tui.feed.ReplayFeed;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** The full-screen view over a recorded trace, with playback controls. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        header = "The full-screen view over a recorded trace.",
        description = {"The full-screen view (the same screens as 'live') over a recorded trace,",
                "streamed through the analysis with play/pause, step, speed (1x, 10x, 100x,",
                "max, in trace time) and seek. With two files A B, A is the baseline of the",
                "compare screen and B is replayed. Press ? in the view for every key."})
final class ReplayCommand implements java.util.concurrent.Callable<Integer> {
    @Parameters(arity = "1..2", paramLabel = "FILE", description = "the trace to replay, a " + TraceInputs.FILES + "; with A B: A is the baseline, B is replayed")
    List<Path> files;

    @Option(names = "--speed", paramLabel = "X", description = "1, 10, 100 or max (default max: as fast as it reads)")
    String speed = "max";

    @Option(names = "--paused", description = "Start paused at the beginning.")
    boolean paused;

    @Option(names = "--interval", paramLabel = "TIME", description = "Screen refresh interval in wall time (default 1s).")
    String interval = "1s";

    @Option(names = "--step", paramLabel = "TIME", description = "Step length in trace time for '.', Left and Right (default 10ms).")
    String step = "10ms";

    @Option(names = "--baseline", paramLabel = "FROM..TO", description = "Compare with this time window of the (replayed) trace, e.g. 0..50ms.")
    String baselineWindow;

    @Option(names = "--no-color", description = "No colours (also when NO_COLOR is set).")
    boolean noColor;

    @Option(names = "--ascii", description = "Draw with ASCII characters only.")
    boolean ascii;

    @Mixin
    TraceInputs inputs;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long intervalNs, stepNs;
        int sp;
        long[] window = null;
        try {
            intervalNs = Durations.parse(interval);
            stepNs = Durations.parse(step);
            sp = parseSpeed(speed);
            if (baselineWindow != null) window = parseWindow(baselineWindow);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        if (intervalNs < 50_000_000L) throw new Main.UsageException("--interval must be at least 50ms");
        if (stepNs < 1_000L) throw new Main.UsageException("--step must be at least 1us");
        if (window != null && files.size() == 2) throw new Main.UsageException("--baseline is for one file; with A B the baseline is A");
        AnalysisOptions opt = inputs.options();
        // open every file once now: a bad path or format fails here, in plain text, not inside the screen
        TraceInputs.closeAll(inputs.open(files));
        try {
            Tui.checkTerminal();
        } catch (Tui.NoTerminalException e) {
            // no screen to draw on (a pipe, a script): the same statistics as plain text
            spec.commandLine().getErr().println("exitscope: " + e.getMessage() + "; printing the report instead (exitscope report)");
            java.util.List<io.exitscope.source.TraceSource> s = inputs.open(List.of(files.get(files.size() - 1)));
            io.exitscope.analysis.AnalysisResult r;
            try {
                r = io.exitscope.analysis.TraceAnalysis.run(s, opt);
            } finally {
                TraceInputs.closeAll(s);
            }
            io.exitscope.view.report.TableReport.write(new io.exitscope.view.report.ReportData(r,
                    new io.exitscope.view.report.ReportOptions(io.exitscope.stats.GroupBy.parse("subkey,class"), false, 0)),
                    spec.commandLine().getOut());
            spec.commandLine().getOut().flush();
            return 0;
        }
        Path played = files.get(files.size() - 1);
        CompletableFuture<Baseline> baseline = null;
        if (files.size() == 2) {
            Path a = files.get(0);
            baseline = analyse(a, opt, "file A " + a.getFileName(), null);
        } else if (window != null) {
            AnalysisOptions w = new AnalysisOptions(window[0], window[1], opt.tid(), opt.vcpu(), opt.vm());
            baseline = analyse(played, w, "window " + Durations.sinceStart(window[0]) + ".." + (window[1] == Long.MAX_VALUE ? "end" : Durations.sinceStart(window[1])), window);
        }
        long from = opt.fromNs() == Long.MIN_VALUE ? 0 : opt.fromNs();
        ReplayFeed feed = new ReplayFeed(() -> TraceFiles.open(played, inputs.inputFormat.value, inputs.decode.threads()), opt, from, opt.toNs(), intervalNs, sp, stepNs, paused);
        TuiOptions t = TuiOptions.defaults(noColor);
        if (ascii) t = new TuiOptions(t.color(), Glyphs.ASCII, t.projector());
        Tui.run(feed, t, baseline);
        return 0;
    }

    /** @param window the baseline's time window (its span is the rate denominator), or null for the whole file */
    private CompletableFuture<Baseline> analyse(Path p, AnalysisOptions opt, String label, long[] window) {
        CompletableFuture<Baseline> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                List<TraceSource> s = inputs.open(List.of(p));
                try {
                    AnalysisResult r = TraceAnalysis.run(s, opt);
                    double secs = r.durationSeconds();
                    if (window != null) secs = Math.max(0, Math.min(window[1] / 1e9, secs) - window[0] / 1e9);
                    f.complete(Baseline.of(label, r, secs));
                } finally {
                    TraceInputs.closeAll(s);
                }
            } catch (Exception | OutOfMemoryError e) {
                f.completeExceptionally(new CompletionException(e));
            }
        }, "exitscope-baseline");
        t.setDaemon(true);
        t.start();
        return f;
    }

    static int parseSpeed(String s) {
        String t = s.strip().toLowerCase();
        if (t.matches("\\d+x")) t = t.substring(0, t.length() - 1);
        return switch (t) {
            case "1" -> 1;
            case "10" -> 10;
            case "100" -> 100;
            case "max", "0" -> 0;
            default -> throw new IllegalArgumentException("--speed: 1, 10, 100 or max, not '" + s + "'");
        };
    }

    /** {@code FROM..TO} relative to the trace start, e.g. {@code 0..50ms}, {@code 1s..}. */
    static long[] parseWindow(String s) {
        int i = s.indexOf("..");
        if (i < 0) throw new IllegalArgumentException("--baseline: FROM..TO, e.g. 0..50ms");
        String a = s.substring(0, i).strip(), b = s.substring(i + 2).strip();
        long from = a.isEmpty() ? 0 : Durations.parse(a);
        long to = b.isEmpty() ? Long.MAX_VALUE : Durations.parse(b);
        if (from > to) throw new IllegalArgumentException("--baseline: FROM is after TO");
        return new long[]{from, to};
    }
}
