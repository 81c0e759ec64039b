package io.exitscope.source.text;

import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.event.EventStream;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A paste of real trace lines that ends in a cut line ({@code ... 83184.290416: kvm_exit}, nothing
 * after): the cut lines are counted as damaged, with the first line number, and none of them
 * becomes an event (of kvm or of the function tracer). Truth: grep over the very file read.
 */
class DamagedLinesTest {
    static final Path REAL = Path.of("../shared/traces/external/text/kvm_exit_vapic.report-filtered.txt");

    @Test
    void cutLinesAreCountedNotReadAsAnotherTracer(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isReadable(REAL), "real trace absent: " + REAL);
        List<String> lines = new ArrayList<>(Files.readAllLines(REAL).subList(0, 40));
        lines.add(20, " qemu-system-x86-86475 [019]  8617.360000: kvm_entry:");       // the name's colon, no fields
        lines.add("           <...>-1234 [001] .... 83184.290416: kvm_exit");       // the last line of a paste
        Path paste = dir.resolve("paste.txt");
        Files.write(paste, lines, StandardCharsets.UTF_8);

        long wellFormed = grepCount("-E", ": kvm_[a-z_]+: +[^ ]", paste);
        long cut = grepCount("-E", ": kvm_[a-z_]+:? *$", paste);
        long firstCut = Long.parseLong(grep(List.of("-n", "-m1", "-E", ": kvm_[a-z_]+:? *$"), paste).split(":")[0]);

        long events = 0, other = 0;
        try (TraceSource src = TraceFiles.open(paste, InputFormat.AUTO); EventStream s = src.events()) {
            while (s.advance()) {
                events++;
                if (!s.current().name().startsWith("kvm_")) other++;
            }
            assertEquals(cut, s.damagedLines());
            assertEquals(firstCut, s.firstDamagedLine());
        }
        assertEquals(wellFormed, events);
        assertEquals(0, other, "a cut line was read as an event of another tracer");
        assertEquals(2, cut);

        AnalysisResult r = TraceAnalysis.run(List.of(TraceFiles.open(paste, InputFormat.AUTO)), AnalysisOptions.ALL);
        assertEquals(cut, r.damagedLines());
        assertEquals(firstCut, r.firstDamagedLine());
    }

    private static long grepCount(String opt, String re, Path p) throws IOException, InterruptedException {
        return Long.parseLong(grep(List.of("-c", opt, re), p));
    }

    private static String grep(List<String> args, Path p) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("grep"));
        cmd.addAll(args);
        cmd.add(p.toString());
        Process pr = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String o = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        pr.waitFor();
        return o;
    }
}
