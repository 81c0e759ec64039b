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

    /**
     * Lines cut in the middle of their fields, made by cutting real lines (the VMX report text and
     * the PVM ftrace text) where a paste would end: before {@code rip}, inside {@code size}, between
     * the two {@code info} values. Truth: awk over the file read, from the print fmts' order
     * ({@code reason .. rip}, {@code pio_%s at .. size .. count}, {@code info A B}).
     */
    @Test
    void linesCutInTheMiddleOfTheirFieldsAreDamaged(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isReadable(REAL), "real trace absent: " + REAL);
        Path pvm = Path.of("../shared/traces/external/x86-pvm-linux-6.18/pvm-ioeventfd-ab.trace.txt.gz");
        assumeTrue(Files.isReadable(pvm), "real trace absent: " + pvm);
        List<String> vmx = Files.readAllLines(REAL).subList(0, 30);
        String exit = vmx.get(3);
        List<String> lines = new ArrayList<>(vmx);
        lines.add(5, exit.substring(0, exit.indexOf(" rip ")));                        // "... kvm_exit: reason MSR_WRITE"
        lines.add(9, exit.substring(0, exit.lastIndexOf(' ')));                         // "... info 0": one of the two values
        lines.add(12, exit.substring(0, exit.indexOf(" rip ") + 4));                    // "... rip": the keyword, no value
        Path vmxPaste = dir.resolve("vmx-paste.txt");
        Files.write(vmxPaste, lines, StandardCharsets.UTF_8);
        check(vmxPaste, "/ kvm_exit: / && (!/ rip 0x/ || !/ info [0-9a-f]+ [0-9a-f]+ *$/)", 3);

        List<String> text = new ArrayList<>();
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(
                new java.util.zip.GZIPInputStream(Files.newInputStream(pvm)), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null && text.size() < 200; ) text.add(l);
        }
        String pio = text.stream().filter(l -> l.contains(" kvm_pio: ")).findFirst().orElseThrow();
        text.add(50, pio.substring(0, pio.indexOf(" size ") + 3));                      // "... pio_write at 0x500 si"
        text.add(text.size(), pio.substring(0, pio.indexOf(" count ")));                 // the last line of a paste
        Path pvmPaste = dir.resolve("pvm-paste.txt");
        Files.write(pvmPaste, text, StandardCharsets.UTF_8);
        check(pvmPaste, "/ kvm_pio: / && !/ count [0-9]/", 2);
    }

    /** {@code cutAwk} selects the cut lines; they are damaged, every other kvm line is an event, the analysis counts them. */
    private static void check(Path paste, String cutAwk, long expectedCut) throws Exception {
        long cut = Long.parseLong(awk(cutAwk + " { n++ } END { print n + 0 }", paste));
        long firstCut = Long.parseLong(awk(cutAwk + " { print NR; exit }", paste));
        long kvmLines = Long.parseLong(awk("/: kvm_[a-z_]+: / { n++ } END { print n + 0 }", paste));
        assertEquals(expectedCut, cut);
        long events = 0;
        try (TraceSource src = TraceFiles.open(paste, InputFormat.AUTO); EventStream s = src.events()) {
            while (s.advance()) events++;
            assertEquals(cut, s.damagedLines());
            assertEquals(firstCut, s.firstDamagedLine());
        }
        assertEquals(kvmLines - cut, events, "every line not cut is an event");
        AnalysisResult r = TraceAnalysis.run(List.of(TraceFiles.open(paste, InputFormat.AUTO)), AnalysisOptions.ALL);
        assertEquals(cut, r.damagedLines());
    }

    private static String awk(String program, Path p) throws IOException, InterruptedException {
        Process pr = new ProcessBuilder("awk", program, p.toString()).redirectErrorStream(true).start();
        String o = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        pr.waitFor();
        return o;
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
