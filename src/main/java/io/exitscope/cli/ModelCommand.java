package io.exitscope.cli;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.model.ExitPathModel;
import io.exitscope.model.ModelConfig;
import io.exitscope.model.ModelJson;
import io.exitscope.model.ModelRun;
import io.exitscope.model.ModelTable;
import io.exitscope.model.Profile;
import io.exitscope.model.RecordedSwitches;
import io.exitscope.model.Switch;
import io.exitscope.model.SwitchDetector;
import io.exitscope.model.SwitchSet;
import io.exitscope.source.TraceSource;
import io.exitscope.stats.GroupBy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Replays a trace through the s390 exit-path model: measured beside projected, per key. */
@Command(name = "model", mixinStandardHelpOptions = true,
        header = "Replay recorded exits through the s390 exit-path model.",
        description = {"Replay recorded exits through the s390 exit-path model with optimization",
                "switches on or off. Finds the switch set the trace was recorded with",
                "(declared, seen in the trace, or fitted), re-times every exit under a target",
                "set (--profile, --switch) and ranks which switch moves what most.",
                "s390 traces are projected stage by stage; on x86/arm64 only ioeventfd for",
                "PIO/MMIO writes is projected. Switches (--list-switches explains each):",
                "  ioeventfd, request-early-exit, irq-disable, irq-toggle-removal, kvm-builtin,",
                "  lazy-fpu, sync-regs, c-fastpath, sie64a-shortcut, bql-pushdown, no-sync-state"})
final class ModelCommand implements Callable<Integer> {
    enum Format { table, json }

    @Parameters(arity = "0..*", paramLabel = "FILE", description = TraceInputs.FILES)
    List<Path> files = new ArrayList<>();

    @Option(names = {"-f", "--format"}, paramLabel = "FMT", description = "table (default) or json")
    Format format = Format.table;

    @Option(names = "--profile", paramLabel = "P", description = "Target switch set: a profile of the config (kernel-4.4, talk-2016-tuned, current).")
    String profile;

    @Option(names = "--switch", paramLabel = "NAME=on|off", description = "Set one switch of the target (repeatable; applied after --profile).")
    List<String> switches = new ArrayList<>();

    @Option(names = "--recorded", paramLabel = "HOW",
            description = "How to find the recorded set: auto (default: the file's own declaration if simulated, evidence, fit), "
                    + "fit (ignore the file's declaration), or a profile name (declare it).")
    String recorded = "auto";

    @Option(names = "--recorded-switch", paramLabel = "NAME=on|off", description = "Declare one switch of the recorded set (repeatable).")
    List<String> recordedSwitches = new ArrayList<>();

    @Option(names = "--by", paramLabel = "DIMS", converter = GroupByConverter.class, description = "Grouping as in report (default: subkey, i.e. reason and subkey).")
    GroupBy by = GroupBy.parse("subkey");

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the draws for stages the recording did not have (default 1).")
    long seed = 1;

    @Option(names = "--explain", description = "Table: the per-key stage breakdown, measured (explained) and projected.")
    boolean explain;

    @Option(names = "--top", paramLabel = "N", description = "Table: only the first N keys.")
    int top;

    @Option(names = "--list-switches", description = "List the switches and the stages each changes, then exit.")
    boolean listSwitches;

    @Option(names = "--list-profiles", description = "List the config's profiles, then exit.")
    boolean listProfiles;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Mixin
    ModelOptions model;

    @Mixin
    TraceInputs inputs;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ModelConfig config = model.load();
        PrintWriter out = spec.commandLine().getOut();
        if (listSwitches || listProfiles) {
            list(config, out);
            return 0;
        }
        if (files.isEmpty()) throw new Main.UsageException("model: no trace file given");
        GroupBy groupBy = by;
        List<TraceSource> sources = inputs.open(files);
        AnalysisResult result;
        try {
            result = TraceAnalysis.run(sources, inputs.options());
        } finally {
            TraceInputs.closeAll(sources);
        }
        ExitPathModel m = new ExitPathModel(config);
        RecordedSwitches rec;
        SwitchSet target;
        try {
            boolean declared = !recorded.equals("auto") && !recorded.equals("fit");
            rec = new SwitchDetector(m).detect(result, declared ? recorded : null, recordedSwitches, recorded.equals("auto"));
            target = (profile != null ? config.profile(profile).switches() : rec.switches()).apply(switches);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        ModelRun run = ModelRun.of(result, m, rec, target, groupBy, seed);
        if (output != null) {
            try (OutputStream os = Files.newOutputStream(output);
                 PrintWriter w = new PrintWriter(new java.io.OutputStreamWriter(os, StandardCharsets.UTF_8))) {
                emit(run, w);
            }
        } else {
            emit(run, out);
        }
        return 0;
    }

    private void emit(ModelRun run, PrintWriter w) throws Exception {
        if (format == Format.json) ModelJson.write(run, w);
        else ModelTable.write(run, w, explain, top);
        w.flush();
    }

    private void list(ModelConfig config, PrintWriter out) {
        if (listSwitches) {
            out.println("switches (NAME=on|off):");
            for (Switch s : Switch.values()) {
                out.printf("  %-20s %s%n  %-20s stages: %s%n", s.cliName, s.description, "", s.effect);
            }
        }
        if (listProfiles) {
            out.println("profiles (" + config.origin() + "):");
            for (String n : config.profileNames()) {
                Profile p = config.profile(n);
                out.printf("  %-16s %s%n  %-16s %s%n", n, p.description(), "", p.switches().describe());
            }
        }
        out.flush();
    }
}
