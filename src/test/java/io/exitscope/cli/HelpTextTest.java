package io.exitscope.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command's help is a format string to picocli: a bare '%' in a description (95% …) makes
 * picocli warn and print it raw, and makes its man page generator, which `mvn package` runs for the
 * bundle, fail outright. Renders each command's usage and checks that nothing was left unformatted.
 */
class HelpTextTest {

    @Test
    void everyCommandsHelpFormats() {
        List<String> bad = new ArrayList<>();
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            check(Main.fullCommandLine(), bad);
        } finally {
            System.setErr(oldErr);
        }
        String warnings = err.toString(StandardCharsets.UTF_8);
        if (warnings.contains("picocli WARN")) bad.add(warnings.strip());
        assertEquals(List.of(), bad, "help texts picocli could not format");
    }

    /**
     * Every command that reads trace files says, for its FILE, every kind the readers take: a new
     * reader (perf.data) once left report, model and triage saying "trace.dat or text traces".
     */
    @Test
    void everyFileCommandNamesEveryInputKind() {
        List<String> checked = new ArrayList<>();
        for (Class<?> c : Main.SUBCOMMANDS) {
            CommandLine cl = new CommandLine(c == CommandLine.HelpCommand.class ? new CommandLine.HelpCommand() : newInstance(c));
            for (CommandLine.Model.PositionalParamSpec p : cl.getCommandSpec().positionalParameters()) {
                if (!p.paramLabel().equals("FILE") || p.type() != java.util.List.class && !p.type().isArray()) continue;
                if (c == RecoverCommand.class) continue;   // the file a killed recording was writing: a trace.dat only
                String text = String.join(" ", p.description());
                checked.add(cl.getCommandName());
                for (String kind : new String[]{"trace.dat", "perf.data", "ftrace", "trace-cmd report", "perf script"}) {
                    assertTrue(text.contains(kind), cl.getCommandName() + " FILE: " + text + " (lacks " + kind + ")");
                }
            }
        }
        assertEquals(List.of("report", "compare", "replay", "triage", "shell", "dump", "info", "model"), checked);
    }

    /** Main excludes picocli's converters of java.time and java.sql types: no option may need one. */
    @Test
    void noOptionHasATypeWhoseConverterMainExcludes() {
        java.util.regex.Pattern excluded = java.util.regex.Pattern.compile(Main.PICOCLI_SETTINGS.get("picocli.converters.excludes"));
        List<String> bad = new ArrayList<>();
        List<CommandLine> all = new ArrayList<>(List.of(Main.fullCommandLine()));
        for (int i = 0; i < all.size(); i++) {
            CommandLine cl = all.get(i);
            all.addAll(cl.getSubcommands().values());
            for (CommandLine.Model.ArgSpec a : cl.getCommandSpec().args()) {
                List<Class<?>> types = new ArrayList<>(List.of(a.type()));
                types.addAll(List.of(a.auxiliaryTypes()));
                for (Class<?> t : types) {
                    if (excluded.matcher(t.getName()).matches()) bad.add(cl.getCommandName() + " " + a + ": " + t.getName());
                }
            }
        }
        assertTrue(all.size() > 10, all.size() + " commands");
        assertEquals(List.of(), bad);
    }

    private static Object newInstance(Class<?> c) {
        try {
            java.lang.reflect.Constructor<?> k = c.getDeclaredConstructor();
            k.setAccessible(true);
            return k.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(c.getName(), e);
        }
    }

    /** {@code --version} skips picocli (start-up time): it must print exactly what picocli prints for it. */
    @Test
    void versionWithoutPicocliIsPicocliVersionHelp() {
        java.io.StringWriter fast = new java.io.StringWriter(), picocli = new java.io.StringWriter();
        for (String flag : new String[]{"--version", "-V"}) {
            fast.getBuffer().setLength(0);
            assertEquals(Main.EXIT_OK, Main.run(new String[]{flag}, new java.io.PrintWriter(fast), new java.io.PrintWriter(new java.io.StringWriter())));
            picocli.getBuffer().setLength(0);
            CommandLine cl = Main.commandLine(new String[]{flag});
            cl.setOut(new java.io.PrintWriter(picocli, true));
            assertEquals(Main.EXIT_OK, cl.execute(flag));
            assertEquals(picocli.toString(), fast.toString(), flag);
        }
        assertEquals(true, fast.toString().startsWith("exitscope "), fast.toString());
    }

    /**
     * {@code exitscope --help}, {@code -h} and {@code exitscope} alone print the text the build
     * rendered (RootHelp): it must be there, and be what picocli prints now, plain and styled.
     */
    @Test
    void rootHelpWithoutPicocliIsPicocliRootHelp() {
        String plain = RootHelp.resource(RootHelp.PLAIN), ansi = RootHelp.resource(RootHelp.ANSI);
        assertNotNull(plain, "the build renders " + RootHelp.PLAIN + " (mvn process-classes)");
        assertNotNull(ansi, "the build renders " + RootHelp.ANSI);
        assertEquals(RootHelp.render(false), plain);
        assertEquals(RootHelp.render(true), ansi);
        assertTrue(ansi.contains("\u001b["), "styled");
        for (String[] args : new String[][]{{"--help"}, {"-h"}, {}}) {
            java.io.StringWriter fast = new java.io.StringWriter(), picocli = new java.io.StringWriter();
            assertEquals(Main.EXIT_OK, Main.run(args, new java.io.PrintWriter(fast), new java.io.PrintWriter(new java.io.StringWriter())));
            CommandLine cl = Main.commandLine(args);
            cl.setOut(new java.io.PrintWriter(picocli, true));
            assertEquals(Main.EXIT_OK, cl.execute(args));
            assertEquals(picocli.toString(), fast.toString(), String.join(" ", args));
            assertEquals(plain, fast.toString(), "no terminal here: the plain text");
        }
    }

    private static void check(CommandLine cl, List<String> bad) {
        String usage = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
        if (usage.contains("%n")) bad.add(cl.getCommandName() + ": unformatted '%n' left in the help");
        for (CommandLine sub : cl.getSubcommands().values()) check(sub, bad);
    }
}
