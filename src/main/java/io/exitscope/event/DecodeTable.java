package io.exitscope.event;

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
 * architecture: {@code [section]} headers, then {@code CODE NAME} lines ({@code #} comments). They
 * are the kernel's {@code __print_symbolic} tables of the event print formats, so they sit beside
 * the events: text sources read names back into codes, exit assembly names codes.
 * Unknown codes become {@code UNKNOWN(0x..)}: shown, never dropped. A section may name one code
 * several times (older spellings): the first line is the code's name, every line a spelling.
 */
public final class DecodeTable {
    private final Map<String, Map<Long, String>> sections;
    private final Map<String, Map<String, Long>> spellings;

    private DecodeTable(Map<String, Map<Long, String>> sections, Map<String, Map<String, Long>> spellings) {
        this.sections = sections;
        this.spellings = spellings;
    }

    public static DecodeTable load(String resource) {
        Map<String, Map<Long, String>> out = new HashMap<>();
        Map<String, Map<String, Long>> names = new HashMap<>();
        try (InputStream in = DecodeTable.class.getResourceAsStream("/io/exitscope/decode/" + resource)) {
            if (in == null) throw new IllegalStateException("missing decode table " + resource);
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            Map<Long, String> cur = null;
            Map<String, Long> curNames = null;
            String line;
            while ((line = r.readLine()) != null) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                if (line.startsWith("[") && line.endsWith("]")) {
                    String section = line.substring(1, line.length() - 1);
                    cur = out.computeIfAbsent(section, k -> new HashMap<>());
                    curNames = names.computeIfAbsent(section, k -> new HashMap<>());
                    continue;
                }
                int sp = line.indexOf(' ');
                if (cur == null || sp < 0) throw new IllegalStateException("bad line in " + resource + ": " + line);
                long code = Long.decode(line.substring(0, sp));
                String name = line.substring(sp + 1).strip();
                cur.putIfAbsent(code, name);
                curNames.putIfAbsent(name, code);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Map<Long, String>> frozen = new HashMap<>();
        out.forEach((k, v) -> frozen.put(k, Collections.unmodifiableMap(v)));
        Map<String, Map<String, Long>> frozenNames = new HashMap<>();
        names.forEach((k, v) -> frozenNames.put(k, Collections.unmodifiableMap(v)));
        return new DecodeTable(Collections.unmodifiableMap(frozen), Collections.unmodifiableMap(frozenNames));
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

    /** Reverse lookup (any spelling, exact case → code), for text traces that print names; -1 when absent. */
    public long code(String section, String name) {
        Map<String, Long> m = spellings.get(section);
        Long c = m == null ? null : m.get(name);
        return c == null ? -1 : c;
    }

    /** Every spelling of a section and its code. */
    public Map<String, Long> spellings(String section) {
        return spellings.getOrDefault(section, Map.of());
    }

    public Map<Long, String> section(String section) {
        return sections.getOrDefault(section, Map.of());
    }

    public static String unknown(long code) {
        return "UNKNOWN(0x" + Long.toHexString(code) + ")";
    }
}
