package io.exitscope.view.shell;

import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** JLine around a {@link ShellSession}: prompt, history, Tab completion of commands, keys and subkeys. */
public final class ExitShell {
    private final ShellSession session;
    private final Terminal terminal;
    private final Path historyFile;

    public ExitShell(ShellSession session, Terminal terminal, Path historyFile) {
        this.session = session;
        this.terminal = terminal;
        this.historyFile = historyFile;
    }

    /** Completion backed by the session's candidates. */
    public static Completer completer(ShellSession session) {
        return (LineReader reader, ParsedLine line, List<Candidate> candidates) -> {
            List<String> before = new ArrayList<>(line.words().subList(0, line.wordIndex()));
            for (String c : session.candidates(before)) {
                candidates.add(new Candidate(c, c, null, null, null, null, true));
            }
        };
    }

    public void run() {
        LineReaderBuilder b = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("exitscope")
                .completer(completer(session))
                .parser(new DefaultParser().escapeChars(new char[0]));
        if (historyFile != null) b.variable(LineReader.HISTORY_FILE, historyFile);
        LineReader reader = b.build();
        PrintWriter out = terminal.writer();
        out.println("exitscope shell: type help; Tab completes; Ctrl-D quits");
        out.flush();
        while (!session.done()) {
            String line;
            try {
                line = reader.readLine("exitscope> ");
            } catch (UserInterruptException e) {
                continue; // Ctrl-C clears the line
            } catch (EndOfFileException e) {
                break;
            }
            String result = session.execute(line);
            if (!result.isEmpty()) {
                out.print(result.endsWith("\n") ? result : result + "\n");
                out.flush();
            }
        }
        try {
            reader.getHistory().save();
        } catch (Exception ignored) {
            // history is a convenience
        }
    }
}
