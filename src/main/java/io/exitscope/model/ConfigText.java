package io.exitscope.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the model's configuration text: {@code [section name]} headers and {@code key = value}
 * lines, {@code #} comments. Keys come out fully qualified: section words joined by dots, then
 * the key ({@code [stage post-run]} + {@code cost} = {@code stage.post-run.cost}). Kept this
 * small on purpose: the file is read by people, so it must stay plain text with comments beside
 * each number (their sources).
 */
final class ConfigText {
    private ConfigText() {}

    /** Thrown for text that is not a config; the message names the origin and line. */
    static final class ConfigException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        ConfigException(String message) {
            super(message);
        }
    }

    static Map<String, String> parse(String text, String origin) {
        Map<String, String> out = new LinkedHashMap<>();
        String prefix = "";
        int lineNo = 0;
        for (String raw : text.split("\n", -1)) {
            lineNo++;
            String line = stripComment(raw).strip();
            if (line.isEmpty()) continue;
            if (line.startsWith("[")) {
                if (!line.endsWith("]")) throw new ConfigException(origin + ":" + lineNo + ": unclosed section header '" + line + "'");
                String name = line.substring(1, line.length() - 1).strip();
                if (name.isEmpty()) throw new ConfigException(origin + ":" + lineNo + ": empty section name");
                prefix = String.join(".", name.split("\\s+")) + ".";
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) throw new ConfigException(origin + ":" + lineNo + ": expected 'key = value', got '" + line + "'");
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (key.contains(" ")) throw new ConfigException(origin + ":" + lineNo + ": key '" + key + "' contains a space");
            out.put(prefix + key, value);
        }
        return out;
    }

    /** Parses one {@code key=value} override as given on the command line. */
    static Map.Entry<String, String> parseOverride(String s) {
        int eq = s.indexOf('=');
        if (eq <= 0) throw new ConfigException("--set expects key=value, got '" + s + "'");
        return Map.entry(s.substring(0, eq).strip(), s.substring(eq + 1).strip());
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
    }
}
