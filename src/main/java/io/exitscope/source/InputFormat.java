package io.exitscope.source;

/** Trace file formats exitscope reads; {@link #AUTO} detects from the content. */
public enum InputFormat {
    AUTO("auto"),
    TRACE_DAT("trace.dat"),
    PERF_DATA("perf.data"),
    FTRACE("ftrace"),
    TRACE_CMD_REPORT("trace-cmd-report"),
    PERF_SCRIPT("perf-script");

    public final String cliName;

    InputFormat(String cliName) {
        this.cliName = cliName;
    }

    public static InputFormat parse(String s) {
        for (InputFormat f : values()) if (f.cliName.equalsIgnoreCase(s) || f.name().equalsIgnoreCase(s)) return f;
        throw new IllegalArgumentException("unknown input format '" + s + "' (auto, trace.dat, perf.data, ftrace, trace-cmd-report, perf-script)");
    }

    @Override
    public String toString() {
        return cliName;
    }
}
