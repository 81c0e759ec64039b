package io.exitscope.exit.decode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Code-to-name tables kept as data in {@code io/exitscope/decode/*.tables} resources, one file per
 * architecture: {@code [section]} headers, then {@code CODE NAME} lines ({@code #} comments).
 * Unknown codes become {@code UNKNOWN(0x..)}: shown, never dropped.
 */
public final class DecodeTable {
    private final Map<String, Map<Long, String>> sections;

    private DecodeTable(Map<String, Map<Long, String>> sections) {
        this.sections = sections;
    }

    public static DecodeTable load(String resource) {
        Map<String, Map<Long, String>> out = new HashMap<>();
        try (InputStream in = DecodeTable.class.getResourceAsStream("/io/exitscope/decode/" + resource)) {
            if (in == null) throw new IllegalStateException("missing decode table " + resource);
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            Map<Long, String> cur = null;
            String line;
            while ((line = r.readLine()) != null) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                if (line.startsWith("[") && line.endsWith("]")) {
                    cur = out.computeIfAbsent(line.substring(1, line.length() - 1), k -> new HashMap<>());
                    continue;
                }
                int sp = line.indexOf(' ');
                if (cur == null || sp < 0) throw new IllegalStateException("bad line in " + resource + ": " + line);
                cur.put(Long.decode(line.substring(0, sp)), line.substring(sp + 1).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Map<Long, String>> frozen = new HashMap<>();
        out.forEach((k, v) -> frozen.put(k, Collections.unmodifiableMap(v)));
        return new DecodeTable(Collections.unmodifiableMap(frozen));
    }

    /** The name of {@code code} in {@code section}, or null. */
    public String lookup(String section, long code) {
        Map<Long, String> m = sections.get(section);
        return m == null ? null : m.get(code);
    }

    /** The name, or {@code UNKNOWN(0x..)}. */
    public String name(String section, long code) {
        String n = lookup(section, code);
        return n != null ? n : unknown(code);
    }

    /** Reverse lookup (name → code), for text traces that print names; -1 when absent. */
    public long code(String section, String name) {
        Map<Long, String> m = sections.get(section);
        if (m != null) for (Map.Entry<Long, String> e : m.entrySet()) if (e.getValue().equalsIgnoreCase(name)) return e.getKey();
        return -1;
    }

    public Map<Long, String> section(String section) {
        return sections.getOrDefault(section, Map.of());
    }

    public static String unknown(long code) {
        return "UNKNOWN(0x" + Long.toHexString(code) + ")";
    }
}
