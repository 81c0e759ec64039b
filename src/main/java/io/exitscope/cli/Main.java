package io.exitscope.cli;

import io.exitscope.source.TraceFormatException;
import io.exitscope.util.BuildInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Map;

/** The {@code exitscope} command line: one subcommand per job. */
@Command(name = "exitscope",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Where do KVM VM exits spend their time? Exit latency distributions from tracefs, trace.dat and perf.data.")
public final class Main implements Runnable {

    /** The subcommands, in the order {@code --help} lists them. */
    static final java.util.List<Class<?>> SUBCOMMANDS = java.util.List.of(ReportCommand.class, CompareCommand.class, LiveCommand.class,
            ReplayCommand.class, TriageCommand.class, RecordCommand.class, RecoverCommand.class, ShellCommand.class, DumpCommand.class, InfoCommand.class,
            ModelCommand.class, SimulateCommand.class, CalibrateCommand.class, CommandLine.HelpCommand.class);

    /**
     * picocli settings {@link #run} makes unless the user made them; they change no help text.
     * {@code picocli.disable.closures}: picocli's default factory looks for Groovy's Closure
     * class when first used, a class searched for in vain through the class path and thrown for
     * (7-10 ms of a report, async-profiler). {@code picocli.converters.excludes}: every command
     * line registers converters for java.time and java.sql types by reflection, loading and
     * initializing them (DateTimeFormatter's tables: 14 ms of a report) for options exitscope does
     * not have (HelpTextTest holds that none has such a type). A plain pattern: picocli compiles it
     * once per type, 24 times, and {@code java\.(sql|time)\..*} took 15 ms to compile so in the
     * interpreter. Report on the bundled trace 288 -> 282 ms (medians of 30 interleaved runs).
     */
    static final Map<String, String> PICOCLI_SETTINGS = Map.of(
            "picocli.disable.closures", "true",
            "picocli.converters.excludes", "java.[st].*");

    /** Exit codes, documented in the README. */
    public static final int EXIT_OK = 0, EXIT_ERROR = 1, EXIT_THRESHOLD = 2, EXIT_USAGE = 64, EXIT_BAD_INPUT = 65;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        // Numbers print alike whatever the locale ("5.11us", CSV "0.500000"): reports are read by
        // scripts, as perf's and trace-cmd's are. Locale.US is also the one a Formatter needs no
        // locale data for; any other, even "en" (LANG=C), loads the CLDR decimal symbols at the
        // first %d or %.2f: 30 ms of a report on the bundled trace (hyperfine, 20 runs: 459 -> 429 ms).
        java.util.Locale.setDefault(java.util.Locale.Category.FORMAT, java.util.Locale.US);
        // Large buffer: dump output can run to gigabytes. UTF-8 whatever the locale: the JSON contract
        // is UTF-8, and the table views print units such as µs.
        PrintWriter out = new PrintWriter(new java.io.BufferedWriter(
                new java.io.OutputStreamWriter(new java.io.FileOutputStream(java.io.FileDescriptor.out),
                        java.nio.charset.StandardCharsets.UTF_8), 1 << 16), false);
        System.exit(run(args, out, new PrintWriter(System.err, true)));
    }

    /** Runs a command line; never throws: every failure is one line on {@code err} and an exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        if (args.length == 1 && ("--version".equals(args[0]) || "-V".equals(args[0]))) {
            // The version alone needs no command model: what picocli would print (HelpTextTest
            // checks that it is), without its reflection over Main's annotations, two thirds of
            // the run (bench/startup.sh: 0.22 -> 0.09 s against a bare JVM's 0.06).
            for (String line : new Version().getVersion()) out.println(line);
            out.flush();
            return EXIT_OK;
        }
        if (args.length == 0 || args.length == 1 && ("--help".equals(args[0]) || "-h".equals(args[0]))) {
            // the command list, rendered by picocli when the classes were built (RootHelp)
            String help = RootHelp.text();
            if (help != null) {
                out.print(help);
                out.flush();
                return EXIT_OK;
            }
        }
        PICOCLI_SETTINGS.forEach((k, v) -> {
            if (System.getProperty(k) == null) System.setProperty(k, v);
        });
        CommandLine cl = commandLine(args);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExitCodeExceptionMapper(Main::exitCodeFor);
        cl.setParameterExceptionHandler((ex, a) -> {
            // one line, like every other error: the message, then where help is
            String cmd = ex.getCommandLine().getCommandName();
            err.println("exitscope: " + ex.getMessage() + " (try 'exitscope " + (cmd.equals("exitscope") ? "" : cmd + " ") + "--help')");
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parse) -> {
            err.println("exitscope: " + describe(ex));
            if (System.getenv("EXITSCOPE_DEBUG") != null) ex.printStackTrace(err);
            return exitCodeFor(ex);
        });
        int code;
        try {
            code = cl.execute(args);
        } catch (OutOfMemoryError e) {
            err.println("exitscope: out of memory");
            code = EXIT_ERROR;
        }
        out.flush();
        err.flush();
        return code;
    }

    /**
     * The command line for {@code args}, with no more built than the run needs. picocli builds a
     * command's model from its annotations by reflection: for all thirteen commands that was
     * ≈ 0.1 s of each run, a tenth of decoding 8 million events. A run of one subcommand gets that
     * one only (what it parses, prints and suggests does not depend on the others); {@code help CMD}
     * gets CMD and the help command; {@code --version} none; and the rest ({@code --help}, no
     * command, a misspelt one) get each subcommand's name and description only, read from its
     * {@code @Command} annotation, which is all the command list and the suggestions show.
     */
    static CommandLine commandLine(String[] args) {
        String first = args.length > 0 ? args[0] : null;
        CommandLine cl = new CommandLine(new Main());
        if ("--version".equals(first) || "-V".equals(first)) return cl;
        String wanted = "help".equals(first) ? (args.length > 1 ? args[1] : null) : first;
        Class<?> named = null;
        for (Class<?> c : SUBCOMMANDS) {
            if (c != CommandLine.HelpCommand.class && c.getAnnotation(Command.class).name().equals(wanted)) named = c;
        }
        if (named != null && !"help".equals(first)) {
            cl.addSubcommand(named);
            return cl;
        }
        for (Class<?> c : SUBCOMMANDS) {
            if (c == named || c == CommandLine.HelpCommand.class) cl.addSubcommand(c);
            else cl.addSubcommand(outline(c.getAnnotation(Command.class)));
        }
        return cl;
    }

    /** A command with every subcommand's full model: for the completion script and the man pages. */
    static CommandLine fullCommandLine() {
        CommandLine cl = new CommandLine(new Main());
        for (Class<?> c : SUBCOMMANDS) cl.addSubcommand(c);
        return cl;
    }

    /** A subcommand's name and description, without its options (what {@code exitscope --help} lists). */
    private static CommandLine outline(Command a) {
        CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.create().name(a.name()).aliases(a.aliases());
        spec.usageMessage().header(a.header()).description(a.description()).hidden(a.hidden());
        return new CommandLine(spec);
    }

    static int exitCodeFor(Throwable t) {
        if (t instanceof TraceFormatException) return EXIT_BAD_INPUT;
        if (t instanceof UsageException) return EXIT_USAGE;
        if (t instanceof ExitCodeException e) return e.code;
        return EXIT_ERROR;
    }

    /** One line for the user; no stack trace. */
    static String describe(Throwable t) {
        if (t instanceof TraceFormatException || t instanceof UsageException || t instanceof ExitCodeException) return t.getMessage();
        if (t instanceof UncheckedIOException u) t = u.getCause();
        if (t instanceof NoSuchFileException e) return e.getFile() + ": no such file";
        if (t instanceof AccessDeniedException e) return e.getFile() + ": permission denied";
        if (t instanceof IOException) return "I/O error: " + t.getMessage();
        String m = t.getMessage();
        return "internal error: " + t.getClass().getSimpleName() + (m == null ? "" : ": " + m)
                + " (set EXITSCOPE_DEBUG=1 for details)";
    }

    /** Wrong usage detected after parsing (bad combination, bad value). */
    public static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public UsageException(String m) { super(m); }
    }

    /** A failure with a specific exit code and a one-line message. */
    public static final class ExitCodeException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;
        public ExitCodeException(int code, String m) {
            super(m);
            this.code = code;
        }
    }

    /** The version, the commit it was built from and the Java runtime it runs on (a bundle runs its own). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{
                    "exitscope " + BuildInfo.version() + " (commit " + BuildInfo.commit() + ")",
                    "runtime: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                            + " (" + System.getProperty("java.vendor") + ") in " + System.getProperty("java.home")};
        }
    }
}
