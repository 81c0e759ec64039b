package io.exitscope.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code exitscope --help} (and {@code exitscope} alone) as picocli renders it, rendered once by
 * the build ({@code mvn process-classes} runs {@link #main}) into two resources, plain and with
 * ANSI styles, so that a run asking for it needs no command model. The model is picocli's
 * reflection over the annotations of Main and thirteen command outlines, run in the interpreter:
 * ≈ 140 ms of a 250 ms {@code --help} (in-process, 15 fresh JVMs with the CDS archive).
 *
 * <p>Only the root text, which depends on nothing at run time (command names and descriptions,
 * the standard options). A subcommand's help may show defaults taken from the machine, such as
 * the core count, and stays with picocli. HelpTextTest holds the resources to picocli's output.
 */
public final class RootHelp {
    private RootHelp() {}

    static final String PLAIN = "help/exitscope.txt", ANSI = "help/exitscope.ansi.txt";

    /**
     * The text picocli would print for {@code exitscope --help} here, or null where picocli is
     * needed: without the resources (classes not built by Maven) or when a {@code picocli.*} system
     * property may change the rendering (width, colours, tracing). Styled as picocli would decide
     * ({@code Ansi.AUTO}: a terminal, {@code TERM}, {@code NO_COLOR}, ...).
     */
    static String text() {
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith("picocli.") && !Main.PICOCLI_SETTINGS.containsKey(k)) return null;
        }
        return resource(CommandLine.Help.Ansi.AUTO.enabled() ? ANSI : PLAIN);
    }

    static String resource(String name) {
        try (InputStream in = RootHelp.class.getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    /** What picocli prints for {@code exitscope --help}, plain or styled. */
    static String render(boolean ansi) {
        CommandLine cl = Main.commandLine(new String[]{"--help"});
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(ansi ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        StringWriter w = new StringWriter();
        cl.setOut(new PrintWriter(w, true));
        int code = cl.execute("--help");
        if (code != Main.EXIT_OK) throw new IllegalStateException("exitscope --help exited " + code);
        return w.toString();
    }

    /** The build step: writes both renderings into {@code DIR/help/} (DIR: the classes directory's {@code io/exitscope/cli}). */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) throw new IllegalArgumentException("usage: RootHelp DIR");
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir.resolve(PLAIN).getParent());
        Files.writeString(dir.resolve(PLAIN), render(false), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(ANSI), render(true), StandardCharsets.UTF_8);
    }
}
