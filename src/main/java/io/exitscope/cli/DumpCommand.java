package io.exitscope.cli;

import io.exitscope.event.Event;
import io.exitscope.event.EventStream;
import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.TraceSource;
import io.exitscope.view.DumpFormatter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** Prints every event, one per line, like {@code trace-cmd report -t -R}. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Print every event of a trace, one per line, in the shape of `trace-cmd report -t -R`.",
                "With --count, print only the number of events per event name and the lost events."})
final class DumpCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = TraceInputs.FILES)
    List<Path> files;

    @Option(names = "--count", description = "Count events per name instead of printing them (the decode-only path).")
    boolean count;

    @picocli.CommandLine.Mixin
    InputFormatOption inputFormat;

    @picocli.CommandLine.Mixin
    DecodeThreadsOption decode = new DecodeThreadsOption();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        int threads = decode.threads();
        for (Path file : files) {
            try (TraceSource src = TraceFiles.open(file, inputFormat.value, threads)) {
                TraceInfo info = src.info();
                if (files.size() > 1) w.println(file + ":");
                if (count) printCounts(src, w);
                else printEvents(src, info, w);
            }
            w.flush();
        }
        w.flush();
        return 0;
    }

    private static void printEvents(TraceSource src, TraceInfo info, PrintWriter w) throws Exception {
        if (info.cpus() > 0) w.println("cpus=" + info.cpus());
        DumpFormatter fmt = DumpFormatter.forTrace(info);
        try (EventStream s = src.events()) {
            while (s.advance()) {
                w.append(fmt.format(s.current())).append('\n');
            }
        }
    }

    private static void printCounts(TraceSource src, PrintWriter w) throws Exception {
        Map<String, long[]> counts = new TreeMap<>();
        Map<Integer, long[]> lostByCpu = new TreeMap<>();
        long total = 0, lostUnknown = 0;
        try (EventStream s = src.events()) {
            // count per format object first (no string work on the hot path), names at the end
            java.util.IdentityHashMap<Object, long[]> byFormat = new java.util.IdentityHashMap<>();
            Object lastFmt = null;
            long[] lastCell = null;
            while (s.advance()) {
                Event e = s.current();
                if (e.kind() == Event.Kind.LOST) {
                    long n = e.lostCount();
                    if (n < 0) lostUnknown++;
                    else lostByCpu.computeIfAbsent(e.cpu(), k -> new long[1])[0] += n;
                    continue;
                }
                Object f = e.format();
                if (f != lastFmt) {
                    lastCell = byFormat.computeIfAbsent(f, k -> new long[1]);
                    lastFmt = f;
                }
                lastCell[0]++;
                total++;
            }
            for (Map.Entry<Object, long[]> en : byFormat.entrySet()) {
                io.exitscope.event.EventFormat f = (io.exitscope.event.EventFormat) en.getKey();
                counts.computeIfAbsent(f.name, k -> new long[1])[0] += en.getValue()[0];
            }
        }
        for (Map.Entry<String, long[]> en : counts.entrySet()) w.printf("%-28s %12d%n", en.getKey(), en.getValue()[0]);
        w.printf("%-28s %12d%n", "total", total);
        long lost = lostByCpu.values().stream().mapToLong(a -> a[0]).sum();
        w.printf("%-28s %12d%s%n", "lost", lost, lostUnknown > 0 ? " (+ " + lostUnknown + " pages with an unknown count)" : "");
        for (Map.Entry<Integer, long[]> en : lostByCpu.entrySet()) w.printf("  lost on cpu %-15d %12d%n", en.getKey(), en.getValue()[0]);
    }
}
