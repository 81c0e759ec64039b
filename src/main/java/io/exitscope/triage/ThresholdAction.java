package io.exitscope.triage;

import io.exitscope.util.Durations;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One {@code --on-threshold} action (repeatable; run in the order given when the {@code --fail-on}
 * expression becomes true in live mode):
 *
 * <ul>
 *   <li>{@code record[,file=PATH][,before=TIME][,after=TIME]}: save the raw events of the last
 *       {@code before} (default 10s) up to {@code after} (default 0) past the crossing as trace.dat
 *       (v7, zstd), from a bounded ring of recent ring-buffer pages; default file
 *       {@code exitscope-threshold-YYYYmmdd-HHMMSS.dat}, numbered when it fires again.</li>
 *   <li>{@code exec PROGRAM [ARG...]}: run a program directly (no shell; words split on blanks,
 *       '…' and "…" quote) with the crossing and the top finding in its environment
 *       ({@code EXITSCOPE_*}).</li>
 *   <li>{@code stop}: end the live session (the default when neither stop nor continue is given).</li>
 *   <li>{@code continue}: keep watching; actions fire again the next time the expression becomes true.</li>
 * </ul>
 */
public sealed interface ThresholdAction {
    long DEFAULT_BEFORE_NS = 10_000_000_000L;

    record Record(Path file, long beforeNs, long afterNs) implements ThresholdAction {}

    record Exec(List<String> command) implements ThresholdAction {}

    record Stop() implements ThresholdAction {}

    record Continue() implements ThresholdAction {}

    static ThresholdAction parse(String spec) {
        String t = spec.strip();
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.equals("stop")) return new Stop();
        if (lower.equals("continue")) return new Continue();
        if (lower.startsWith("exec")) {
            String rest = t.substring(4);
            if (rest.startsWith(",cmd=")) rest = rest.substring(5);
            else if (!rest.isEmpty() && !Character.isWhitespace(rest.charAt(0))) throw bad(spec, "write exec PROGRAM [ARG...]");
            List<String> words = words(rest);
            if (words.isEmpty()) throw bad(spec, "exec needs a program: exec /path/to/program [ARG...]");
            return new Exec(words);
        }
        if (lower.equals("record") || lower.startsWith("record,")) {
            Path file = null;
            long before = DEFAULT_BEFORE_NS, after = 0;
            for (String kv : t.substring(6).split(",")) {
                if (kv.isBlank()) continue;
                int eq = kv.indexOf('=');
                if (eq < 0) throw bad(spec, "record options are file=PATH, before=TIME, after=TIME");
                String k = kv.substring(0, eq).strip().toLowerCase(Locale.ROOT), v = kv.substring(eq + 1).strip();
                try {
                    switch (k) {
                        case "file" -> file = Path.of(v);
                        case "before", "seconds", "last" -> before = Durations.parse(v);
                        case "after" -> after = Durations.parse(v);
                        default -> throw bad(spec, "unknown record option '" + k + "' (file, before, after)");
                    }
                } catch (IllegalArgumentException e) {
                    if (e instanceof BadAction) throw e;
                    throw bad(spec, e.getMessage());
                }
            }
            if (before <= 0 || after < 0) throw bad(spec, "before must be > 0 and after >= 0");
            return new Record(file, before, after);
        }
        throw bad(spec, "unknown action (record[,file=PATH,before=TIME,after=TIME], exec PROGRAM [ARG...], stop, continue)");
    }

    /** A malformed action. */
    final class BadAction extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadAction(String m) {
            super(io.exitscope.util.OneLine.of(m)); // it quotes the user's text
        }
    }

    private static BadAction bad(String spec, String why) {
        return new BadAction("--on-threshold '" + spec + "': " + why);
    }

    /** Splits a command line into words without a shell: blanks separate, quotes group, nothing expands. */
    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                else cur.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                if (cur == null) cur = new StringBuilder();
            } else if (Character.isWhitespace(c)) {
                if (cur != null) out.add(cur.toString());
                cur = null;
            } else {
                if (cur == null) cur = new StringBuilder();
                cur.append(c);
            }
        }
        if (quote != 0) throw new BadAction("--on-threshold: unterminated quote in '" + s.strip() + "'");
        if (cur != null) out.add(cur.toString());
        return out;
    }
}
