package io.exitscope.view.shell;

import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceSource;
import io.exitscope.view.shell.ExitShell;
import io.exitscope.view.shell.ShellSession;
import org.jline.reader.Candidate;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The on-call shell with scripted input, on the bundled ioeventfd A/B trace. */
class ShellTest {
    static final Path TRACE = Path.of("traces/pvm-ioeventfd-ab.dat");
    static AnalysisResult result;

    @BeforeAll
    static void analyse() throws Exception {
        try (TraceSource s = TraceFiles.open(TRACE, InputFormat.AUTO)) {
            result = TraceAnalysis.run(List.of(s), AnalysisOptions.ALL);
        }
    }

    static ShellSession session() {
        return new ShellSession(result, p -> result);
    }

    @Test
    void topListsKeysWithTheReportsFigures() {
        ShellSession s = session();
        assertEquals("grouping: subkey,class", s.execute("group subkey,class"));
        String top = s.execute("top 5");
        assertTrue(top.contains("PIO port 0x500 out [userspace]"), top);
        assertTrue(top.contains("PIO port 0x500 out [kernel]"), top);
        assertTrue(top.contains("4000"), top);
        String p = s.execute("pct 'port 0x500 out [userspace]' 99");
        assertTrue(p.startsWith("PIO port 0x500 out [userspace]: p99 = "), p);
        assertTrue(s.execute("pct 'port 0x500 out [kernel]' 50").contains("not timed"));
    }

    @Test
    void histSlowestFilterAndErrors() {
        ShellSession s = session();
        s.execute("group subkey,class");
        s.execute("top");
        String h = s.execute("hist 1");
        assertTrue(h.contains("<- p50"), h);
        assertTrue(h.contains("p99.9"), h);
        String slow = s.execute("slowest 1 3");
        assertEquals(3 + 2, slow.strip().lines().count(), slow);
        assertTrue(s.execute("filter class=kernel").contains("class=kernel"));
        String onlyKernel = s.execute("top");
        assertTrue(onlyKernel.contains("[kernel]") && !onlyKernel.contains("[userspace]"), onlyKernel);
        assertTrue(s.execute("filter clear").contains("none"));
        assertTrue(s.execute("hist nosuchkey").startsWith("no key matches"));
        assertTrue(s.execute("frobnicate").startsWith("unknown command"));
        assertTrue(s.execute("group colour").startsWith("unknown grouping"));
        assertTrue(s.execute("filter (").startsWith("bad regex"));
        assertTrue(s.execute("evidence").contains("port 0x500 out"));
    }

    @Test
    void exportWritesFiles(@TempDir Path tmp) throws Exception {
        ShellSession s = session();
        Path f = tmp.resolve("r.csv");
        assertTrue(s.execute("export csv " + f).startsWith("wrote csv"));
        assertTrue(Files.readString(f).startsWith("reason,reason_code,class"));
    }

    @Test
    void completionOffersCommandsReasonsAndSubkeys() {
        ShellSession s = session();
        assertTrue(s.candidates(List.of()).containsAll(List.of("top", "hist", "pct", "filter", "group", "compare", "slowest", "export", "help")));
        List<String> keys = s.candidates(List.of("hist"));
        assertTrue(keys.contains("PIO"), keys.toString());
        assertTrue(keys.contains("port 0x500 out"), keys.toString());
        assertTrue(s.candidates(List.of("group")).contains("subkey"));
        assertTrue(s.candidates(List.of("export")).contains("hdr"));
    }

    @Test
    void jlineCompleterAndScriptedSession() throws Exception {
        ShellSession s = session();
        try (Terminal t = TerminalBuilder.builder().streams(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream())
                .dumb(true).system(false).build()) {
            // completion through JLine's own parser and completer
            LineReader r = LineReaderBuilder.builder().terminal(t).completer(ExitShell.completer(s)).parser(new DefaultParser()).build();
            List<Candidate> cands = new ArrayList<>();
            ExitShell.completer(s).complete(r, new DefaultParser().parse("hi", 2), cands);
            assertTrue(cands.stream().anyMatch(c -> c.value().equals("hist")));
            cands.clear();
            ExitShell.completer(s).complete(r, new DefaultParser().parse("slowest po", 10), cands);
            assertTrue(cands.stream().anyMatch(c -> c.value().equals("port 0x3f8 out")), cands.toString());
        }
        // a pipe that stays open: JLine's external terminal treats end of input as a closed terminal
        java.io.PipedOutputStream keys = new java.io.PipedOutputStream();
        java.io.PipedInputStream in = new java.io.PipedInputStream(keys, 1 << 16);
        keys.write("group subkey\ntop 3\nquit\n".getBytes(StandardCharsets.UTF_8));
        keys.flush();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // DumbTerminal reads its input stream directly (no pump thread racing the reader)
        try (Terminal t = new org.jline.terminal.impl.DumbTerminal("test", "dumb", in, out, StandardCharsets.UTF_8)) {
            new ExitShell(s, t, null).run();
        }
        keys.close();
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("grouping: subkey"), text);
        assertTrue(text.contains("PIO port 0x500 out"), text);
        assertTrue(s.done());
    }
}
