package io.exitscope.cli;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.source.TraceSource;
import io.exitscope.stats.GroupBy;
import io.exitscope.view.report.CsvReport;
import io.exitscope.view.report.HdrLogReport;
import io.exitscope.view.report.JsonReport;
import io.exitscope.view.report.ReportData;
import io.exitscope.view.report.ReportOptions;
import io.exitscope.view.report.TableReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** Non-interactive exit statistics of recorded traces. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Exit latency statistics of recorded traces: count, share of time and p50/p90/p99/p99.9/max",
                "per exit reason and class (or subkey, vCPU, VM). Several files are analysed together."})
final class ReportCommand implements Callable<Integer> {
    enum Format { table, json, csv, hdr, html }

    @Parameters(arity = "1..*", paramLabel = "FILE", description = TraceInputs.FILES)
    List<Path> files;

    @Option(names = {"-f", "--format"}, paramLabel = "FMT", description = "table (default), json, csv, hdr (HdrHistogram log), html (one self-contained page: table, histograms, heatmap, evidence, triage)")
    Format format = Format.table;

    @Option(names = "--by", paramLabel = "DIMS", converter = GroupByConverter.class, description = "Grouping: reason, reason,class (default), subkey, vcpu, vm, or a comma list.")
    GroupBy by = GroupBy.parse("reason,class");

    @Option(names = "--include-blocking", description = "Count blocking exits (HLT, s390 wait state, arm64 WFx) in the time shares.")
    boolean includeBlocking;

    @Option(names = "--top", paramLabel = "N", description = "Only the N groups with the most time.")
    int top;

    @Option(names = "--ci", description = "Tables: each percentile with its 95%% confidence interval (JSON always has them: p99_ns_ci).")
    boolean ci;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Mixin
    TraceInputs inputs;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        GroupBy groupBy = by;
        var opt = inputs.options();
        List<TraceSource> sources = inputs.open(files);
        if (format == Format.html) {
            var part = HtmlParts.analyse(String.join(", ", files.stream().map(Path::toString).toList()), sources, opt,
                    new ReportOptions(groupBy, includeBlocking, top));
            try (PrintWriter w = writer()) {
                io.exitscope.view.html.HtmlReport.write(part, w);
            }
            return 0;
        }
        AnalysisResult result;
        try {
            result = TraceAnalysis.run(sources, opt);
        } finally {
            TraceInputs.closeAll(sources);
        }
        ReportData data = new ReportData(result, new ReportOptions(groupBy, includeBlocking, top));
        if (output != null) {
            try (OutputStream os = Files.newOutputStream(output);
                 PrintWriter w = new PrintWriter(new java.io.OutputStreamWriter(os, java.nio.charset.StandardCharsets.UTF_8))) {
                emit(data, w);
            }
        } else {
            emit(data, spec.commandLine().getOut());
        }
        return 0;
    }

    /** The output file, or standard output (left open). */
    private PrintWriter writer() throws java.io.IOException {
        if (output == null) {
            PrintWriter out = spec.commandLine().getOut();
            return new PrintWriter(out) {
                @Override
                public void close() {
                    flush();
                }
            };
        }
        return new PrintWriter(new java.io.OutputStreamWriter(Files.newOutputStream(output), java.nio.charset.StandardCharsets.UTF_8));
    }

    private void emit(ReportData data, PrintWriter w) throws Exception {
        switch (format) {
            case table -> TableReport.write(data, w, ci);
            case json -> JsonReport.write(data, w, true);
            case csv -> CsvReport.write(data, w);
            case html -> throw new IllegalStateException("html is written by call()");
            // the log is ASCII (base64 payloads), so bytes map 1:1 onto chars
            case hdr -> HdrLogReport.write(data, new OutputStream() {
                @Override
                public void write(int b) {
                    w.write(b);
                }
            });
        }
        w.flush();
    }
}
