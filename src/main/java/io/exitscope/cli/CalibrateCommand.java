package io.exitscope.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.exitscope.calibrate.Calibration;
import io.exitscope.calibrate.Kind;
import io.exitscope.calibrate.KindResult;
import io.exitscope.util.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Drives real VM exits with the KVM exerciser, traces them live and compares with its own counts. */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        header = "Measure each exit kind on this host with a tiny KVM guest.",
        description = {"Runs a tiny KVM guest (kvm-exerciser) for each exit kind, traces it live in",
                "a private tracefs instance, and prints per kind: exits/s, class, latency or",
                "userspace round trip, the trace's event counts against the exerciser's own,",
                "lost events, and the ioeventfd A/B shift for port 0x500.",
                "Kinds: pio, mixed, pio-ioeventfd, mmio, hlt.",
                "Needs root, tracefs, a usable /dev/kvm and the exerciser (mvn package)."})
final class CalibrateCommand implements Callable<Integer> {
    enum Format { table, json }

    @Option(names = "--kinds", paramLabel = "LIST", split = ",",
            description = "Exit kinds to drive, in order (default: pio,mixed,pio-ioeventfd,mmio,hlt).")
    List<String> kinds;

    @Option(names = "--seconds", paramLabel = "S", description = "Exerciser run time per kind (default 2).")
    double seconds = 2;

    @Option(names = "--iterations", paramLabel = "N", description = "Guest loop passes per kind instead of --seconds.")
    long iterations;

    @Option(names = "--cpu", paramLabel = "C", description = "CPU to pin the exerciser's vCPU to (default 0; -1: not pinned).")
    int cpu = 0;

    @Option(names = "--buffer-kb", paramLabel = "KB", description = "Ring buffer per CPU in KiB (default 32768).")
    int bufferKb = 32768;

    @Option(names = {"-f", "--format"}, paramLabel = "FMT", description = "table (default) or json (one object per kind, one per line)")
    Format format = Format.table;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Kind> ks = new ArrayList<>();
        try {
            if (kinds == null || kinds.isEmpty()) ks.addAll(List.of(Kind.values()));
            else for (String k : kinds) ks.add(Kind.parse(k));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        if (iterations < 0) throw new Main.UsageException("--iterations must be positive");
        if (iterations == 0 && !(seconds > 0 && seconds <= 3600)) throw new Main.UsageException("--seconds must be between 0 and 3600");
        if (bufferKb < 4) throw new Main.UsageException("--buffer-kb must be at least 4");
        int ncpu = Runtime.getRuntime().availableProcessors();
        if (cpu >= ncpu) throw new Main.UsageException("--cpu " + cpu + ": this host has CPUs 0.." + (ncpu - 1));
        Calibration cal;
        try {
            cal = Calibration.prepare(new Calibration.Options(ks, seconds, iterations, cpu, bufferKb, 50_000_000L), err);
        } catch (Calibration.RefusedException e) {
            throw new Main.ExitCodeException(Main.EXIT_ERROR, e.getMessage());
        }
        if (format == Format.table) {
            out.printf("calibrate: %s, %s per kind, exerciser %s%s%n", cal.exerciser(),
                    iterations > 0 ? iterations + " iterations" : Durations.format((long) (seconds * 1e9)),
                    cpu >= 0 ? "pinned to CPU " + cpu : "not pinned", "");
            out.printf("%-14s %-19s %-10s %11s %11s  %-21s %9s %9s %9s %10s %8s%n",
                    "KIND", "TARGET", "CLASS", "EXITS/S", "TRACED/S", "MEASURE", "P50", "P99", "MAX", "COUNTS", "LOST");
            out.flush();
        }
        List<KindResult> results;
        try {
            results = cal.run(r -> {
                if (format == Format.json) return; // printed below, with the A/B attached
                printRow(r, out);
            });
        } catch (Calibration.RefusedException e) {
            throw new Main.ExitCodeException(Main.EXIT_ERROR, e.getMessage());
        }
        if (format == Format.json) {
            JsonFactory jf = new JsonFactory();
            for (KindResult r : results) {
                StringWriter sw = new StringWriter();
                try (JsonGenerator g = jf.createGenerator(sw)) {
                    r.writeJson(g);
                }
                out.println(sw);
            }
        } else {
            printDetails(results, out);
        }
        out.flush();
        return 0;
    }

    private static void printRow(KindResult r, PrintWriter out) {
        out.printf("%-14s %-19s %-10s %11s %11s  %-21s %9s %9s %9s %10s %8d%n",
                r.kind().label, r.kind().targetText(), r.classLabel(), rate(r.exitsPerS()), rate(r.tracedExitsPerS()),
                r.measure() == null ? "-" : r.measure(),
                r.measured() > 0 ? Durations.format(r.p50Ns()) : "-", r.measured() > 0 ? Durations.format(r.p99Ns()) : "-",
                r.measured() > 0 ? Durations.format(r.maxNs()) : "-",
                r.countsMatch() ? "match" : r.lostEvents() > 0 ? "partial" : "DIFFER", r.lostEvents());
        out.flush();
    }

    private static void printDetails(List<KindResult> results, PrintWriter out) {
        out.println();
        out.println("EXITS/S: target exits per second by the exerciser's own count and elapsed time; TRACED/S: the same seen in the trace.");
        out.println("MEASURE: what P50/P99/MAX time (no kvm_exit/kvm_entry here means the userspace round trip; kernel-handled exits are then only counted).");
        for (KindResult r : results) {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<String, long[]> e : r.events().entrySet()) {
                sb.append(sb.length() > 0 ? ", " : "").append(e.getKey()).append(' ').append(e.getValue()[0]);
                if (e.getValue()[1] >= 0) sb.append(e.getValue()[0] == e.getValue()[1] ? " (=)" : " (expected " + e.getValue()[1] + ")");
            }
            out.printf("  %-14s %s exits %d of %d expected (%s); events: %s%s%n", r.kind().label, r.kind().targetText(), r.exits(),
                    r.expectedExits(), r.classLabel().equals(r.kind().expectedClass.label) ? r.classLabel() + " as expected"
                            : r.classLabel() + ", expected " + r.kind().expectedClass.label, sb,
                    r.lostEvents() > 0 ? "; " + r.lostEvents() + " events lost: counts are lower bounds (try a larger --buffer-kb)" : "");
        }
        for (KindResult r : results) {
            KindResult.AB ab = r.ab();
            if (ab == null) continue;
            out.println();
            out.printf("ioeventfd A/B for port 0x%x (same guest program, %s vs %s):%n", ab.port(), Kind.MIXED.label, Kind.PIO_IOEVENTFD.label);
            out.printf("  without ioeventfd: %s notifications/s, %s reach userspace%s, est. %s per notification%n",
                    rate(ab.notificationsPerSWithout()), pct(ab.userspaceShareWithout()),
                    ab.roundTripP50Without() > 0 ? " (round trip p50 " + Durations.format(ab.roundTripP50Without()) + ")" : "",
                    Durations.format(Math.round(ab.costWithoutNs())));
            out.printf("  with ioeventfd:    %s notifications/s, %s reach userspace, est. %s per notification%n",
                    rate(ab.notificationsPerSWith()), pct(ab.userspaceShareWith()),
                    Double.isNaN(ab.costWithNs()) ? "? (runs too noisy to separate)" : Durations.format(Math.round(ab.costWithNs())));
            if (ab.notificationsPerSWithout() > 0) {
                out.printf("  shift: %.2fx the notification rate%n", ab.notificationsPerSWith() / ab.notificationsPerSWithout());
            }
            out.println("  (costs estimated from the exerciser's time per guest loop pass, with tracing on; they include instruction emulation)");
        }
    }

    private static String pct(double share) {
        return Double.isNaN(share) ? "?" : Math.round(share * 1000) / 10.0 + "%";
    }

    private static String rate(double v) {
        if (v >= 1e6) return String.format("%.2fM", v / 1e6);
        if (v >= 1e3) return String.format("%.1fk", v / 1e3);
        return String.format("%.0f", v);
    }
}
