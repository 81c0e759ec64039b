package io.exitscope.export;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser for the OpenMetrics 1.0 text format (the subset a Prometheus client emits):
 * metadata lines, sample lines with escaped label values, one contiguous block per family, the
 * suffixes each type allows, cumulative histogram buckets ending in +Inf equal to _count, and the
 * final {@code # EOF}. Throws AssertionError naming the line on any violation.
 */
public final class OpenMetricsChecker {
    public record Sample(String name, Map<String, String> labels, double value, int line) {}

    public record Family(String name, String type, String unit, String help, List<Sample> samples) {}

    static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");
    static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "gaugehistogram", "stateset", "info", "summary", "unknown");

    public static Map<String, Family> parse(String text) {
        if (!text.endsWith("# EOF\n")) throw new AssertionError("OpenMetrics text must end with '# EOF\\n'");
        String[] lines = text.substring(0, text.length() - "# EOF\n".length()).split("\n", -1);
        Map<String, Family> families = new LinkedHashMap<>();
        Family cur = null;
        Set<String> closed = new HashSet<>();
        for (int i = 0; i < lines.length - 1 || (i == lines.length - 1 && !lines[i].isEmpty()); i++) {
            String l = lines[i];
            int no = i + 1;
            if (l.isEmpty()) throw new AssertionError("line " + no + ": empty lines are not allowed");
            if (l.startsWith("#")) {
                String[] p = l.split(" ", 4);
                if (p.length < 3 || !p[0].equals("#")) throw new AssertionError("line " + no + ": bad metadata: " + l);
                String kind = p[1], name = p[2];
                if (!NAME.matcher(name).matches()) throw new AssertionError("line " + no + ": bad metric name " + name);
                if (cur == null || !cur.name.equals(name)) {
                    if (families.containsKey(name)) throw new AssertionError("line " + no + ": family " + name + " is not contiguous");
                    if (cur != null) closed.add(cur.name);
                    cur = new Family(name, "unknown", null, null, new ArrayList<>());
                    families.put(name, cur);
                }
                String rest = p.length > 3 ? p[3] : "";
                switch (kind) {
                    case "TYPE" -> {
                        if (!TYPES.contains(rest)) throw new AssertionError("line " + no + ": unknown type " + rest);
                        cur = new Family(name, rest, cur.unit, cur.help, cur.samples);
                    }
                    case "UNIT" -> {
                        if (!name.endsWith("_" + rest)) throw new AssertionError("line " + no + ": family " + name + " must end with its unit " + rest);
                        cur = new Family(name, cur.type, rest, cur.help, cur.samples);
                    }
                    case "HELP" -> cur = new Family(name, cur.type, cur.unit, rest, cur.samples);
                    default -> throw new AssertionError("line " + no + ": unknown metadata " + kind);
                }
                families.put(name, cur);
                continue;
            }
            Sample s = sample(l, no);
            if (cur == null) throw new AssertionError("line " + no + ": sample before any family: " + l);
            String suffix = s.name.startsWith(cur.name) ? s.name.substring(cur.name.length()) : null;
            if (suffix == null) throw new AssertionError("line " + no + ": sample " + s.name + " outside its family " + cur.name);
            Set<String> allowed = switch (cur.type) {
                case "counter" -> Set.of("_total", "_created");
                case "histogram" -> Set.of("_bucket", "_count", "_sum", "_created");
                case "gaugehistogram" -> Set.of("_bucket", "_gcount", "_gsum");
                case "info" -> Set.of("_info");
                case "summary" -> Set.of("", "_count", "_sum", "_created");
                default -> Set.of("");
            };
            if (!allowed.contains(suffix)) throw new AssertionError("line " + no + ": " + cur.type + " " + cur.name + " cannot have sample " + s.name);
            if (suffix.equals("_bucket") && !s.labels.containsKey("le")) throw new AssertionError("line " + no + ": bucket without le");
            cur.samples.add(s);
        }
        for (Family f : families.values()) if (f.type.equals("histogram")) checkHistogram(f);
        return families;
    }

    static Sample sample(String l, int no) {
        Matcher m = NAME.matcher(l);
        if (!m.lookingAt()) throw new AssertionError("line " + no + ": bad sample " + l);
        String name = m.group();
        int pos = m.end();
        Map<String, String> labels = new TreeMap<>();
        if (pos < l.length() && l.charAt(pos) == '{') {
            pos++;
            while (l.charAt(pos) != '}') {
                Matcher lm = LABEL.matcher(l);
                lm.region(pos, l.length());
                if (!lm.lookingAt()) throw new AssertionError("line " + no + ": bad label at " + l.substring(pos));
                if (labels.put(lm.group(1), lm.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\")) != null) {
                    throw new AssertionError("line " + no + ": duplicate label " + lm.group(1));
                }
                pos = lm.end();
                if (l.charAt(pos) == ',') pos++;
                else if (l.charAt(pos) != '}') throw new AssertionError("line " + no + ": expected , or } in " + l);
            }
            pos++;
        }
        if (pos >= l.length() || l.charAt(pos) != ' ') throw new AssertionError("line " + no + ": expected one space before the value: " + l);
        String[] rest = l.substring(pos + 1).split(" # ", 2)[0].split(" ");
        double v = number(rest[0], no);
        if (rest.length > 2) throw new AssertionError("line " + no + ": trailing text: " + l);
        if (rest.length == 2) number(rest[1], no);
        return new Sample(name, labels, v, no);
    }

    static double number(String s, int no) {
        return switch (s) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                if (!s.matches("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?")) throw new AssertionError("line " + no + ": bad number " + s);
                yield Double.parseDouble(s);
            }
        };
    }

    static void checkHistogram(Family f) {
        Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new HashMap<>();
        for (Sample s : f.samples) {
            Map<String, String> series = new TreeMap<>(s.labels);
            series.remove("le");
            if (s.name.endsWith("_bucket")) buckets.computeIfAbsent(series, k -> new ArrayList<>()).add(s);
            if (s.name.endsWith("_count")) counts.put(series, s.value);
        }
        for (var e : buckets.entrySet()) {
            double lastLe = Double.NEGATIVE_INFINITY, lastCount = 0;
            for (Sample b : e.getValue()) {
                double le = number(b.labels.get("le"), b.line);
                if (le <= lastLe) throw new AssertionError("line " + b.line + ": le not increasing");
                if (b.value < lastCount) throw new AssertionError("line " + b.line + ": buckets not cumulative");
                lastLe = le;
                lastCount = b.value;
            }
            if (lastLe != Double.POSITIVE_INFINITY) throw new AssertionError(f.name + e.getKey() + ": no +Inf bucket");
            Double c = counts.get(e.getKey());
            if (c == null || c != lastCount) throw new AssertionError(f.name + e.getKey() + ": _count " + c + " != +Inf bucket " + lastCount);
        }
    }
}
