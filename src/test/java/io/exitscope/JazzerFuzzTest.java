package io.exitscope;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.event.Event;
import io.exitscope.event.EventStream;
import io.exitscope.model.ExitPathModel;
import io.exitscope.model.ModelConfig;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceFormatException;
import io.exitscope.source.TraceSource;
import io.exitscope.triage.FailExpr;
import io.exitscope.triage.LiveHooks;
import io.exitscope.view.DumpFormatter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Coverage-guided fuzzing (Jazzer) of every parser exitscope offers to its users: trace.dat,
 * perf.data, the text formats, the model config, {@code --fail-on} expressions and
 * {@code --on-threshold} actions.
 *
 * <p>In every {@code mvn test} this runs the committed seeds and the regressions found so far
 * ({@code src/test/resources/io/exitscope/JazzerFuzzTestInputs/METHOD/}) without fuzzing: the
 * same verdict on any machine. Fuzzing: {@code bench/jazzer-campaign.sh} (JAZZER_FUZZ=1, one
 * target at a time); a crash is written to that directory and so becomes a regression input.
 *
 * <p>Allowed outcomes, as for the CLI: success, or the parser's own one-line error
 * ({@link TraceFormatException} naming the file and an offset inside it; IllegalArgumentException
 * with a message for config, expressions and actions). Anything else fails.
 */
class JazzerFuzzTest {
    private static final Path WORK;
    private static AnalysisResult sample;

    static {
        try {
            WORK = Files.createTempDirectory("exitscope-jazzer");
            WORK.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Reads a trace completely (info, every event formatted and its fields read), as report and dump do. */
    private static void readTrace(byte[] data, String ext, InputFormat format) throws IOException {
        Path f = WORK.resolve("input" + ext);
        Files.write(f, data);
        try (TraceSource src = TraceFiles.open(f, format)) {
            DumpFormatter fmt = DumpFormatter.forTrace(src.info());
            try (EventStream s = src.events()) {
                int n = 0;
                while (s.advance() && n++ < 200_000) {
                    Event e = s.current();
                    fmt.format(e).length();
                }
            }
            src.recordsUserspaceExits();
        } catch (TraceFormatException e) {
            String m = e.getMessage();
            assertTrue(m != null && m.contains(f.toString()) && !m.contains("\n"), "one line naming the file: " + m);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void traceDat(byte[] data) throws IOException {
        readTrace(data, ".dat", InputFormat.AUTO);
    }

    /** Seed: perf record -e kvm:kvm_exit -e sched:sched_switch -- sleep 0.02, on this host. */
    @FuzzTest(maxDuration = "60s")
    void perfData(byte[] data) throws IOException {
        readTrace(data, ".data", InputFormat.AUTO);
    }

    @FuzzTest(maxDuration = "60s")
    void text(byte[] data) throws IOException {
        readTrace(data, ".txt", InputFormat.AUTO);
    }

    @FuzzTest(maxDuration = "60s")
    void modelConfig(byte[] data) throws IOException {
        Path f = WORK.resolve("model.conf");
        Files.write(f, data);
        try {
            new ExitPathModel(ModelConfig.load(f, List.of()));
        } catch (IllegalArgumentException e) {
            assertMessage(e);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void failOn(byte[] data) throws IOException {
        String text = new String(data, StandardCharsets.UTF_8);
        FailExpr x;
        try {
            x = FailExpr.parse(text);
        } catch (IllegalArgumentException e) {
            assertMessage(e);
            return;
        }
        x.evaluate(sample()).detailText();
    }

    @FuzzTest(maxDuration = "60s")
    void onThreshold(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        try {
            LiveHooks.configure("lost > 0", List.of(text), null, null);
        } catch (IllegalArgumentException e) {
            assertMessage(e);
        }
    }

    private static void assertMessage(IllegalArgumentException e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) fail("an error without a message", e);
        assertFalse(m.contains("\n"), "one line: " + m);
    }

    /** The statistics of a bundled trace, to evaluate expressions on. */
    private static synchronized AnalysisResult sample() throws IOException {
        if (sample == null) {
            try (TraceSource s = TraceFiles.open(Path.of("traces/sim-s390-hypercall-kernel-4.4.dat"), InputFormat.AUTO)) {
                sample = TraceAnalysis.run(List.of(s), new AnalysisOptions(Long.MIN_VALUE, Long.MAX_VALUE, -1, -1, null));
            }
        }
        return sample;
    }
}
