package io.exitscope.bench;

import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.event.EventStream;
import io.exitscope.source.TraceSource;
import io.exitscope.source.tracedat.TraceDatReader;
import io.exitscope.source.tracedat.TraceDatSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Decode throughput of a whole trace.dat, single-threaded unless {@code -p threads=N}: the events/s figure of the README is
 * events in the file divided by the time of one {@link #decode} call. Run with
 * {@code bench/jmh.sh FILE} (not part of the unit tests).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DecodeBenchmark {
    @Param("")
    public String file;

    /** Decoding threads ({@link TraceDatReader#events(int)}, {@code --threads}): 1 is the single-threaded stream. */
    @Param("1")
    public int threads;

    /** Every record decoded up to its format; returns the count so nothing is optimised away. */
    @Benchmark
    public long decode() throws Exception {
        long n = 0;
        try (TraceDatReader r = TraceDatReader.open(Path.of(file)); EventStream s = r.events(threads)) {
            while (s.advance()) {
                if (s.current().format() != null) n++;
            }
        }
        return n;
    }

    /** Decode plus exit assembly and histograms: what `report` does before printing. */
    @Benchmark
    public long analyse() throws Exception {
        try (TraceSource src = new TraceDatSource(Path.of(file), threads)) {
            return TraceAnalysis.run(List.of(src), AnalysisOptions.ALL).exits();
        }
    }
}
