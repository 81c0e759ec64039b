package io.exitscope.source.perfdata;

import io.exitscope.event.Event;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.text.TextTraceSource;
import io.exitscope.source.text.TextVsBinaryTest;
import io.exitscope.source.text.TextVsBinaryTest.Ts;
import io.exitscope.testutil.Cli;
import io.exitscope.testutil.SharedTraces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The perf.data reader against perf itself: the files perf 6.1 wrote on a KVM host (plain, -z,
 * pipe mode, perf kvm stat record) and the {@code perf script --ns -F comm,tid,cpu,time,event,trace}
 * output stored beside them, event by event: order, time to the ns, CPU, tid, comm, event name,
 * and every field the printed text carries (read back by the perf script text reader).
 */
class PerfDataOracleTest {
    static final String DIR = "x86-pvm-linux-6.18/perf/";

    static final Map<String, Set<String>> FIELDS = Map.of(
            "kvm_pio", Set.of("rw", "port", "size", "count", "val"),
            "kvm_userspace_exit", Set.of("reason", "errno"),
            "kvm_fpu", Set.of("load"),
            "kvm_emulate_insn", Set.of("rip", "csbase", "len", "insn", "failed"));

    static List<Event> ours(Path file) throws IOException {
        return TextVsBinaryTest.events(new PerfDataSource(file));
    }

    static Map<String, Integer> compare(String name, int events, @TempDir Path tmp) throws IOException {
        List<Event> bin = ours(SharedTraces.require(DIR + name + ".perf.data"));
        Path script = SharedTraces.gunzip(DIR + name + ".perf-script.txt.gz", tmp);
        List<Event> txt = TextVsBinaryTest.events(TextTraceSource.open(script, InputFormat.PERF_SCRIPT));
        Map<String, Integer> n = TextVsBinaryTest.assertSame(bin, txt, Ts.NS, false, name, FIELDS);
        assertEquals(events, bin.size(), name + ": events");
        return n;
    }

    @Test
    void plainFileMatchesPerfScript(@TempDir Path tmp) throws IOException {
        Map<String, Integer> n = compare("kvm-all", 8004, tmp);
        assertEquals(2500, n.get("kvm_pio:port"));
        assertEquals(500, n.get("kvm_userspace_exit:reason"));
    }

    @Test
    void zstdFileMatchesPerfScript(@TempDir Path tmp) throws IOException {
        assertEquals(2500, compare("kvm-all-zstd", 8004, tmp).get("kvm_pio:port"));
    }

    @Test
    void pipeFileMatchesPerfScript(@TempDir Path tmp) throws IOException {
        assertEquals(2500, compare("kvm-all-pipe", 8004, tmp).get("kvm_pio:port"));
    }

    @Test
    void kvmStatFileMatchesPerfScript(@TempDir Path tmp) throws IOException {
        assertEquals(2500, compare("kvm-stat", 2500, tmp).get("kvm_pio:val"));
    }

    @Test
    void headerOfRealFiles() throws IOException {
        try (PerfDataReader r = PerfDataReader.open(SharedTraces.require(DIR + "kvm-all.perf.data"))) {
            TraceInfo i = r.info();
            assertEquals("perf.data", i.format());
            assertEquals("perf", i.clock());
            assertEquals(2, i.cpus());
            assertEquals("Linux vm 6.18.44-fc-v1272 x86_64", i.uname());
            assertEquals("perf 6.1.192", i.recordedBy());
            assertTrue(i.options().stream().filter(o -> o.name().equals("CMDLINE")).findFirst().orElseThrow().summary().startsWith("/usr/bin/perf record -q -e kvm:* -a -o kvm-all.perf.data"), i.options().get(0).summary());
            assertTrue(i.eventFormats() > 80, "formats: " + i.eventFormats()); // perf keeps the formats of the recorded events
            assertEquals(null, r.kallsyms()); // perf writes an empty kallsyms
        }
        try (PerfDataReader r = PerfDataReader.open(SharedTraces.require(DIR + "kvm-all-pipe.perf.data"))) {
            assertTrue(r.pipe());
            assertEquals("perf 6.1.192", r.info().recordedBy());
            assertEquals(2, r.info().cpus());
        }
        try (PerfDataReader r = PerfDataReader.open(SharedTraces.require(DIR + "kvm-all-zstd.perf.data"))) {
            assertTrue(r.info().compression().startsWith("zstd"), r.info().compression());
        }
    }

    /**
     * The same exits and histograms from a perf.data and from its perf script text: report's JSON
     * (every group's count and percentiles), triage's and the per-port report agree but for the
     * source line.
     */
    @Test
    void sameExitsAsFromPerfScriptText(@TempDir Path tmp) throws IOException {
        for (String name : List.of("kvm-all", "kvm-all-zstd", "kvm-all-pipe", "kvm-stat")) {
            Path data = SharedTraces.require(DIR + name + ".perf.data");
            Path script = SharedTraces.gunzip(DIR + name + ".perf-script.txt.gz", tmp);
            for (List<String> args : List.of(List.of("report", "--format", "json"), List.of("report", "--by", "subkey", "--format", "csv"),
                    List.of("triage", "--format", "json"))) {
                Cli a = cli(args, data), b = cli(args, script);
                assertEquals(0, a.code, a.toString());
                assertEquals(0, b.code, b.toString());
                assertEquals(withoutSource(b.out, script, data), withoutSource(a.out, data, data), name + " " + args);
            }
            Cli json = cli(List.of("report", "--format", "json"), data);
            assertTrue(json.out.contains("\"exits\" : " + (name.equals("kvm-stat") ? 2500 : 2499) + ","), name + ": " + json.out);
        }
    }

    static Cli cli(List<String> args, Path file) {
        List<String> all = new ArrayList<>(args);
        all.add(file.toString());
        return Cli.run(all.toArray(new String[0]));
    }

    /** The output with the file's name and the source's format description made equal. */
    static String withoutSource(String out, Path file, Path as) {
        return out.replace(file.toString(), as.toString()).replaceAll("\"source\":\\s*\\{[^}]*\\}", "\"source\":{}")
                .replaceAll("\"format\":\\s*\"[^\"]*\"", "\"format\":\"\"");
    }

    /**
     * Files recorded here by the installed perf, plain, -z and pipe mode, each against perf script
     * on the same file. Without a guest no kvm tracepoint fires on this machine; sched_switch
     * does, on every CPU, so the files carry several attributes (sample ids), CPUs and rounds.
     */
    @Test
    void freshRecordingsMatchPerfScript(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(io.exitscope.source.tracedat.TraceDatOracleTest.which("perf"), "perf not installed (apt-get install linux-perf)");
        Map<String, Set<String>> sched = Map.of("sched_switch", Set.of("prev_pid", "prev_prio", "next_pid", "next_prio"));
        for (String mode : List.of("plain", "zstd", "pipe")) {
            Path data = tmp.resolve(mode + ".perf.data");
            List<String> cmd = new ArrayList<>(List.of("perf", "record", "-q", "-e", "kvm:*", "-e", "sched:sched_switch", "-a"));
            if (mode.equals("zstd")) cmd.add("-z");
            cmd.addAll(List.of("-o", mode.equals("pipe") ? "-" : data.toString(), "--", "sleep", "0.1"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
            if (mode.equals("pipe")) pb.redirectOutput(data.toFile());
            else pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            Process rec = pb.start();
            assertTrue(rec.waitFor(60, TimeUnit.SECONDS), "perf record timed out");
            Assumptions.assumeTrue(rec.exitValue() == 0, "perf record failed here (exit " + rec.exitValue() + "; needs root or perf_event_paranoid <= -1)");
            Path script = tmp.resolve(mode + ".txt");
            Process p = new ProcessBuilder("perf", "script", "-i", data.toString(), "--ns", "-F", "comm,tid,cpu,time,event,trace")
                    .redirectOutput(script.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "perf script timed out");
            assertEquals(0, p.exitValue(), "perf script on " + data);
            List<Event> bin = ours(data);
            List<Event> txt = TextVsBinaryTest.events(TextTraceSource.open(script, InputFormat.PERF_SCRIPT));
            Map<String, Integer> n = TextVsBinaryTest.assertSame(bin, txt, Ts.NS, false, mode + " recorded here", sched);
            assertTrue(bin.size() > 10 && n.getOrDefault("sched_switch:next_pid", 0) > 10, mode + ": " + bin.size() + " events, " + n);
            assertTrue(bin.stream().mapToInt(Event::cpu).distinct().count() >= Math.min(2, Runtime.getRuntime().availableProcessors()), mode + ": CPUs");
        }
    }
}
