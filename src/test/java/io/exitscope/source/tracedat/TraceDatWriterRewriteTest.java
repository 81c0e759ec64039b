package io.exitscope.source.tracedat;

import io.exitscope.testutil.SharedTraces;
import io.exitscope.testutil.TraceCmd;
import io.exitscope.testutil.TraceDatLayout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Real recordings re-written by {@link TraceDatWriter}: their metadata, options and pages
 * (taken apart by the independent test-side {@link TraceDatLayout}) go into a new v6 or
 * v7-zstd file, and trace-cmd must report the copy exactly as it reports the original (or, for
 * the zlib original it cannot open, as its stored 3.1.6 report says). Our reader must agree too.
 */
class TraceDatWriterRewriteTest {

    @ParameterizedTest(name = "{0} as v{1} {2}")
    @CsvSource({
            "x86-pvm-linux-6.18/pvm-ioeventfd-ab.dat, 6, none, ",
            "x86-pvm-linux-6.18/pvm-ioeventfd-ab.dat, 7, zstd, ",
            "x86-vmx-linux-6.5/host-kvm-tsc2nsec.dat, 6, none, x86-vmx-linux-6.5/reference/host-kvm-tsc2nsec.report.tc316-raw-fields-fullts.txt.gz",
    })
    void rewrite(String original, int version, String compression, String storedReport, @TempDir Path dir) throws Exception {
        Path in = SharedTraces.require(original);
        Path out = dir.resolve("copy.dat");
        copy(in, out, version, Compression.byName(compression));

        assertEquals(TraceDatWriterRoundTripTest.dump(in), TraceDatWriterRoundTripTest.dump(out), "our reader: copy vs original");
        TraceCmd.assumeAvailable();
        List<String> expected = storedReport != null ? SharedTraces.lines(storedReport)
                : ORIGINAL_REPORTS.computeIfAbsent(in, TraceDatWriterRewriteTest::report);
        TraceDatWriterRoundTripTest.assertSameLines(expected, TraceCmd.reportRaw(out), "trace-cmd on the copy vs the original");
    }

    /** trace-cmd's report of each original, run once for all the copies made of it. */
    private static final Map<Path, List<String>> ORIGINAL_REPORTS = new ConcurrentHashMap<>();

    private static List<String> report(Path file) {
        try {
            return TraceCmd.reportRaw(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Metadata, options and pages of {@code in} written to {@code out} in another version/compression. */
    static void copy(Path in, Path out, int version, Compression compression) throws IOException {
        TraceDatLayout l = TraceDatLayout.parse(Files.readAllBytes(in));
        TraceDatWriter.Builder b = l.writerBuilder(version, compression, true);
        for (TraceDatLayout.Buffer buf : l.buffers) b.buffer(buf.name, buf.clock != null ? buf.clock : l.selectedClock());
        try (TraceDatWriter w = b.open(out)) {
            for (int bi = 0; bi < l.buffers.size(); bi++) {
                for (TraceDatLayout.Cpu c : l.buffers.get(bi).cpus) {
                    for (byte[] page : c.pages) w.addPage(bi, c.cpu, page);
                }
            }
        }
    }
}
