package io.exitscope.triage;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.exit.ExitClass;
import io.exitscope.stats.Comparison;
import io.exitscope.stats.ExitKey;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.Significance;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.util.Durations;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A threshold expression ({@code --fail-on}). Grammar (keywords case-insensitive):
 *
 * <pre>
 * expr       := and ( ("or" | "||") and )*
 * and        := unary ( ("and" | "&amp;&amp;") unary )*
 * unary      := ("not" | "!") unary | "(" expr ")" | comparison
 * comparison := operand OP operand            OP := &gt; &gt;= &lt; &lt;= == !=
 * operand    := metric | literal
 * metric     := FUNC "(" [ selector ("," selector)* ] ")" | SCALAR [ "(" ")" ]
 *             | VERDICT "(" MEASURE ("," selector)* ")"            (compare only)
 * VERDICT    := slower | faster | more | fewer        MEASURE := p50 | p99 | rate | count | class
 * FUNC       := count | rate | share | total | mean | min | max | p50 | p90 | p99 | p999 | p99.9 | pNN[.N]
 * SCALAR     := lost | events | exits | incomplete | partial | duration
 * selector   := DIM ("=" | "!=") VALUE        DIM := reason | class | subkey | vcpu | vm | port | gpa | blocking
 * VALUE      := word | "quoted string"        (* and ? are wildcards in reason, subkey, vcpu, vm)
 * literal    := NUMBER [ ns | us | µs | ms | s | % | /s ]
 * </pre>
 *
 * Types: percentiles, min, max, mean, total and duration are times and need a time unit;
 * {@code share} is a fraction (write {@code 30%} or {@code 0.3}); {@code rate} is exits per second
 * ({@code 1000} or {@code 1000/s}); count, lost, events, exits, incomplete are plain numbers;
 * {@code partial} is 0 or 1. Selections: blocking (idle) exits are left out unless the selection
 * names a reason ({@code reason=HLT}) or says {@code blocking=yes|any}; {@code share} divides by
 * the overhead exit time (plus idle time when the selection includes blocking exits). An empty
 * selection has count 0 and percentiles 0.
 *
 * <p>Compare verdicts ({@code exitscope compare --fail-on}): {@code slower(p99, reason=EPT_MISCONFIG)
 * > 2%} is the largest <em>significant</em> (see {@link io.exitscope.stats.Significance}) effect in
 * that direction among the selected keys, as a fraction (0 when none is significant): slower and
 * faster for p50/p99 (latency up/down), more and fewer for the exit rate, more and fewer for the
 * class mix (the fraction of the class that moved, in points). Other metrics read side B.
 */
public final class FailExpr {
    private final String text;
    private final Node root;

    private FailExpr(String text, Node root) {
        this.text = text;
        this.root = root;
    }

    public String text() {
        return text;
    }

    /** Parses; throws {@link SyntaxError} naming the bad token and its column. */
    public static FailExpr parse(String text) {
        return parse(text, false);
    }

    /** Parses an expression over a comparison: the verdict metrics (slower, faster, more, fewer) are allowed. */
    public static FailExpr parseCompare(String text) {
        return parse(text, true);
    }

    private static FailExpr parse(String text, boolean compare) {
        if (text == null || text.isBlank()) throw new SyntaxError("empty expression", 1, "");
        Parser p = new Parser(text);
        p.compare = compare;
        Node n = p.expr();
        p.skipWs();
        if (p.pos < text.length()) throw p.error("expected 'and', 'or' or the end of the expression");
        return new FailExpr(text, n);
    }

    /** A malformed expression: the message names the token and its 1-based column. */
    public static final class SyntaxError extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        public final int column;
        public final String token;

        SyntaxError(String what, int column, String token) {
            super((token.isEmpty() ? "at the end" : "'" + io.exitscope.util.OneLine.of(token) + "' at column " + column) + ": " + what);
            this.column = column;
            this.token = token;
        }
    }

    /** {@code p99} → 99, {@code p999} → 99.9, {@code p99.9} → 99.9; -1 when the name is not a percentile. */
    static double percentileOf(String name) {
        return Parser.percentile(name);
    }

    /** The result of one evaluation: whether it holds and each comparison with its value. */
    public record Outcome(boolean crossed, List<String> details) {
        public String detailText() {
            return String.join("; ", details);
        }
    }

    public Outcome evaluate(AnalysisResult r) {
        return evaluate(r, List.of());
    }

    /** Over a comparison: verdict metrics read {@code shifts}, the others read {@code b} (the side under test). */
    public Outcome evaluate(AnalysisResult sideB, List<Comparison.Shift> shifts) {
        Eval e = new Eval(sideB);
        e.shifts = shifts;
        boolean b = root.test(e);
        return new Outcome(b, e.details);
    }

    // ------------------------------------------------------------------ model

    enum Type { TIME, FRACTION, RATE, COUNT }

    private interface Node {
        boolean test(Eval e);
    }

    private record Or(Node a, Node b) implements Node {
        public boolean test(Eval e) {
            boolean x = a.test(e);
            boolean y = b.test(e); // both sides always evaluated: the details list every figure
            return x || y;
        }
    }

    private record And(Node a, Node b) implements Node {
        public boolean test(Eval e) {
            boolean x = a.test(e);
            boolean y = b.test(e);
            return x && y;
        }
    }

    private record Not(Node a) implements Node {
        public boolean test(Eval e) {
            return !a.test(e);
        }
    }

    private record Selector(String dim, boolean negate, String value, Pattern glob, ExitClass cls, long number) {}

    private record Metric(String name, String source, Type type, double percentile, List<Selector> selectors, Significance.Measure measure) {}

    private record Operand(Metric metric, double literal, String source) {}

    private record Cmp(Operand l, String op, Operand r, Type type, String source) implements Node {
        public boolean test(Eval e) {
            double a = l.metric != null ? e.value(l.metric) : l.literal;
            double b = r.metric != null ? e.value(r.metric) : r.literal;
            boolean res = switch (op) {
                case ">" -> a > b;
                case ">=" -> a >= b;
                case "<" -> a < b;
                case "<=" -> a <= b;
                case "==" -> a == b;
                default -> a != b;
            };
            Operand m = l.metric != null ? l : r;
            double v = l.metric != null ? a : b;
            e.details.add(m.source + " = " + show(type, v) + (res ? " " : " not ") + op + " " + (l.metric != null ? r.source : l.source));
            return res;
        }
    }

    static String show(Type t, double v) {
        return switch (t) {
            case TIME -> Durations.format(Math.round(v));
            case FRACTION -> String.format(Locale.ROOT, "%.2f%%", v * 100);
            case RATE -> String.format(Locale.ROOT, "%.1f/s", v);
            case COUNT -> v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3f", v);
        };
    }

    // ------------------------------------------------------------------ parser

    private static final class Parser {
        final String s;
        int pos;
        boolean compare;

        Parser(String s) {
            this.s = s;
        }

        SyntaxError error(String what) {
            skipWs();
            return new SyntaxError(what, pos + 1, tokenAt(pos));
        }

        SyntaxError errorAt(int at, String what) {
            return new SyntaxError(what, at + 1, tokenAt(at));
        }

        /** The token starting at {@code at}, for messages. */
        String tokenAt(int at) {
            if (at >= s.length()) return "";
            int i = at;
            char c = s.charAt(i);
            if (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == 'µ') {
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || "_.%/µ".indexOf(s.charAt(i)) >= 0)) i++;
            } else if ("<>=!&|".indexOf(c) >= 0) {
                while (i < s.length() && "<>=!&|".indexOf(s.charAt(i)) >= 0) i++;
            } else if (c == '"' || c == '\'') {
                int j = s.indexOf(c, i + 1);
                i = j < 0 ? s.length() : j + 1;
            } else {
                i++;
            }
            return s.substring(at, i);
        }

        void skipWs() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        boolean keyword(String... kws) {
            skipWs();
            for (String k : kws) {
                if (s.regionMatches(true, pos, k, 0, k.length())) {
                    int end = pos + k.length();
                    boolean word = Character.isLetter(k.charAt(0));
                    if (word && end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')) continue;
                    pos = end;
                    return true;
                }
            }
            return false;
        }

        boolean peek(char c) {
            skipWs();
            return pos < s.length() && s.charAt(pos) == c;
        }

        Node expr() {
            Node n = and();
            while (keyword("or", "||")) n = new Or(n, and());
            return n;
        }

        Node and() {
            Node n = unary();
            while (keyword("and", "&&")) n = new And(n, unary());
            return n;
        }

        Node unary() {
            skipWs();
            if (pos < s.length() && s.charAt(pos) == '!' && !(pos + 1 < s.length() && s.charAt(pos + 1) == '=')) {
                pos++;
                return new Not(unary());
            }
            if (keyword("not")) return new Not(unary());
            if (peek('(')) {
                pos++;
                Node n = expr();
                if (!peek(')')) throw error("expected ')'");
                pos++;
                return n;
            }
            return comparison();
        }

        Node comparison() {
            skipWs();
            int start = pos;
            Operand l = operand();
            skipWs();
            int opAt = pos;
            String op = null;
            for (String o : new String[]{">=", "<=", "==", "!=", ">", "<", "="}) {
                if (s.startsWith(o, pos)) {
                    op = o.equals("=") ? "==" : o;
                    pos += o.length();
                    break;
                }
            }
            if (op == null) {
                throw error(l.metric == null ? "expected a comparison operator (> >= < <= == !=)"
                        : "expected a comparison operator (> >= < <= == !=) after " + l.source);
            }
            skipWs();
            int rAt = pos;
            Operand r = operand();
            if (l.metric == null && r.metric == null) throw errorAt(start, "a comparison needs a metric on one side, e.g. p99(reason=EPT_MISCONFIG) > 20us");
            if (l.metric != null && r.metric != null) throw errorAt(rAt, "compare a metric with a number, not with another metric");
            Metric m = l.metric != null ? l.metric : r.metric;
            Operand lit = l.metric != null ? r : l;
            int litAt = l.metric != null ? rAt : start;
            double v = checkUnit(m, lit, litAt);
            Operand litOk = new Operand(null, v, lit.source);
            if (l.metric != null) r = litOk;
            else l = litOk;
            return new Cmp(l, op, r, m.type, s.substring(start, pos).strip());
        }

        /** Converts a literal to the metric's unit; rejects a unit of the wrong kind. */
        double checkUnit(Metric m, Operand lit, int at) {
            String src = lit.source;
            String unit = src.replaceFirst("^[0-9.eE+-]+", "").toLowerCase(Locale.ROOT);
            double num = lit.literal;
            switch (m.type) {
                case TIME -> {
                    switch (unit) {
                        case "ns" -> { return num; }
                        case "us", "µs" -> { return num * 1e3; }
                        case "ms" -> { return num * 1e6; }
                        case "s" -> { return num * 1e9; }
                        case "" -> throw errorAt(at, m.name + " is a time: give a unit (ns, us, ms, s), e.g. 20us");
                        default -> throw errorAt(at, m.name + " is a time: the unit must be ns, us, ms or s");
                    }
                }
                case FRACTION -> {
                    if (unit.equals("%")) return num / 100;
                    if (!unit.isEmpty()) throw errorAt(at, m.name + " is a fraction of exit time: write 30% or 0.3");
                    if (num > 1) throw errorAt(at, m.name + " is a fraction of exit time (0..1): write " + src + "% or " + num / 100);
                    return num;
                }
                case RATE -> {
                    if (unit.isEmpty() || unit.equals("/s")) return num;
                    throw errorAt(at, m.name + " is exits per second: write a number, e.g. 1000 or 1000/s");
                }
                default -> {
                    if (!unit.isEmpty()) throw errorAt(at, m.name + " is a plain number: no unit");
                    return num;
                }
            }
        }

        Operand operand() {
            skipWs();
            int start = pos;
            if (pos >= s.length()) throw error("expected a metric (e.g. p99(reason=EPT_MISCONFIG)) or a number");
            char c = s.charAt(pos);
            if (Character.isDigit(c) || c == '.') return literal();
            if (Character.isLetter(c)) {
                Metric m = metric();
                String src = s.substring(start, pos).strip();
                return new Operand(new Metric(m.name, src, m.type, m.percentile, m.selectors, m.measure), Double.NaN, src);
            }
            throw error("expected a metric (e.g. p99(reason=EPT_MISCONFIG)) or a number");
        }

        Operand literal() {
            int start = pos;
            while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) pos++;
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E') && pos + 1 < s.length()
                    && (Character.isDigit(s.charAt(pos + 1)) || s.charAt(pos + 1) == '-' || s.charAt(pos + 1) == '+')) {
                pos += 2;
                while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
            }
            double v;
            try {
                v = Double.parseDouble(s.substring(start, pos));
            } catch (NumberFormatException e) {
                throw errorAt(start, "not a number");
            }
            int unitAt = pos;
            if (pos < s.length() && s.charAt(pos) == '%') pos++;
            else if (s.startsWith("/s", pos)) pos += 2;
            else while (pos < s.length() && (Character.isLetter(s.charAt(pos)) || s.charAt(pos) == 'µ')) pos++;
            String unit = s.substring(unitAt, pos).toLowerCase(Locale.ROOT);
            if (!List.of("", "%", "/s", "ns", "us", "µs", "ms", "s").contains(unit)) {
                throw errorAt(start, "unknown unit '" + unit + "' (ns, us, ms, s, %, /s)");
            }
            return new Operand(null, v, s.substring(start, pos));
        }

        Metric metric() {
            int start = pos;
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_' || s.charAt(pos) == '.')) pos++;
            String name = s.substring(start, pos).toLowerCase(Locale.ROOT);
            Type type;
            double pct = -1;
            boolean scalar = false;
            Significance.Measure measure = null;
            if (VERDICTS.contains(name)) {
                if (!compare) throw errorAt(start, name + "() judges a comparison: use it with 'exitscope compare --fail-on'");
                skipWs();
                if (pos >= s.length() || s.charAt(pos) != '(') throw errorAt(start, "expected '(' after " + name + ", e.g. " + name + "(p99)");
                pos++;
                skipWs();
                int mAt = pos;
                while (pos < s.length() && Character.isLetterOrDigit(s.charAt(pos))) pos++;
                measure = Significance.Measure.parse(s.substring(mAt, pos));
                if (measure == null) throw errorAt(mAt, "expected a measure: p50, p99, rate, count or class");
                if ((name.equals("slower") || name.equals("faster")) && (measure == Significance.Measure.RATE || measure == Significance.Measure.CLASS)) {
                    throw errorAt(mAt, name + " applies to p50 and p99; use more/fewer for rate and class");
                }
                List<Selector> sels = new ArrayList<>();
                while (true) {
                    skipWs();
                    if (pos < s.length() && s.charAt(pos) == ')') {
                        pos++;
                        break;
                    }
                    if (pos < s.length() && s.charAt(pos) == ',') {
                        pos++;
                        sels.add(selector());
                        continue;
                    }
                    throw error("expected ',' or ')' in " + name + "(...)");
                }
                return new Metric(name, null, Type.FRACTION, -1, sels, measure);
            }
            switch (name) {
                case "count" -> type = Type.COUNT;
                case "rate" -> type = Type.RATE;
                case "share" -> type = Type.FRACTION;
                case "total", "mean", "min", "max" -> type = Type.TIME;
                case "lost", "lost_events", "events", "exits", "incomplete", "partial" -> {
                    type = Type.COUNT;
                    scalar = true;
                }
                case "duration" -> {
                    type = Type.TIME;
                    scalar = true;
                }
                default -> {
                    pct = percentile(name);
                    if (pct < 0) {
                        throw errorAt(start, "unknown metric (count, rate, share, total, mean, min, max, p50, p90, p99, p999, pNN.N; "
                                + "lost, events, exits, incomplete, partial, duration)");
                    }
                    type = Type.TIME;
                }
            }
            List<Selector> sels = new ArrayList<>();
            skipWs();
            if (pos < s.length() && s.charAt(pos) == '(') {
                pos++;
                skipWs();
                if (pos < s.length() && s.charAt(pos) == ')') {
                    pos++;
                } else {
                    if (scalar) throw error(name + " takes no selection");
                    while (true) {
                        sels.add(selector());
                        skipWs();
                        if (pos < s.length() && s.charAt(pos) == ',') {
                            pos++;
                            continue;
                        }
                        if (pos < s.length() && s.charAt(pos) == ')') {
                            pos++;
                            break;
                        }
                        throw error("expected ',' or ')' in the selection of " + name);
                    }
                }
            } else if (!scalar) {
                throw errorAt(start, "expected '(' after " + name + ": " + name + "() for all exits, or e.g. " + name + "(class=userspace)");
            }
            return new Metric(name, null, type, pct, sels, null);
        }

        /** {@code p99} → 99, {@code p999} → 99.9, {@code p9999} → 99.99, {@code p99.9} → 99.9; -1 if not a percentile. */
        static double percentile(String name) {
            if (!name.matches("p[0-9]+(\\.[0-9]+)?")) return -1;
            String d = name.substring(1);
            double v;
            if (d.contains(".")) v = Double.parseDouble(d);
            else if (d.length() > 2 && d.startsWith("99")) v = Double.parseDouble("99." + d.substring(2));
            else v = Double.parseDouble(d);
            return v > 100 ? -1 : v;
        }

        Selector selector() {
            skipWs();
            int start = pos;
            while (pos < s.length() && (Character.isLetter(s.charAt(pos)) || s.charAt(pos) == '_')) pos++;
            String dim = s.substring(start, pos).toLowerCase(Locale.ROOT);
            if (!List.of("reason", "class", "subkey", "vcpu", "vm", "port", "gpa", "blocking").contains(dim)) {
                throw errorAt(start, "unknown dimension (reason, class, subkey, vcpu, vm, port, gpa, blocking)");
            }
            skipWs();
            boolean neg;
            if (s.startsWith("!=", pos)) {
                neg = true;
                pos += 2;
            } else if (s.startsWith("=", pos) && !s.startsWith("==", pos)) {
                neg = false;
                pos++;
            } else if (s.startsWith("==", pos)) {
                neg = false;
                pos += 2;
            } else {
                throw error("expected '=' or '!=' after " + dim);
            }
            skipWs();
            int vAt = pos;
            String v;
            if (pos < s.length() && (s.charAt(pos) == '"' || s.charAt(pos) == '\'')) {
                char q = s.charAt(pos);
                int end = s.indexOf(q, pos + 1);
                if (end < 0) throw errorAt(pos, "unterminated quoted value");
                v = s.substring(pos + 1, end);
                pos = end + 1;
            } else {
                while (pos < s.length() && !Character.isWhitespace(s.charAt(pos)) && ",()".indexOf(s.charAt(pos)) < 0) pos++;
                v = s.substring(vAt, pos);
            }
            if (v.isEmpty()) throw errorAt(vAt, "expected a value for " + dim);
            ExitClass cls = null;
            long number = -1;
            Pattern glob = null;
            switch (dim) {
                case "class" -> {
                    try {
                        cls = ExitClass.parse(v);
                    } catch (IllegalArgumentException e) {
                        throw errorAt(vAt, "unknown class (hardware, kernel, userspace)");
                    }
                }
                case "port", "gpa" -> {
                    try {
                        number = v.toLowerCase(Locale.ROOT).startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        throw errorAt(vAt, dim + " must be a number (0x500 or 1280)");
                    }
                }
                case "blocking" -> {
                    String b = v.toLowerCase(Locale.ROOT);
                    if (!List.of("yes", "no", "any", "true", "false").contains(b)) throw errorAt(vAt, "blocking must be yes, no or any");
                    v = b.equals("true") ? "yes" : b.equals("false") ? "no" : b;
                }
                default -> glob = globOf(v);
            }
            return new Selector(dim, neg, v, glob, cls, number);
        }
    }

    private static final List<String> VERDICTS = List.of("slower", "faster", "more", "fewer");

    static Pattern globOf(String v) {
        StringBuilder sb = new StringBuilder();
        for (char c : v.toCharArray()) {
            if (c == '*') sb.append(".*");
            else if (c == '?') sb.append('.');
            else sb.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(sb.toString(), Pattern.CASE_INSENSITIVE);
    }

    // ------------------------------------------------------------------ evaluation

    private static final class Eval {
        final AnalysisResult r;
        final List<String> details = new ArrayList<>();
        Collection<StatsSnapshot.Group> fine;
        List<Comparison.Shift> shifts = List.of();

        Eval(AnalysisResult r) {
            this.r = r;
        }

        Collection<StatsSnapshot.Group> fine() {
            if (fine == null) fine = r.stats().fineGroups();
            return fine;
        }

        /** The largest significant effect in the metric's direction among the selected keys; 0 when none. */
        double verdict(Metric m) {
            boolean up = m.name.equals("slower") || m.name.equals("more");
            boolean namesReason = m.selectors.stream().anyMatch(s -> s.dim.equals("reason") && !s.negate);
            double best = 0;
            for (Comparison.Shift sh : shifts) {
                if (sh.key().blocking() && !namesReason) continue;
                if (!matches(sh.key(), m.selectors)) continue;
                Significance.Test t = sh.test(m.measure);
                if (t == null || !t.significant()) continue;
                if (t.direction() != (up ? Significance.Direction.UP : Significance.Direction.DOWN)) continue;
                best = Math.max(best, Double.isInfinite(t.effect()) ? Double.MAX_VALUE : Math.abs(t.effect()));
            }
            return best;
        }

        double value(Metric m) {
            if (m.measure != null) return verdict(m);
            switch (m.name) {
                case "lost", "lost_events" -> { return r.lostEvents() + r.lostUnknownPages(); }
                case "events" -> { return r.events(); }
                case "exits" -> { return r.exits(); }
                case "incomplete" -> { return r.incompleteExits(); }
                case "partial" -> { return r.partial() ? 1 : 0; }
                case "duration" -> { return r.lastTs() - r.firstTs(); }
                default -> { }
            }
            boolean namesReason = false;
            String blocking = null;
            for (Selector s : m.selectors) {
                if (s.dim.equals("reason") && !s.negate) namesReason = true;
                if (s.dim.equals("blocking")) blocking = s.negate ? (s.value.equals("yes") ? "no" : s.value.equals("no") ? "yes" : "none") : s.value;
            }
            long count = 0, measured = 0, total = 0, blockingTotal = 0, overhead = 0;
            boolean anyBlockingSelected = false;
            Histogram h = m.percentile >= 0 || m.name.equals("min") || m.name.equals("max") ? ExitStats.newHistogram() : null;
            for (StatsSnapshot.Group g : fine()) {
                if (g.blocking()) blockingTotal += g.totalNs();
                else overhead += g.totalNs();
                if (!matches(g.key(), m.selectors)) continue;
                if (blocking == null ? (g.blocking() && !namesReason)
                        : blocking.equals("yes") ? !g.blocking() : blocking.equals("no") ? g.blocking() : blocking.equals("none")) continue;
                if (g.blocking()) anyBlockingSelected = true;
                count += g.count();
                measured += g.measured();
                total += g.totalNs();
                if (h != null && g.measured() > 0) h.add(g.histogram());
            }
            return switch (m.name) {
                case "count" -> count;
                case "rate" -> r.durationSeconds() > 0 ? count / r.durationSeconds() : 0;
                case "share" -> {
                    long denom = overhead + (anyBlockingSelected ? blockingTotal : 0);
                    yield denom == 0 ? 0 : (double) total / denom;
                }
                case "total" -> total;
                case "mean" -> measured == 0 ? 0 : (double) total / measured;
                case "min" -> h.getTotalCount() == 0 ? 0 : h.getMinValue();
                case "max" -> h.getTotalCount() == 0 ? 0 : h.getMaxValue();
                default -> h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(m.percentile);
            };
        }

        static boolean matches(ExitKey k, List<Selector> sels) {
            for (Selector s : sels) {
                boolean hit = switch (s.dim) {
                    case "reason" -> k.reason() != null && s.glob.matcher(k.reason()).matches();
                    case "class" -> k.exitClass() == s.cls;
                    case "subkey" -> k.subkey() != null && s.glob.matcher(k.subkey()).matches();
                    case "vcpu" -> k.vcpu() != null && s.glob.matcher(k.vcpu()).matches();
                    case "vm" -> k.vm() != null && s.glob.matcher(k.vm()).matches();
                    case "port" -> addressIs(k.subkey(), "port 0x", s.number);
                    case "gpa" -> addressIs(k.subkey(), "gpa 0x", s.number);
                    default -> true; // blocking: applied by the caller
                };
                if (s.dim.equals("blocking")) continue;
                if (hit == s.negate) return false;
            }
            return true;
        }

        static boolean addressIs(String subkey, String prefix, long n) {
            if (subkey == null) return false;
            String want = prefix + Long.toHexString(n);
            return subkey.equals(want) || subkey.startsWith(want + " ");
        }
    }
}
