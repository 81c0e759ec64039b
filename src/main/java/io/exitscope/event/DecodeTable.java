package io.exitscope.event;

import java.io.IOException;
import java.io.InputStream;
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
    private final String resource;
    /** Read at the first lookup: a run decodes one architecture's exits, and reading a table is
     *  a cold resource lookup and parse (7-12 ms for the first of a run, async-profiler wall clock,
     *  report on the bundled trace), which the other architectures' tables need not cost it. */
    private volatile Tables tables;

    private record Tables(Map<String, Map<Long, String>> sections, Map<String, Map<String, Long>> spellings) {}

    private DecodeTable(String resource) {
        this.resource = resource;
    }

    /** The table of resource {@code io/exitscope/decode/RESOURCE}, read when first used. */
    public static DecodeTable load(String resource) {
        return new DecodeTable(resource);
    }

    private Tables tables() {
        Tables t = tables;
        if (t == null) {
            synchronized (this) {
                t = tables;
                if (t == null) tables = t = read(resource);
            }
        }
        return t;
    }

    /**
     * Reads and parses a table. Bytes and {@code indexOf}, not a BufferedReader: a run reads these
     * before the JIT has compiled anything, and the reader and charset decoder stack costs more
     * in the interpreter than the parse.
     */
    private static Tables read(String resource) {
        String text;
        try (InputStream in = DecodeTable.class.getResourceAsStream("/io/exitscope/decode/" + resource)) {
            if (in == null) throw new IllegalStateException("missing decode table " + resource);
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Map<Long, String>> out = new HashMap<>();
        Map<String, Map<String, Long>> names = new HashMap<>();
        Map<Long, String> cur = null;
        Map<String, Long> curNames = null;
        for (int start = 0, n = text.length(); start < n; ) {
            int nl = text.indexOf('\n', start);
            if (nl < 0) nl = n;
            String line = text.substring(start, nl).strip();
            start = nl + 1;
            if (line.isEmpty() || line.startsWith("#")) continue;
            if (line.startsWith("[") && line.endsWith("]")) {
                String section = line.substring(1, line.length() - 1);
                cur = out.get(section);
                if (cur == null) out.put(section, cur = new HashMap<>());
                curNames = names.get(section);
                if (curNames == null) names.put(section, curNames = new HashMap<>());
                continue;
            }
            int sp = line.indexOf(' ');
            if (cur == null || sp < 0) throw new IllegalStateException("bad line in " + resource + ": " + line);
            long code = Long.decode(line.substring(0, sp));
            String name = line.substring(sp + 1).strip();
            cur.putIfAbsent(code, name);
            curNames.putIfAbsent(name, code);
        }
        Map<String, Map<Long, String>> frozen = new HashMap<>();
        for (Map.Entry<String, Map<Long, String>> e : out.entrySet()) frozen.put(e.getKey(), Collections.unmodifiableMap(e.getValue()));
        Map<String, Map<String, Long>> frozenNames = new HashMap<>();
        for (Map.Entry<String, Map<String, Long>> e : names.entrySet()) frozenNames.put(e.getKey(), Collections.unmodifiableMap(e.getValue()));
        return new Tables(Collections.unmodifiableMap(frozen), Collections.unmodifiableMap(frozenNames));
    }

    /** The name of {@code code} in {@code section}, or null. */
    public String lookup(String section, long code) {
        Map<Long, String> m = tables().sections().get(section);
        return m == null ? null : m.get(code);
    }

    /** The name, or {@code UNKNOWN(0x..)}. */
    public String name(String section, long code) {
        String n = lookup(section, code);
        return n != null ? n : unknown(code);
    }

    /** Reverse lookup (any spelling, exact case → code), for text traces that print names; -1 when absent. */
    public long code(String section, String name) {
        Map<String, Long> m = tables().spellings().get(section);
        Long c = m == null ? null : m.get(name);
        return c == null ? -1 : c;
    }

    /** Every spelling of a section and its code. */
    public Map<String, Long> spellings(String section) {
        return tables().spellings().getOrDefault(section, Map.of());
    }

    public Map<Long, String> section(String section) {
        return tables().sections().getOrDefault(section, Map.of());
    }

    public static String unknown(long code) {
        return "UNKNOWN(0x" + Long.toHexString(code) + ")";
    }
}
