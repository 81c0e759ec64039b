package io.exitscope.cli;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.source.TraceSource;
import io.exitscope.view.shell.ExitShell;
import io.exitscope.view.shell.ShellSession;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** An on-call shell over a recorded trace. */
@Command(name = "shell", mixinStandardHelpOptions = true,
        header = "Interactive shell over recorded traces.",
        description = {"Interactive shell over recorded traces (history, Tab completion): top, hist, pct, slowest,",
                "filter, group, compare, evidence, export. For on-call use when a full screen is not wanted."})
final class ShellCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = TraceInputs.FILES + "; several are analysed together")
    List<Path> files;

    @Mixin
    TraceInputs inputs;

    @Override
    public Integer call() throws Exception {
        AnalysisResult r = analyse(files);
        ShellSession session = new ShellSession(r, p -> {
            try {
                return analyse(List.of(p));
            } catch (Exception e) {
                throw new IllegalArgumentException("cannot analyse " + p + ": " + Main.describe(e));
            }
        });
        try (Terminal t = TerminalBuilder.builder().name("exitscope").system(true).build()) {
            Path hist = Path.of(System.getProperty("user.home"), ".exitscope_history");
            new ExitShell(session, t, hist).run();
        }
        return 0;
    }

    private AnalysisResult analyse(List<Path> paths) throws Exception {
        List<TraceSource> s = inputs.open(paths);
        try {
            return TraceAnalysis.run(s, inputs.options());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            TraceInputs.closeAll(s);
        }
    }
}
