package io.exitscope.cli;

import io.exitscope.triage.FailExpr;
import io.exitscope.triage.LiveHooks;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What runs besides printing while tracing in line mode ({@code live --batch}, {@code triage
 * --live}): the {@code --fail-on} threshold and its actions, and the fleet exports.
 */
final class ThresholdOptions {
    @Option(names = "--fail-on", paramLabel = "EXPR",
            description = "Exit with 2 when EXPR holds; live, on any interval (grammar: exitscope triage --help).")
    String failOn;

    @Option(names = "--on-threshold", paramLabel = "ACTION",
            description = "Live line mode: run when --fail-on becomes true (repeatable, in order): record[,file=F,before=10s,after=0s], "
                    + "'exec PROGRAM ARG...', stop (default), continue.")
    List<String> onThreshold = new ArrayList<>();

    @Option(names = "--prometheus", paramLabel = "HOST:PORT",
            description = "Live line mode: serve the statistics as OpenMetrics on http://HOST:PORT/metrics (HOST defaults to 127.0.0.1).")
    String prometheus;

    @Option(names = "--hdr-log", paramLabel = "FILE", description = "Live line mode: write an HdrHistogram interval log, one tag per reason,class.")
    Path hdrLog;

    /** True when an option that needs a live line-mode run was given. */
    boolean anyLiveOnly() {
        return !onThreshold.isEmpty() || prometheus != null || hdrLog != null;
    }

    /** The options checked and parsed, before tracing starts; bad ones are usage errors. */
    LiveHooks.Config configure() {
        try {
            return LiveHooks.configure(failOn, onThreshold, prometheus, hdrLog);
        } catch (FailExpr.SyntaxError e) {
            throw new Main.UsageException("--fail-on \"" + failOn + "\": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
    }
}
