package io.exitscope.cli;

import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.TraceSource;
import io.exitscope.source.tracedat.Kallsyms;
import io.exitscope.source.perfdata.PerfDataSource;
import io.exitscope.source.tracedat.TraceDatSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.exitscope.source.live.HostFacts;
import io.exitscope.source.live.Tracefs;
import io.exitscope.source.live.TracefsInstance;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Prints a trace file's metadata. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Print a trace file's metadata: version, compression, byte order, clock, CPUs, buffers, uname, options.",
                "Without FILE: facts about this host (tracefs, KVM events, KVM module or built in, halt polling, clocks, CPU, VMs)."})
final class InfoCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "FILE", description = TraceInputs.FILES)
    List<Path> files;

    @picocli.CommandLine.Mixin
    InputFormatOption inputFormat;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        if (files == null || files.isEmpty()) {
            printHost(w);
            return 0;
        }
        for (Path f : files) {
            io.exitscope.source.tracedat.TraceDatWriter.Partial partial = io.exitscope.source.tracedat.TraceDatWriter.inspect(f);
            if (partial != null) {
                // a killed recording: say what can be had back, and how
                String how = partial.complete() ? "; recover it with: exitscope recover " + f : "";
                if (!java.nio.file.Files.exists(f)) throw new Main.ExitCodeException(Main.EXIT_ERROR, f + ": not written; " + partial.describe() + how);
                spec.commandLine().getErr().println("exitscope: " + partial.describe() + how + " (that replaces " + f + ")");
            }
            try (TraceSource src = TraceFiles.open(f, inputFormat.value)) {
                print(src, w);
            }
        }
        return 0;
    }

    /**
     * Host facts, read only (nothing is mounted or written): tracefs, KVM events, KVM module or built
     * in, /dev/kvm, halt polling, trace clocks, sub-buffer size, CPU, running VMs. Facts that cannot
     * be read (no root, no tracefs) say so instead of failing.
     */
    static void printHost(PrintWriter w) {
        List<String> unreadable = new ArrayList<>();
        String release = HostFacts.read(Path.of("/proc/sys/kernel/osrelease"));
        String hostname = HostFacts.read(Path.of("/proc/sys/kernel/hostname"));
        w.printf("host:          %s%s%n", hostname.isEmpty() ? "?" : hostname, release.isEmpty() ? "" : ", Linux " + release);
        Path tfs = HostFacts.tracefsForFacts();
        boolean tracefsReadable = false;
        if (tfs == null) {
            w.printf("tracefs:       not mounted (%s %s; exitscope live mounts it when run as root)%n", Tracefs.PRIMARY,
                    Files.isDirectory(Tracefs.PRIMARY) ? "exists" : "does not exist: kernel without tracing?");
        } else {
            tracefsReadable = Files.isReadable(tfs.resolve("trace_clock"));
            boolean writable = Files.isWritable(tfs.resolve("instances"));
            w.printf("tracefs:       %s (mounted%s)%n", tfs, tracefsReadable ? (writable ? "" : "; instances/ not writable: live needs root")
                    : "; not readable by this user: live needs root");
            if (!tracefsReadable) unreadable.add("tracefs (" + tfs + ")");
        }
        // KVM events
        if (tfs != null && tracefsReadable) {
            try {
                List<String> events = HostFacts.kvmEvents(tfs);
                List<String> used = new ArrayList<>(), missing = new ArrayList<>();
                for (String e : TracefsInstance.KVM_EVENTS) {
                    String name = e.substring(e.indexOf('/') + 1);
                    if (events.contains(e)) used.add(name);
                    else if (!name.startsWith("kvm_s390") || events.stream().anyMatch(x -> x.contains("s390"))) missing.add(name);
                }
                w.printf("kvm events:    %d available%s%n", events.size(), events.isEmpty() ? " (KVM not loaded?)" : "");
                w.printf("  used here:   %s%n", used.isEmpty() ? "none" : String.join(" ", used));
                if (!missing.isEmpty()) w.printf("  not here:    %s%n", String.join(" ", missing));
            } catch (IOException e) {
                w.printf("kvm events:    unknown (%s)%n", Main.describe(e));
                unreadable.add("kvm events");
            }
        } else {
            w.printf("kvm events:    unknown (%s)%n", tfs == null ? "tracefs not mounted" : "tracefs not readable");
        }
        HostFacts.KvmModule km = HostFacts.kvmModule();
        w.printf("kvm:           %s (%s)%n", km.module() == null ? "not loaded" : km.module() ? "loadable module" : "built in", km.evidence());
        HostFacts.Fact dev = HostFacts.devKvm();
        w.printf("/dev/kvm:      %s%n", dev.known() ? dev.value() : dev.problem());
        Map<String, String> hp = HostFacts.haltPolling();
        if (hp.isEmpty()) {
            w.printf("halt polling:  no parameters (/sys/module/kvm/parameters/halt_poll_ns* absent)%n");
        } else {
            StringBuilder sb = new StringBuilder();
            hp.forEach((k, v) -> sb.append(sb.length() > 0 ? "  " : "").append(k).append('=').append(v));
            w.printf("halt polling:  %s%n", sb);
        }
        if (tfs != null) {
            HostFacts.Fact clocks = HostFacts.readFact(tfs.resolve("trace_clock"));
            if (clocks.known()) {
                String current = "?";
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[(\\S+)]").matcher(clocks.value());
                if (m.find()) current = m.group(1);
                w.printf("trace clocks:  %s (top level uses %s; exitscope's instance uses %s)%n", clocks.value().replace("[", "").replace("]", ""),
                        current, HostFacts.orderedClock(clocks.value()));
            } else {
                w.printf("trace clocks:  %s%n", clocks.text());
            }
            Path sub = tfs.resolve("buffer_subbuf_size_kb");
            if (Files.exists(sub) || !tracefsReadable) {
                HostFacts.Fact f = HostFacts.readFact(sub);
                w.printf("subbuf size:   %s%n", f.known() ? f.value() + " KiB (buffer_subbuf_size_kb)" : f.text());
            } else {
                w.printf("subbuf size:   page size (no buffer_subbuf_size_kb: kernel before 6.8)%n");
            }
        } else {
            w.printf("trace clocks:  unknown (tracefs not mounted)%n");
        }
        w.printf("cpu:           %s%n", HostFacts.cpuModel().text());
        HostFacts.Fact online = HostFacts.readFact(Path.of("/sys/devices/system/cpu/online"));
        w.printf("cpus online:   %s%s%n", online.text(), online.known() ? " (" + countCpus(online.value()) + ")" : "");
        List<HostFacts.Vmm> vms = HostFacts.vmms();
        boolean root = HostFacts.runningAsRoot();
        w.printf("vms:           %d running%s%n", vms.size(), root ? " (processes with /dev/kvm open)"
                : " visible to this user (other users' open files need root)");
        for (HostFacts.Vmm v : vms) {
            w.printf("  pid %-7d %-16s %-20s %d threads%n", v.pid(), v.comm(),
                    v.guestName() == null ? "(no -name)" : "guest \"" + v.guestName() + "\"", HostFacts.threads(v.pid()).size());
        }
        if (!root) {
            w.printf("note:          not root: %s%n", unreadable.isEmpty() ? "some facts may be incomplete" : "could not read " + String.join(", ", unreadable));
        }
        w.flush();
    }

    /** CPUs in a list such as {@code 0-3,8,10-11}. */
    static int countCpus(String list) {
        int n = 0;
        for (String part : list.strip().split(",")) {
            if (part.isEmpty()) continue;
            try {
                int dash = part.indexOf('-');
                if (dash < 0) n++;
                else n += Integer.parseInt(part.substring(dash + 1)) - Integer.parseInt(part.substring(0, dash)) + 1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return n;
    }

    static void print(TraceSource src, PrintWriter w) throws Exception {
        // the readers parse a format when an event first needs it; info vouches for all of them
        if (src instanceof TraceDatSource ds) ds.reader().formats().all();
        if (src instanceof PerfDataSource ps) ps.reader().formats().all();
        TraceInfo i = src.info();
        TraceInfo.Details d = i.details();
        TraceInfo.TraceDat dat = d instanceof TraceInfo.TraceDat t ? t : null;
        w.printf("file:          %s%n", i.path());
        w.printf("format:        %s%s%n", i.format(), i.fileVersion() > 0 ? " v" + i.fileVersion() : "");
        if (i.synthetic()) w.printf("data:          SIMULATED (synthetic events from the exitscope simulator)%n");
        if (d instanceof TraceInfo.TraceDat || d instanceof TraceInfo.PerfData) {
            TraceInfo.Layout l = d.layout();
            w.printf("compression:   %s%n", i.compression());
            w.printf("byte order:    %s%n", i.bigEndian() ? "big endian" : "little endian");
            w.printf("long size:     %d (user space), %d (kernel)%n", l.userLongSize(), l.kernelLongSize());
            w.printf("page size:     %d%n", l.pageSize());
        }
        w.printf("clock:         %s%s%n", i.clock() == null ? "unknown" : i.clock(),
                i.tsc2nsec() != null ? " (converted to ns by TSC2NSEC)" : i.nanosecondClock() ? " (ns)" : " (raw counter ticks)");
        if (dat != null && !dat.clocksAvailable().isEmpty()) w.printf("clocks:        %s%n", String.join(" ", dat.clocksAvailable()));
        w.printf("cpus:          %d%s%n", i.cpus(), i.systemCpus() > 0 && i.systemCpus() != i.cpus() ? " (system: " + i.systemCpus() + ")" : "");
        if (i.uname() != null) w.printf("uname:         %s%n", i.uname());
        if (i.recordedBy() != null) w.printf("recorded by:   %s%n", i.recordedBy());
        if (dat != null && dat.offsetNs() != 0) w.printf("time offset:   %d ns%n", dat.offsetNs());
        if (dat != null && dat.timeShifted()) w.printf("time shift:    guest timestamps mapped to host time (TIME_SHIFT)%n");
        for (TraceInfo.Guest g : i.guests()) w.printf("guest:         %s vcpu->host pid %s%n", g.name(), g.vcpuToHostPid());
        w.printf("event formats: %d%n", i.eventFormats());
        w.printf("cmdlines:      %d%n", i.cmdlines().size());
        if (dat != null) {
            for (TraceInfo.Buffer b : dat.buffers()) {
                w.printf("buffer:        %s clock %s, page %d, %d CPUs with data, %d bytes%n",
                        b.name().isEmpty() ? "(top)" : "\"" + b.name() + "\"", b.clock(), b.pageSize(), b.cpus().size(), b.bytes());
            }
        }
        if (src instanceof TraceDatSource ds) {
            Kallsyms k = ds.reader().kallsyms();
            if (k != null) {
                Boolean mod = k.kvmIsModule();
                w.printf("kallsyms:      %d symbols; KVM %s%n", k.symbols(),
                        mod == null ? "symbols not found" : mod ? "is a module " + k.kvmModules().keySet() : "is built in");
            }
        }
        w.printf("options:       %d%n", i.options().size());
        for (TraceInfo.Option o : i.options()) {
            w.printf("  %-15s %6d bytes  %s%n", o.name(), o.size(), o.summary().replace('\n', ' '));
        }
    }
}
