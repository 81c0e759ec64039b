package io.exitscope.cli;

import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.TraceSource;
import io.exitscope.source.tracedat.Kallsyms;
import io.exitscope.source.tracedat.TraceDatSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** Prints a trace file's metadata. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Print a trace file's metadata: version, compression, byte order, clock, CPUs, buffers, uname, options.",
                "Without FILE: facts about this host (tracefs, KVM events, KVM module or built in)."})
final class InfoCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "FILE", description = "trace files")
    List<Path> files;

    @Option(names = "--input-format", paramLabel = "FMT", converter = InputFormatConverter.class,
            description = "auto (default), trace.dat, ftrace, trace-cmd-report, perf-script")
    InputFormat inputFormat = InputFormat.AUTO;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        if (files == null || files.isEmpty()) {
            throw new Main.ExitCodeException(Main.EXIT_ERROR, "host facts (info without a FILE) need the live tracing support, which is not built yet");
        }
        for (Path f : files) {
            try (TraceSource src = TraceFiles.open(f, inputFormat)) {
                print(src, w);
            }
        }
        return 0;
    }

    static void print(TraceSource src, PrintWriter w) throws Exception {
        TraceInfo i = src.info();
        w.printf("file:          %s%n", i.path());
        w.printf("format:        %s%s%n", i.format(), i.fileVersion() > 0 ? " v" + i.fileVersion() : "");
        if (i.synthetic()) w.printf("data:          SIMULATED (synthetic events from the exitscope simulator)%n");
        if (i.fileVersion() > 0) {
            w.printf("compression:   %s%n", i.compression());
            w.printf("byte order:    %s%n", i.bigEndian() ? "big endian" : "little endian");
            w.printf("long size:     %d (user space), %d (kernel)%n", i.userLongSize(), i.kernelLongSize());
            w.printf("page size:     %d%n", i.pageSize());
        }
        w.printf("clock:         %s%s%n", i.clock() == null ? "unknown" : i.clock(),
                i.tsc2nsec() != null ? " (converted to ns by TSC2NSEC)" : i.nanosecondClock() ? " (ns)" : " (raw counter ticks)");
        if (!i.clocksAvailable().isEmpty()) w.printf("clocks:        %s%n", String.join(" ", i.clocksAvailable()));
        w.printf("cpus:          %d%s%n", i.cpus(), i.cpuCount() > 0 && i.cpuCount() != i.cpus() ? " (system: " + i.cpuCount() + ")" : "");
        if (i.uname() != null) w.printf("uname:         %s%n", i.uname());
        if (i.tracerVersion() != null) w.printf("recorded by:   trace-cmd %s%n", i.tracerVersion());
        if (i.offsetNs() != 0) w.printf("time offset:   %d ns%n", i.offsetNs());
        if (i.timeShifted()) w.printf("time shift:    guest timestamps mapped to host time (TIME_SHIFT)%n");
        for (TraceInfo.Guest g : i.guests()) w.printf("guest:         %s vcpu->host pid %s%n", g.name(), g.vcpuToHostPid());
        w.printf("event formats: %d%n", i.eventFormats());
        w.printf("cmdlines:      %d%n", i.cmdlines().size());
        for (TraceInfo.Buffer b : i.buffers()) {
            w.printf("buffer:        %s clock %s, page %d, %d CPUs with data, %d bytes%n",
                    b.name().isEmpty() ? "(top)" : "\"" + b.name() + "\"", b.clock(), b.pageSize(), b.cpus().size(), b.bytes());
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
