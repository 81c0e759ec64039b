package io.exitscope.source;

import java.util.List;
import java.util.Map;

/**
 * What a source says about itself, filled by the reader that opened it; immutable. The
 * components are what every source knows (a trace.dat, a perf.data, a text trace and live
 * tracefs alike): container format, byte order, clock, CPUs, host, the tool that recorded it
 * ("trace-cmd 3.1.6", "perf 6.1.192"), the thread and VM names it carries, how many event
 * formats it brought. What only one format has is in its {@link Details}, which {@code info}
 * prints. Lost events are not here: a source learns of them while its events are read.
 *
 * @param fileVersion   the container's version (trace.dat 6 or 7, perf.data 2 for PERFILE2); 0 when it has none
 * @param compression   "none", "gzip" (text), "zlib 1.2.11", "zstd level 1" ...
 * @param cpus          CPUs the trace covers (-1 when a text trace does not say)
 * @param systemCpus    CPUs of the recording system, where the source says (else {@code cpus})
 * @param uname         the recording host's kernel as {@code uname -a} would name it, or null
 * @param recordedBy    the recording tool and its version, or null
 * @param cmdlines      thread names by pid the source carries (trace.dat saved cmdlines, perf's tracing data)
 * @param guests        VMs the trace names, with their vCPU threads on the host (trace.dat GUEST options)
 * @param syntheticNote null for real data; for data from the exitscope simulator, what it says of itself
 */
public record TraceInfo(
        String path,
        String format,
        int fileVersion,
        String compression,
        boolean bigEndian,
        String clock,
        int cpus,
        int systemCpus,
        String uname,
        String recordedBy,
        Map<Integer, String> cmdlines,
        List<Guest> guests,
        int eventFormats,
        String syntheticNote,
        Details details) {

    /** What one format alone says about a source. */
    public sealed interface Details permits TraceDat, PerfData, Text, Live {
        /** The format's own sections, options or features, as found, in file order. */
        List<Option> options();

        /** The ring-buffer layout of a binary source; null for text. */
        default Layout layout() { return null; }
    }

    /**
     * A trace.dat file's own metadata (trace-cmd.dat.v6(5), v7(5)).
     *
     * @param clocksAvailable the clocks TRACECLOCK lists (the one in use is the core's clock)
     * @param offsetNs        DATE and OFFSET options, added to every timestamp
     * @param timeShifted     a TIME_SHIFT option maps guest timestamps to host time
     * @param cpuStats        the CPUSTAT texts, one per CPU
     */
    public record TraceDat(Layout layout, List<String> clocksAvailable, List<Buffer> buffers, Tsc2Nsec tsc2nsec,
                           long offsetNs, boolean timeShifted, List<String> cpuStats, List<Option> options) implements Details {}

    /**
     * A perf.data file's own metadata (tools/perf/Documentation/perf.data-file-format.txt): the
     * layout of its tracing data and the feature sections and event attributes as {@link Option}s.
     */
    public record PerfData(Layout layout, List<Option> options) implements Details {}

    /**
     * A text trace's own metadata.
     *
     * @param entries the {@code # entries-in-buffer/entries-written} header of ftrace's {@code trace} file, or null
     */
    public record Text(String entries) implements Details {
        @Override
        public List<Option> options() {
            return entries == null ? List.of() : List.of(new Option(-1, "ENTRIES", 0, entries));
        }
    }

    /** Live tracefs: the private instance read and its ring buffer's layout. */
    public record Live(String instance, Layout layout) implements Details {
        @Override
        public List<Option> options() {
            return List.of();
        }
    }

    /** How a binary source lays out its data: a long's size in user space and in the kernel, the ring-buffer page size. */
    public record Layout(int userLongSize, int kernelLongSize, int pageSize) {}

    /** One ring buffer (the top-level one has an empty name). */
    public record Buffer(String name, String clock, int pageSize, List<CpuData> cpus) {
        public long bytes() { return cpus.stream().mapToLong(CpuData::size).sum(); }
    }

    public record CpuData(int cpu, long offset, long size) {}

    public record Tsc2Nsec(long mult, int shift, long offset) {}

    public record Guest(String name, long traceId, Map<Integer, Integer> vcpuToHostPid) {}

    /** An option as found in the file: id, name and a one-line summary of its content. */
    public record Option(int id, String name, int size, String summary) {}

    /** True for data from the exitscope simulator, which is always labelled so. */
    public boolean synthetic() {
        return syntheticNote != null;
    }

    /** The TSC2NSEC conversion a trace.dat applies to its timestamps, or null. */
    public Tsc2Nsec tsc2nsec() {
        return details instanceof TraceDat t ? t.tsc2nsec() : null;
    }

    /** The format's own sections, options or features ({@link Details#options()}). */
    public List<Option> options() {
        return details.options();
    }

    /** True when the clock counts nanoseconds (after any TSC2NSEC conversion). */
    public boolean nanosecondClock() {
        if (tsc2nsec() != null || clock == null) return true;
        return switch (clock) {
            case "local", "global", "uptime", "perf", "mono", "mono_raw", "boot", "tai" -> true;
            default -> false;
        };
    }
}
