package io.exitscope.exit.arch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exitscope.testutil.Cli;
import io.exitscope.testutil.SharedTraces;
import io.exitscope.testutil.TraceCmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The class of an exit only from evidence: where the trace has no kvm_userspace_exit, exits are
 * {@code unknown}, never {@code kernel}. The event set is read from tools other than exitscope:
 * {@code perf evlist} and {@code perf script} for perf.data, {@code trace-cmd dump --events} for
 * trace.dat, grep counts for text.
 */
class UnknownClassTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Exits per class in report's JSON (grouped by reason,class). */
    static Map<String, Long> classes(JsonNode report) {
        Map<String, Long> m = new TreeMap<>();
        for (JsonNode g : report.get("groups")) m.merge(g.get("class").asText(), g.get("count").asLong(), Long::sum);
        return m;
    }

    static JsonNode report(Path f) throws IOException {
        Cli c = Cli.run("report", "--format", "json", f.toString());
        assertEquals(0, c.code, c.toString());
        return JSON.readTree(c.out);
    }

    static List<String> perf(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("perf"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            assumeTrue(false, "perf is not installed (Debian: linux-perf)");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) out.add(l);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assumeTrue(p.exitValue() == 0, "perf " + String.join(" ", args) + " failed");
        return out;
    }

    @Test
    void perfKvmStatRecordHasNoUserspaceExitSoEveryExitIsUnknown() throws Exception {
        Path f = SharedTraces.require("x86-pvm-linux-6.18/perf/kvm-stat.perf.data");
        List<String> evlist = perf("evlist", "-i", f.toString());
        assertTrue(evlist.contains("kvm:kvm_pio"), String.join("\n", evlist));
        assertFalse(evlist.contains("kvm:kvm_userspace_exit"), "perf kvm stat record's event set: " + evlist);
        long pio = perf("script", "-i", f.toString()).stream().filter(l -> l.contains(" kvm:kvm_pio:")).count();
        JsonNode r = report(f);
        assertEquals(Map.of("unknown", pio), classes(r), "every exit (one per kvm_pio: no exit/entry events fired) is unknown");
        assertEquals(pio, r.get("class_unknown_exits").asLong());
        assertEquals("kvm:kvm_userspace_exit", r.get("class_unknown_add_event").asText());
        for (JsonNode n : r.get("evidence").get("notifications")) {
            assertEquals("unknown", n.get("verdict").asText(), "no ioeventfd verdict without the event: " + n);
            assertFalse(n.get("ioeventfd").asBoolean());
        }
        String table = Cli.run("report", f.toString()).out;
        assertTrue(table.contains("class      unknown for " + pio + " exits: trace has no kvm_userspace_exit"), table);
        assertFalse(table.contains("stays in the kernel"), table);
        assertFalse(table.contains(" kernel "), table);
        String triage = Cli.run("triage", f.toString()).out;
        assertTrue(triage.contains("class-unknown"), triage);
        assertFalse(triage.contains("kernel exits"), triage);
    }

    @Test
    void perfRecordOfAllKvmEventsKeepsItsClasses() throws Exception {
        Path f = SharedTraces.require("x86-pvm-linux-6.18/perf/kvm-all.perf.data");
        assertTrue(perf("evlist", "-i", f.toString()).contains("kvm:kvm_userspace_exit"));
        JsonNode r = report(f);
        assertNull(r.get("class_unknown_exits"));
        assertFalse(classes(r).containsKey("unknown"), classes(r).toString());
        assertTrue(classes(r).containsKey("kernel"), classes(r).toString());
    }

    /** The PVM recording as ftrace text, with and without its kvm_userspace_exit lines (grep counts decide which). */
    @Test
    void textDecidesOnTheWholeTrace(@TempDir Path dir) throws Exception {
        Path gz = SharedTraces.require("x86-pvm-linux-6.18/pvm-ioeventfd-ab.trace.txt.gz");
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(gz)), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) lines.add(l);
        }
        long userspaceLines = lines.stream().filter(l -> l.contains(" kvm_userspace_exit: ")).count();
        long pioLines = lines.stream().filter(l -> l.contains(" kvm_pio: ")).count();
        assertTrue(userspaceLines > 0 && pioLines > 0);

        Path with = dir.resolve("with.txt");
        Files.write(with, lines);
        Map<String, Long> known = classes(report(with));
        assertFalse(known.containsKey("unknown"), known.toString());

        Path without = dir.resolve("without.txt");
        Files.write(without, lines.stream().filter(l -> !l.contains(" kvm_userspace_exit: ")).toList());
        JsonNode r = report(without);
        assertEquals(Map.of("unknown", pioLines), classes(r), "one exit per kvm_pio line, none of them kernel");
        assertEquals(pioLines, r.get("class_unknown_exits").asLong());

        // only the last kvm_userspace_exit line kept: the trace records the event, so the exits before it are kernel ones
        int last = -1;
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(" kvm_userspace_exit: ")) last = i;
        List<String> late = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) if (i == last || !lines.get(i).contains(" kvm_userspace_exit: ")) late.add(lines.get(i));
        Path lateFile = dir.resolve("late.txt");
        Files.write(lateFile, late);
        Map<String, Long> lateClasses = classes(report(lateFile));
        assertFalse(lateClasses.containsKey("unknown"), lateClasses.toString());
        // every exit before that line is a kernel one (the one it belongs to may end the trace unfinished)
        assertTrue(lateClasses.get("kernel") >= pioLines - 1, lateClasses.toString());
    }

    /** riscv exits (Linux 6.13+ formats) written by our trace.dat writer: exit, MMIO, entry, twice, and an ecall. */
    static List<ArchTraceDatTest.Ev> riscvExits() {
        int v0 = 1200;
        long t = 100_000_100_000L;
        return List.of(
                ArchTraceDatTest.ev(0, t, v0, "kvm_exit", "sepc", 0xffffffff80001234L, "scause", 0xaL, "stval", 0L, "htval", 0L, "htinst", 0L),
                ArchTraceDatTest.ev(0, t + 4000, v0, "kvm_entry", "pc", 0xffffffff80001238L),
                ArchTraceDatTest.ev(0, t + 200_000, v0, "kvm_exit", "sepc", 0xffffffff80003000L, "scause", 0x17L, "stval", 0x10000000L,
                        "htval", 0x4000000L, "htinst", 0L),
                ArchTraceDatTest.ev(0, t + 201_000, v0, "kvm_mmio", "type", 2, "len", 1, "gpa", 0x10000000L, "val", 0x41L),
                ArchTraceDatTest.ev(0, t + 230_000, v0, "kvm_entry", "pc", 0xffffffff80003004L));
    }

    static List<String> formatNames(Path dat) throws IOException {
        TraceCmd.Result r = TraceCmd.run("dump", "--events", dat.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        return r.stdout().stream().filter(l -> l.strip().startsWith("name:")).map(l -> l.strip().substring(5).strip()).toList();
    }

    @Test
    void traceDatWithoutTheFormatIsUnknown(@TempDir Path dir) throws Exception {
        List<String> formats = List.of(ArchTraceDatTest.RISCV.get(0), ArchTraceDatTest.RISCV.get(1), ArchTraceDatTest.MMIO);
        Path dat = ArchTraceDatTest.write(dir.resolve("no-userspace-exit.dat"), formats, riscvExits(), Map.of(1200, "qemu"));
        List<String> names = formatNames(dat);
        assertTrue(names.contains("kvm_exit") && !names.contains("kvm_userspace_exit"), names.toString());
        long exits = TraceCmd.reportRaw(dat).stream().filter(l -> l.contains(" kvm_exit: ")).count();
        JsonNode r = report(dat);
        assertEquals(Map.of("unknown", exits), classes(r));
    }

    @Test
    void traceDatDeclaringTheEventCountsWhereItsWriterEnablesWhatItDeclares(@TempDir Path dir) throws Exception {
        List<String> formats = ArchTraceDatTest.RISCV; // with kvm_userspace_exit's format, but no such event
        Path ours = ArchTraceDatTest.write(dir.resolve("exitscope.dat"), formats, riscvExits(), Map.of(1200, "qemu"));
        Path traceCmd = ArchTraceDatTest.write(dir.resolve("trace-cmd.dat"), formats, riscvExits(), Map.of(1200, "qemu"), "3.1.6");
        for (Path p : List.of(ours, traceCmd)) {
            assertTrue(formatNames(p).contains("kvm_userspace_exit"));
            assertTrue(TraceCmd.reportRaw(p).stream().noneMatch(l -> l.contains("kvm_userspace_exit")));
        }
        long exits = TraceCmd.reportRaw(ours).stream().filter(l -> l.contains(" kvm_exit: ")).count();
        // exitscope's record enables kvm_userspace_exit wherever it writes its format: none fired, so all stayed in the kernel
        assertEquals(Map.of("kernel", exits), classes(report(ours)));
        // trace-cmd saves every format when recording without an event list: the format alone proves nothing
        assertEquals(Map.of("unknown", exits), classes(report(traceCmd)));
    }
}
