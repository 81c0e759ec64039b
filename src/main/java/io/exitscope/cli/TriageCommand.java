package io.exitscope.cli;

import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.LiveAnalysis;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.event.Event;
import io.exitscope.exit.ExitAssembler;
import io.exitscope.exit.VmName;
import io.exitscope.model.ExitPathModel;
import io.exitscope.source.TraceSource;
import io.exitscope.source.live.HostFacts;
import io.exitscope.source.live.LivePump;
import io.exitscope.source.live.LiveSource;
import io.exitscope.triage.ConcurrencyTracker;
import io.exitscope.triage.ExitPathGainModel;
import io.exitscope.triage.FailExpr;
import io.exitscope.triage.LiveHooks;
import io.exitscope.triage.Triage;
import io.exitscope.triage.TriageOptions;
import io.exitscope.triage.TriageReport;
import io.exitscope.util.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** On-call triage: ranked findings with evidence and advice; thresholds with exit code 2. */
@Command(name = "triage", mixinStandardHelpOptions = true,
        header = "Ranked findings: what costs the most exit time, why, what to do.",
        description = {"What costs the most exit time, why, and what to do: ranked findings with",
                "evidence and advice (missing ioeventfd, exits dominated by userspace, exit",
                "storms, long tails, pending requests, big-lock contention, KVM as a module,",
                "lost events); blocking exits (HLT, s390 wait state, WFx) are kept apart as idle.",
                "",
                "--fail-on EXPR exits with 2 when EXPR holds (0 when not, 64 when malformed):",
                "  p99(reason=EPT_MISCONFIG) > 20us      share(class=userspace) > 30%%",
                "  rate(reason=MSR_WRITE) > 5000/s or lost > 0",
                "  count(port=0x500, class=userspace) > 0 and not partial == 1",
                "Metrics: count rate share total mean min max p50 p90 p99 p999 pNN.N (SEL),",
                "  lost events exits incomplete partial duration.",
                "SEL: DIM=VALUE or DIM!=VALUE, comma-separated; DIM is reason, class, subkey,",
                "  vcpu, vm, port, gpa or blocking (yes/no/any); * and ? are wildcards;",
                "  quote values with blanks: subkey=\"port 0x500*\".",
                "Numbers: times need a unit (ns us ms s), shares are 30%% or 0.3, rates n or n/s.",
                "Operators: > >= < <= == !=, and, or, not, ( ).",
                ""})
final class TriageCommand implements Callable<Integer> {
    enum Format { table, json }

    @Parameters(arity = "0..*", paramLabel = "FILE", description = TraceInputs.FILES + " (or --live)")
    List<Path> files = new ArrayList<>();

    @Option(names = "--live", description = "Triage this host live (root, tracefs) for --duration, then print the findings.")
    boolean live;

    @Option(names = {"-f", "--format"}, paramLabel = "FMT", description = "table (default) or json")
    Format format = Format.table;

    @Option(names = "--all", description = "Table: every finding (default: the first 15).")
    boolean all;

    @Mixin
    ThresholdOptions thresholds;

    @Option(names = "--notify-cost", paramLabel = "TIME",
            description = "Kernel-handled cost of one notification for the ioeventfd projection (default: measured in the trace, else 410ns).")
    String notifyCost;

    @Option(names = "--duration", paramLabel = "TIME", description = "Live: how long to watch (default 10s).")
    String duration = "10s";

    @Option(names = "--interval", paramLabel = "TIME", description = "Live: threshold evaluation interval (default 1s).")
    String interval = "1s";

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Live: only this VM (VMM process).")
    long pid = -1;

    @Option(names = "--buffer-kb", paramLabel = "KB", description = "Live: ring buffer per CPU in KiB (default 8192).")
    int bufferKb = 8192;

    @Mixin
    TraceInputs inputs;

    @Mixin
    ModelOptions model; // the exit-path model projects what the trace cannot measure, as in 'exitscope model'

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LiveHooks.Config hooks = thresholds.configure();
        long notifyNs = -1;
        if (notifyCost != null) {
            try {
                notifyNs = Durations.parse(notifyCost);
            } catch (IllegalArgumentException e) {
                throw new Main.UsageException("--notify-cost: " + e.getMessage());
            }
        }
        TriageOptions topt = new TriageOptions(notifyNs, new ExitPathGainModel(new ExitPathModel(model.load())));
        if (live && !files.isEmpty()) throw new Main.UsageException("give trace files or --live, not both");
        if (!live && files.isEmpty()) throw new Main.UsageException("give trace files to triage, or --live");
        if (!live && thresholds.anyLiveOnly()) {
            throw new Main.UsageException("--on-threshold, --prometheus and --hdr-log are for --live (and exitscope live --batch)");
        }
        boolean crossed;
        TriageReport report;
        if (live) {
            LiveRun lr = runLive(hooks, topt, err);
            report = lr.report;
            crossed = lr.crossed;
        } else {
            AnalysisOptions opt = inputs.options();
            List<TraceSource> sources = inputs.open(files);
            ConcurrencyTracker conc = new ConcurrencyTracker();
            AnalysisResult result;
            try {
                result = TraceAnalysis.run(sources, opt, conc);
            } finally {
                TraceInputs.closeAll(sources);
            }
            report = Triage.analyze(result, topt, conc);
            crossed = false;
            if (hooks.failOn() != null) {
                FailExpr.Outcome o = hooks.failOn().evaluate(result);
                crossed = o.crossed();
                err.println("exitscope: threshold " + (crossed ? "crossed" : "not crossed") + ": " + o.detailText());
            }
        }
        if (format == Format.json) report.writeJson(out, true);
        else report.writeText(out, all ? 0 : 15);
        out.flush();
        err.flush();
        return crossed ? Main.EXIT_THRESHOLD : Main.EXIT_OK;
    }

    private record LiveRun(TriageReport report, boolean crossed) {}

    private LiveRun runLive(LiveHooks.Config cfg, TriageOptions topt, PrintWriter err) throws Exception {
        long intervalNs, durationNs;
        try {
            intervalNs = Durations.parse(interval);
            durationNs = Durations.parse(duration);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        if (intervalNs < 10_000_000L) throw new Main.UsageException("--interval must be at least 10ms");
        LiveSource src = LiveOptions.start(bufferKb, LiveOptions.pids(pid, null), LiveSource.DEFAULT_SLACK_NS, err);
        HostFacts.KvmModule km = HostFacts.kvmModule();
        LiveAnalysis la = new LiveAnalysis(src.info(), new AnalysisOptions(Long.MIN_VALUE, Long.MAX_VALUE, -1, inputs.vcpu, inputs.vm),
                km.module(), km.evidence(), src.recordsUserspaceExits());
        // a second assembler feeds the big-lock tracker: LiveAnalysis keeps statistics, not exits
        ConcurrencyTracker conc = new ConcurrencyTracker();
        ExitAssembler concAsm = new ExitAssembler(r -> {
            if ((inputs.vcpu < 0 || r.vcpu() == inputs.vcpu) && (inputs.vm == null || inputs.vm.equals(r.vm()))) conc.accept(r);
        }, VmName::of, src.recordsUserspaceExits());
        LiveHooks hooks = null;
        try (src) {
            hooks = cfg.attach(src, err);
            LiveHooks h = hooks;
            LivePump pump = new LivePump(src, intervalNs, durationNs, Long.MAX_VALUE);
            pump.run(src.events(), new LivePump.Handler() {
                @Override
                public void event(Event e) {
                    la.accept(e);
                    concAsm.accept(e);
                }

                @Override
                public void interval(long now) {
                    AnalysisResult iv = la.takeInterval(la.lastTimestamp() == Long.MIN_VALUE ? 0 : la.lastTimestamp());
                    if (h.onInterval(iv, la.cumulative())) pump.stopTracing();
                }
            });
            la.finish();
            concAsm.finish();
            hooks.onInterval(la.takeInterval(la.lastTimestamp() == Long.MIN_VALUE ? 0 : la.lastTimestamp()), la.cumulative());
        } finally {
            if (hooks != null) hooks.close();
        }
        return new LiveRun(Triage.analyze(la.cumulative(), topt, conc), hooks.crossed());
    }
}
