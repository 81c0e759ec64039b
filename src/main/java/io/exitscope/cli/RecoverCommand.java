package io.exitscope.cli;

import io.exitscope.source.tracedat.TraceDatWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Finishes a recording whose process was killed (SIGKILL, power cut of the JVM) from FILE.partial. */
@Command(name = "recover", mixinStandardHelpOptions = true,
        header = "Finish a recording that was killed: FILE.partial into a trace.dat.",
        description = {"A recording ('record' or 'live -o') killed before it could finish leaves FILE.partial beside",
                "FILE ('exitscope info FILE' says what it holds). This writes the pages it staged into FILE",
                "(or -o OUT), which trace-cmd and exitscope open, and removes FILE.partial. The pages still in",
                "memory when the process died (up to " + TraceDatWriter.CHUNK_PAGES + " per CPU), the command names and the CPU statistics",
                "are not in it."})
final class RecoverCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The output the killed recording was writing.")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Write the recovered trace here (default: FILE).")
    Path output;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Path out = output == null ? file : output;
        if (output != null && Files.exists(out)) throw new Main.ExitCodeException(Main.EXIT_ERROR, out + " exists; not overwriting it");
        TraceDatWriter.Partial p = TraceDatWriter.recover(file, out);
        err.println("exitscope: recovered " + p.pages() + " pages of " + p.cpus() + " CPUs into " + out + " (" + Files.size(out) + " bytes)");
        return 0;
    }
}
