package io.exitscope.source;

import java.util.List;
import java.util.Map;

/**
 * What a trace says about itself: container format, byte order, clock, CPUs, buffers, host, the
 * tool that recorded it ("trace-cmd 3.1.6", "perf 6.1.192"), and every option or feature section found. Filled by the reader that opened the trace; immutable.
 */
public record TraceInfo(
        String path,
        String format,
        int fileVersion,
        String compression,
        boolean bigEndian,
        int userLongSize,
        int kernelLongSize,
        int pageSize,
        String clock,
        List<String> clocksAvailable,
        int cpus,
        int cpuCount,
        String uname,
        String recordedBy,
        List<Buffer> buffers,
        Map<Integer, String> cmdlines,
        Tsc2Nsec tsc2nsec,
        long offsetNs,
        List<Guest> guests,
        boolean timeShifted,
        List<String> cpuStats,
        List<Option> options,
        int eventFormats,
        boolean synthetic) {

    /** One ring buffer (the top-level one has an empty name). */
    public record Buffer(String name, String clock, int pageSize, List<CpuData> cpus) {
        public long bytes() { return cpus.stream().mapToLong(CpuData::size).sum(); }
    }

    public record CpuData(int cpu, long offset, long size) {}

    public record Tsc2Nsec(long mult, int shift, long offset) {}

    public record Guest(String name, long traceId, Map<Integer, Integer> vcpuToHostPid) {}

    /** An option as found in the file: id, name and a one-line summary of its content. */
    public record Option(int id, String name, int size, String summary) {}

    /** True when the clock counts nanoseconds (after any TSC2NSEC conversion). */
    public boolean nanosecondClock() {
        if (tsc2nsec != null || clock == null) return true;
        return switch (clock) {
            case "local", "global", "uptime", "perf", "mono", "mono_raw", "boot", "tai" -> true;
            default -> false;
        };
    }
}
