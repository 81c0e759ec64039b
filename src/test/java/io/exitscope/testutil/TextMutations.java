package io.exitscope.testutil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * Line- and token-level mutations of text traces (ftrace {@code trace}, {@code trace-cmd report},
 * {@code perf script}): numbers replaced by extreme ones, lines dropped, duplicated, swapped,
 * cut, very long lines, control bytes, separators removed or doubled. Deterministic for a given
 * random source, like {@link Mutator}.
 */
final class TextMutations {
    private TextMutations() {}

    private static final String[] NUMBERS = {"0", "-1", "-0", "1", "4294967295", "4294967296", "18446744073709551615",
            "18446744073709551616", "9223372036854775807", "-9223372036854775808", "99999999999999999999999999",
            "0x", "0xffffffffffffffff", "0x10000000000000000", "1e9", "NaN", "", "00000000000000000000001", "1.", ".5",
            "123456.1234567890123", "-5.000001"};
    private static final String[] SNIPPETS = {":", "[", "]", " ", "\t", "-", ".", "\0", "\r", "\u001b[2J", "%s%n", "\\", "=",
            "(", ")", "{", "#", "CPU:3 [LOST 18446744073709551615 EVENTS]", "CPU:0 [12 EVENTS DROPPED]", " => ",
            "kvm_exit: ", "kvm_entry: ", "reason ", "vcpu ", "\u00ff\u00fe", "\n\n\n"};
    private static final Pattern NUMBER = Pattern.compile("0x[0-9a-fA-F]+|[0-9]+(\\.[0-9]+)?");

    static byte[] gzip(byte[] d) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    static byte[] one(SplittableRandom r, byte[] d, List<String> log) {
        String s = new String(d, StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>(List.of(s.split("\n", -1)));
        int kind = r.nextInt(100);
        int li = r.nextInt(lines.size());
        String line = lines.get(li);
        if (kind < 35) {
            // a number token replaced by an extreme one
            Matcher m = NUMBER.matcher(line);
            List<int[]> tokens = new ArrayList<>();
            while (m.find()) tokens.add(new int[]{m.start(), m.end()});
            if (tokens.isEmpty()) return d;
            int[] t = tokens.get(r.nextInt(tokens.size()));
            String v = NUMBERS[r.nextInt(NUMBERS.length)];
            lines.set(li, line.substring(0, t[0]) + v + line.substring(t[1]));
            log.add("line " + (li + 1) + ": number '" + line.substring(t[0], t[1]) + "' -> '" + printable(v) + "'");
        } else if (kind < 45) {
            lines.remove(li);
            log.add("delete line " + (li + 1));
        } else if (kind < 52) {
            int n = 1 + r.nextInt(r.nextInt(10) == 0 ? 2000 : 3);
            for (int i = 0; i < n; i++) lines.add(li, line);
            log.add("duplicate line " + (li + 1) + " x" + n);
        } else if (kind < 59) {
            int lj = r.nextInt(lines.size());
            lines.set(li, lines.get(lj));
            lines.set(lj, line);
            log.add("swap lines " + (li + 1) + " and " + (lj + 1));
        } else if (kind < 67) {
            int at = line.isEmpty() ? 0 : r.nextInt(line.length() + 1);
            lines.set(li, line.substring(0, at));
            log.add("cut line " + (li + 1) + " at column " + at);
        } else if (kind < 72) {
            int n = 1 << (8 + r.nextInt(13));
            String fill = r.nextBoolean() ? "A" : SNIPPETS[r.nextInt(SNIPPETS.length)];
            int at = line.isEmpty() ? 0 : r.nextInt(line.length() + 1);
            lines.set(li, line.substring(0, at) + fill.repeat(Math.max(1, n / Math.max(1, fill.length()))) + line.substring(at));
            log.add("line " + (li + 1) + ": insert " + n + " chars of '" + printable(fill) + "' at column " + at);
        } else if (kind < 90) {
            String v = SNIPPETS[r.nextInt(SNIPPETS.length)];
            int at = line.isEmpty() ? 0 : r.nextInt(line.length() + 1);
            boolean replace = r.nextBoolean() && at < line.length();
            lines.set(li, line.substring(0, at) + v + line.substring(replace ? at + 1 : at));
            log.add("line " + (li + 1) + ": " + (replace ? "replace char" : "insert") + " at column " + at + " with '" + printable(v) + "'");
        } else {
            // one separator character removed everywhere in the line
            char c = " :[]-.".charAt(r.nextInt(6));
            lines.set(li, line.replace(String.valueOf(c), ""));
            log.add("line " + (li + 1) + ": remove every '" + c + "'");
        }
        return String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
    }

    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c >= 0x7f) sb.append(String.format("\\x%02x", (int) c & 0xff));
            else sb.append(c);
        }
        return sb.toString();
    }
}
