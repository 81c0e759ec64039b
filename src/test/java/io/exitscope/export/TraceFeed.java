package io.exitscope.export;

import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.LiveAnalysis;
import io.exitscope.event.Event;
import io.exitscope.event.EventStream;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceSource;

import java.nio.file.Path;
import java.util.function.BiConsumer;

/** Replays a trace file through the live pipeline, cutting intervals every {@code intervalNs} of trace time. */
final class TraceFeed {
    private TraceFeed() {}

    /** @return the live analysis after the last interval */
    static LiveAnalysis replay(Path file, long intervalNs, BiConsumer<AnalysisResult, AnalysisResult> onInterval) throws Exception {
        try (TraceSource src = TraceFiles.open(file, InputFormat.AUTO); EventStream s = src.events()) {
            LiveAnalysis la = new LiveAnalysis(src.info(), AnalysisOptions.ALL, null, null, src.recordsUserspaceExits());
            long next = Long.MIN_VALUE;
            while (s.advance()) {
                Event e = s.current();
                if (e.kind() == Event.Kind.EVENT) {
                    if (next == Long.MIN_VALUE) next = e.timestamp() + intervalNs;
                    while (e.timestamp() >= next) {
                        onInterval.accept(la.takeInterval(next), la.cumulative());
                        next += intervalNs;
                    }
                }
                la.accept(e);
            }
            la.finish();
            onInterval.accept(la.takeInterval(Math.max(next, la.lastTimestamp())), la.cumulative());
            return la;
        }
    }
}
