package io.exitscope.cli;

import io.exitscope.source.InputFormat;
import picocli.CommandLine.Option;

/** {@code --input-format}, for every command that reads trace files. */
final class InputFormatOption {
    @Option(names = "--input-format", paramLabel = "FMT", converter = InputFormatConverter.class,
            description = "auto (default), trace.dat, perf.data, ftrace, trace-cmd-report, perf-script")
    InputFormat value = InputFormat.AUTO;
}
