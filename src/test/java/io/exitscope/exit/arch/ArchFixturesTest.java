package io.exitscope.exit.arch;

import io.exitscope.event.EventStream;
import io.exitscope.exit.Arch;
import io.exitscope.exit.ExitAssembler;
import io.exitscope.exit.ExitClass;
import io.exitscope.exit.ExitRecord;
import io.exitscope.exit.Measure;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Text fixtures of every architecture in each kernel era's exact print form
 * ({@code src/test/resources/io/exitscope/arch}). Truth is counted by awk over the text, not by
 * exitscope: exits = exit events, timed = exits whose thread's next exit/entry event is an entry,
 * truncated = threads whose first KVM event is not an exit.
 */
class ArchFixturesTest {

    static Path fixture(String name) {
        try {
            return Path.of(ArchFixturesTest.class.getResource("/io/exitscope/arch/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    record Result(List<ExitRecord> exits, long truncated, long unreadable, long incomplete) {
        Map<String, Integer> byKey() {
            Map<String, Integer> m = new TreeMap<>();
            for (ExitRecord r : exits) m.merge(r.reason() + " | " + r.subkey() + " | " + r.exitClass(), 1, Integer::sum);
            return m;
        }
    }

    static Result analyse(Path p) throws IOException {
        List<ExitRecord> out = new ArrayList<>();
        ExitAssembler asm;
        try (TraceSource src = TraceFiles.open(p, InputFormat.AUTO)) {
            asm = new ExitAssembler(out::add, e -> e.comm(), src.recordsUserspaceExits());
            try (EventStream s = src.events()) {
                while (s.advance()) asm.accept(s.current());
            }
        }
        asm.finish();
        return new Result(out, asm.truncatedAtStart(), asm.unreadableEvents(), asm.incomplete());
    }

    /** exits, timed, truncated by awk: independent of exitscope's parsers. */
    static long[] awk(Path p) throws IOException, InterruptedException {
        String script = """
                / (kvm_exit|kvm_entry|kvm_[a-z0-9_]+): / {
                  if (!match($0, /-[0-9]+ +(\\([ 0-9-]+\\) +)?\\[/)) next
                  pid = substr($0, RSTART + 1); sub(/[^0-9].*/, "", pid)
                  match($0, / kvm_[a-z0-9_]+: /); ev = substr($0, RSTART + 1, RLENGTH - 3)
                  if (!(pid in seen)) { seen[pid] = 1; if (ev != "kvm_exit") trunc++ }
                  if (ev == "kvm_exit") { exits++; open[pid] = 1 }
                  else if (ev == "kvm_entry") { if (open[pid]) timed++; open[pid] = 0 }
                }
                END { print exits + 0, timed + 0, trunc + 0 }
                """;
        Process pr = new ProcessBuilder("awk", script, p.toString()).redirectErrorStream(true).start();
        String o = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, pr.waitFor(), o);
        String[] f = o.split(" ");
        return new long[]{Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
    }

    @ParameterizedTest
    @ValueSource(strings = {"arm64-linux-5.10-6.x.trace.txt", "arm64-linux-4.x.trace.txt", "riscv-linux-6.13.trace.txt",
            "x86-old-names.trace.txt", "x86-starts-mid-exit.trace.txt"})
    void exitsTimedAndTruncatedMatchAwk(String name) throws Exception {
        Path p = fixture(name);
        long[] truth = awk(p);
        Result r = analyse(p);
        assertEquals(truth[0], r.exits().size() + r.incomplete(), name + ": exits = exit events " + r.byKey());
        assertEquals(truth[1], r.exits().stream().filter(x -> x.measure() == Measure.EXIT_TO_ENTRY).count(), name + ": timed = exit->entry pairs");
        assertEquals(truth[2], r.truncated(), name + ": threads that start inside an exit");
        assertEquals(0, r.unreadable(), name + ": every bound event read");
        for (ExitRecord x : r.exits()) {
            assertFalse(x.reason().startsWith("UNKNOWN"), name + ": " + x.reason());
            assertTrue(x.arch() != Arch.UNKNOWN, name + ": " + x);
        }
    }

    /**
     * A paste's tail: lines cut inside their fields are damaged, not exits or subkeys; with no
     * kvm_userspace_exit line, no exit is claimed for the kernel. Truth by awk: whole 6.x kvm_exit
     * lines end in {@code error_code 0x..}, whole kvm_pio lines have {@code count N}.
     */
    @Test
    void cutLinesAreDamagedAndWithoutUserspaceExitTheClassIsUnknown() throws Exception {
        Path p = fixture("x86-cut-lines-no-userspace-exit.trace.txt");
        String awk = "/ kvm_exit: / { if ($0 ~ /error_code 0x[0-9a-f]+$/) whole++; else cut++ } "
                + "/ kvm_pio: / { if ($0 !~ / count [0-9]+/) cut++ } / kvm_userspace_exit: / { us++ } END { print whole + 0, cut + 0, us + 0 }";
        Process pr = new ProcessBuilder("awk", awk, p.toString()).redirectErrorStream(true).start();
        String[] truth = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().split(" ");
        assertEquals(0, pr.waitFor());
        io.exitscope.analysis.AnalysisResult r = io.exitscope.analysis.TraceAnalysis.run(
                java.util.List.of(io.exitscope.source.TraceFiles.open(p, InputFormat.AUTO)), io.exitscope.analysis.AnalysisOptions.ALL);
        assertEquals(Long.parseLong(truth[0]), r.exits() + r.incompleteExits(), "exits = whole kvm_exit lines");
        assertEquals(Long.parseLong(truth[1]), r.damagedLines(), "damaged = cut lines");
        assertEquals("0", truth[2]);
        Result a = analyse(p);
        for (ExitRecord x : a.exits()) assertEquals(io.exitscope.exit.ExitClass.UNKNOWN, x.exitClass(), x.toString());
        assertEquals(Set.of("port 0x500 out", "port 0x3f8 out"), a.exits().stream().map(ExitRecord::subkey)
                .filter(java.util.Objects::nonNull).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void arm64Issue10LinesGiveExitsWithSubkeys() throws Exception {
        Map<String, Integer> keys = analyse(fixture("arm64-linux-5.10-6.x.trace.txt")).byKey();
        assertEquals(Map.of(
                "SYS64 | sysreg (3,3,14,3,1) write | KERNEL", 1,
                "SYS64 | sysreg (3,3,14,3,1) read | KERNEL", 1,
                "HVC64 | hvc imm 0x0 | KERNEL", 1,
                "DABT_LOW | gpa 0x9000000 write | USERSPACE", 1,
                "IRQ | null | KERNEL", 1,
                "WFx | wfi | KERNEL", 1), keys);
    }

    @Test
    void arm64WfxIsBlockingAndNamed() throws Exception {
        Result r = analyse(fixture("arm64-linux-4.x.trace.txt"));
        ExitRecord wfx = r.exits().stream().filter(x -> x.reason().equals("WFx")).findFirst().orElseThrow();
        assertTrue(wfx.blocking());
        assertEquals("wfe", wfx.subkey());
        assertEquals(1_000_000, wfx.latencyNs());
    }

    @Test
    void riscvScauseNames() throws Exception {
        Map<String, Integer> keys = analyse(fixture("riscv-linux-6.13.trace.txt")).byKey();
        assertEquals(Map.of(
                "SUPERVISOR_SYSCALL | null | KERNEL", 1,
                "IRQ_VS_TIMER | null | KERNEL", 1,
                "STORE_GUEST_PAGE_FAULT | gpa 0x10000000 write | USERSPACE", 1), keys);
    }

    /** Issue 18: EXIT_EXCP_GP named as the kernel names 0x4d; 2009 lower-case VMX names map to their reasons, never to code 0. */
    @Test
    void reasonNamesOfEveryEra() throws Exception {
        Result r = analyse(fixture("x86-old-names.trace.txt"));
        Map<String, Long> codeByName = new TreeMap<>();
        for (ExitRecord x : r.exits()) codeByName.put(x.arch() + " " + x.reason(), x.reasonCode());
        assertEquals(Map.of(
                "X86_VMX IO_INSTRUCTION", 30L,
                "X86_VMX APIC_ACCESS", 44L,
                "X86_VMX CPUID", 10L,
                "X86_VMX HLT", 12L,
                "X86_SVM npf", 0x400L,
                "X86_SVM GP excp", 0x4dL,
                "X86_SVM io", 0x7bL,
                "X86_SVM msr", 0x7cL), codeByName);
        assertTrue(r.exits().stream().filter(x -> x.reason().equals("HLT")).allMatch(ExitRecord::blocking));
    }

    /** Issue 10: a vCPU whose first events are userspace_exit/fpu/pio/entry gets no exit of another reason. */
    @Test
    void threadStartingMidExitCountsOnceAsTruncated() throws Exception {
        Result r = analyse(fixture("x86-starts-mid-exit.trace.txt"));
        assertEquals(1, r.truncated());
        assertEquals(Map.of("IO_INSTRUCTION | port 0x71 in | USERSPACE", 1, "HLT | null | KERNEL", 1), r.byKey());
        assertTrue(r.exits().stream().noneMatch(x -> x.exitClass() == ExitClass.USERSPACE && x.measure() != Measure.EXIT_TO_ENTRY));
    }
}
