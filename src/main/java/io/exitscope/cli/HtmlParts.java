package io.exitscope.cli;

import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.model.ExitPathModel;
import io.exitscope.model.ModelConfig;
import io.exitscope.source.TraceSource;
import io.exitscope.triage.ConcurrencyTracker;
import io.exitscope.triage.ExitPathGainModel;
import io.exitscope.triage.Triage;
import io.exitscope.triage.TriageOptions;
import io.exitscope.view.Heatmap;
import io.exitscope.view.html.HtmlReport;
import io.exitscope.view.report.ReportData;
import io.exitscope.view.report.ReportOptions;

import java.io.IOException;
import java.util.List;

/**
 * One pass over traces for an HTML page: the report's statistics, the heatmap and the triage
 * (with the big-lock tracker and the exit-path model, as {@code exitscope triage} runs them).
 */
final class HtmlParts {
    private HtmlParts() {}

    /** Heatmap columns of a page: the width doubles until the span fits in at most this many. */
    static final int COLUMNS = 240;

    static HtmlReport.Part analyse(String title, List<TraceSource> sources, AnalysisOptions opt, ReportOptions ropt) throws IOException {
        Heatmap.Recorder heat = new Heatmap.Recorder(1_000L, COLUMNS);
        ConcurrencyTracker conc = new ConcurrencyTracker();
        AnalysisResult result;
        try {
            result = TraceAnalysis.run(sources, opt, r -> {
                heat.accept(r);
                conc.accept(r);
            });
        } finally {
            TraceInputs.closeAll(sources);
        }
        TriageOptions topt = new TriageOptions(-1, new ExitPathGainModel(new ExitPathModel(ModelConfig.load())));
        return new HtmlReport.Part(title, new ReportData(result, ropt), heat.timeline(), Triage.analyze(result, topt, conc));
    }
}
