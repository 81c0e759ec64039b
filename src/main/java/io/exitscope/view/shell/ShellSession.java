package io.exitscope.view.shell;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.exit.ExitClass;
import io.exitscope.stats.Comparison;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.util.Durations;
import io.exitscope.view.LogBuckets;
import io.exitscope.view.report.CsvReport;
import io.exitscope.view.report.HdrLogReport;
import io.exitscope.view.report.JsonReport;
import io.exitscope.view.report.ReportData;
import io.exitscope.view.report.ReportOptions;
import io.exitscope.view.report.TableReport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The on-call shell's commands over one analysed trace, independent of the terminal: a line in,
 * text out. {@link ExitShell} puts JLine (history, completion) around it.
 */
public final class ShellSession {
    /** Commands and their one-line help, in the order {@code help} lists them. */
    public static final String[][] COMMANDS = {
            {"top", "[n]", "the n keys with the most exit time (default 15)"},
            {"hist", "KEY", "log-scale histogram of a key with percentile marks"},
            {"pct", "KEY P", "latency of a key at percentile P (e.g. 99.9)"},
            {"slowest", "KEY [n]", "the slowest exits of a key with timestamps and CPU"},
            {"filter", "REGEX | class=C | vm=NAME | vcpu=N | clear", "restrict keys (several filters combine)"},
            {"group", "reason|reason,class|subkey|vcpu|vm", "change the grouping"},
            {"compare", "FILE", "this trace (A) against another (B), biggest movers first"},
            {"evidence", "", "optimization evidence (ioeventfd, requests, KVM module, fpu)"},
            {"info", "", "the trace: source, events, exits, lost events, measure"},
            {"export", "table|json|csv|hdr FILE", "write the current view to FILE"},
            {"help", "", "this list"},
            {"quit", "", "leave (also exit, Ctrl-D)"},
    };

    private final AnalysisResult result;
    private final Function<Path, AnalysisResult> loader;
    private GroupBy groupBy = GroupBy.REASON_CLASS;
    private String groupSpec = "reason,class";
    private Pattern regex;
    private ExitClass classFilter;
    private String vmFilter;
    private String vcpuFilter;
    private List<StatsSnapshot.Group> lastListing = List.of();
    private boolean done;

    /**
     * @param loader analyses another file for {@code compare}
     */
    public ShellSession(AnalysisResult result, Function<Path, AnalysisResult> loader) {
        this.result = result;
        this.loader = loader;
    }

    public boolean done() {
        return done;
    }

    /** Runs one command line; returns what to print (may be empty). Never throws for bad input. */
    public String execute(String line) {
        List<String> args = tokens(line);
        if (args.isEmpty()) return "";
        String cmd = args.get(0).toLowerCase(Locale.ROOT);
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (cmd) {
                case "top" -> top(rest.isEmpty() ? 15 : Integer.parseInt(rest.get(0)));
                case "hist" -> hist(rest);
                case "pct" -> pct(rest);
                case "slowest" -> slowest(rest);
                case "filter" -> filter(rest);
                case "group" -> group(rest);
                case "compare" -> compare(rest);
                case "evidence" -> evidence();
                case "info" -> info();
                case "export" -> export(rest);
                case "help", "?" -> help();
                case "quit", "exit" -> {
                    done = true;
                    yield "";
                }
                default -> "unknown command '" + cmd + "'; type help";
            };
        } catch (NumberFormatException e) {
            return "not a number: " + e.getMessage().replace("For input string: ", "");
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        boolean inToken = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                else cur.append(c);
            } else if (c == '"' || c == '\'') {
                quote = c;
                inToken = true;
            } else if (Character.isWhitespace(c)) {
                if (inToken) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inToken = false;
                }
            } else {
                cur.append(c);
                inToken = true;
            }
        }
        if (inToken) out.add(cur.toString());
        return out;
    }

    /** The groups of the current grouping that pass the filters, most time first. */
    public List<StatsSnapshot.Group> groups() {
        List<StatsSnapshot.Group> out = new ArrayList<>();
        for (StatsSnapshot.Group g : result.stats().snapshot(groupBy).groups()) {
            if (regex != null && !regex.matcher(label(g)).find()) continue;
            if (classFilter != null && g.classCounts().getOrDefault(classFilter, 0L) == 0) continue;
            if (vmFilter != null && g.key().vm() != null && !vmFilter.equals(g.key().vm())) continue;
            if (vcpuFilter != null && g.key().vcpu() != null && !vcpuFilter.equals(g.key().vcpu())) continue;
            out.add(g);
        }
        return out;
    }

    public static String label(StatsSnapshot.Group g) {
        return g.key().label();
    }

    private String top(int n) {
        List<StatsSnapshot.Group> gs = groups();
        lastListing = gs;
        ReportData d = new ReportData(result, new ReportOptions(groupBy, false, 0));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%3s  %-44s %9s %6s %8s %8s %8s %8s%n", "#", "KEY", "COUNT", "%TIME", "P50", "P99", "P99.9", "MAX"));
        int i = 0;
        for (StatsSnapshot.Group g : gs) {
            if (i >= n) break;
            i++;
            boolean t = g.measured() > 0;
            String key = label(g);
            if (key.length() > 44) key = key.substring(0, 43) + "~";
            sb.append(String.format("%3d  %-44s %9d %6s %8s %8s %8s %8s%n", i, key, g.count(), Durations.percent(d.share(g)),
                    t ? Durations.format(g.percentile(50)) : "-", t ? Durations.format(g.percentile(99)) : "-",
                    t ? Durations.format(g.percentile(99.9)) : "-", t ? Durations.format(g.max()) : "-"));
        }
        if (gs.isEmpty()) sb.append("(no keys match the filters)\n");
        else if (gs.size() > n) sb.append("... ").append(gs.size() - n).append(" more\n");
        if (result.lostEvents() > 0) sb.append("LOST EVENTS: ").append(result.lostEvents()).append(" (figures are lower bounds)\n");
        return sb.toString();
    }

    /** A key by number from the last {@code top}, or by (unique, case-insensitive) part of its label. */
    StatsSnapshot.Group key(String spec) {
        List<StatsSnapshot.Group> gs = groups();
        if (spec.matches("#?\\d+")) {
            int i = Integer.parseInt(spec.replace("#", ""));
            List<StatsSnapshot.Group> list = lastListing.isEmpty() ? gs : lastListing;
            if (i < 1 || i > list.size()) throw new IllegalArgumentException("no key #" + i + " (top lists " + list.size() + ")");
            return list.get(i - 1);
        }
        List<StatsSnapshot.Group> hits = new ArrayList<>();
        for (StatsSnapshot.Group g : gs) {
            if (label(g).equalsIgnoreCase(spec)) return g;
            if (label(g).toLowerCase(Locale.ROOT).contains(spec.toLowerCase(Locale.ROOT))) hits.add(g);
        }
        if (hits.size() == 1) return hits.get(0);
        if (hits.isEmpty()) throw new IllegalArgumentException("no key matches '" + spec + "'; see top");
        StringBuilder sb = new StringBuilder("'" + spec + "' matches " + hits.size() + " keys:");
        for (int i = 0; i < Math.min(8, hits.size()); i++) sb.append("\n  ").append(label(hits.get(i)));
        return throwAmbiguous(sb.toString());
    }

    private static StatsSnapshot.Group throwAmbiguous(String msg) {
        throw new IllegalArgumentException(msg);
    }

    private String hist(List<String> a) {
        if (a.isEmpty()) return "usage: hist KEY";
        StatsSnapshot.Group g = key(String.join(" ", a));
        if (g.measured() == 0) return label(g) + ": " + g.count() + " exits, none timed (" + untimedWhy() + ")";
        StringBuilder sb = new StringBuilder(label(g)).append(": ").append(g.measured()).append(" timed exits\n");
        for (String l : LogBuckets.bars(g.histogram(), 40)) sb.append(l).append('\n');
        sb.append(String.format("p50 %s  p90 %s  p99 %s  p99.9 %s  max %s%n", Durations.format(g.percentile(50)),
                Durations.format(g.percentile(90)), Durations.format(g.percentile(99)), Durations.format(g.percentile(99.9)),
                Durations.format(g.max())));
        return sb.toString();
    }

    private String untimedWhy() {
        return "kernel-handled exits are counted, not timed, without kvm_exit/kvm_entry events";
    }

    private String pct(List<String> a) {
        if (a.size() < 2) return "usage: pct KEY P";
        double p = Double.parseDouble(a.get(a.size() - 1).replace("%", "").replace("p", ""));
        if (p < 0 || p > 100) return "percentile must be 0..100";
        StatsSnapshot.Group g = key(String.join(" ", a.subList(0, a.size() - 1)));
        if (g.measured() == 0) return label(g) + ": not timed (" + untimedWhy() + ")";
        return label(g) + ": p" + a.get(a.size() - 1).replace("p", "") + " = " + Durations.format(g.percentile(p))
                + " (" + g.percentile(p) + " ns, of " + g.measured() + " exits)";
    }

    private String slowest(List<String> a) {
        if (a.isEmpty()) return "usage: slowest KEY [n]";
        int n = ExitStats.SLOWEST_KEPT;
        List<String> k = a;
        if (a.size() > 1 && a.get(a.size() - 1).matches("\\d+")) {
            n = Integer.parseInt(a.get(a.size() - 1));
            k = a.subList(0, a.size() - 1);
        }
        StatsSnapshot.Group g = key(String.join(" ", k));
        StringBuilder sb = new StringBuilder(label(g)).append(": slowest exits\n");
        sb.append(String.format("%10s  %18s  %4s  %8s  %s%n", "LATENCY", "EXIT AT (s)", "CPU", "TID", "SUBKEY"));
        int i = 0;
        for (ExitStats.Slow s : g.slowest()) {
            if (i++ >= n) break;
            sb.append(String.format("%10s  %18.9f  %4d  %8d  %s%n", Durations.format(s.latencyNs()), s.exitTs() / 1e9, s.cpu(), s.tid(),
                    s.subkey() == null ? "" : s.subkey()));
        }
        if (g.slowest().isEmpty()) sb.append("(no timed exits)\n");
        return sb.toString();
    }

    private String filter(List<String> a) {
        if (a.isEmpty()) return describeFilters();
        String f = String.join(" ", a);
        if (f.equals("clear")) {
            regex = null;
            classFilter = null;
            vmFilter = null;
            vcpuFilter = null;
        } else if (f.startsWith("class=")) {
            classFilter = ExitClass.parse(f.substring(6));
        } else if (f.startsWith("vm=")) {
            vmFilter = f.substring(3);
        } else if (f.startsWith("vcpu=")) {
            vcpuFilter = f.substring(5);
        } else {
            try {
                regex = Pattern.compile(f, Pattern.CASE_INSENSITIVE);
            } catch (PatternSyntaxException e) {
                return "bad regex: " + e.getDescription();
            }
        }
        lastListing = List.of();
        return describeFilters();
    }

    private String describeFilters() {
        List<String> parts = new ArrayList<>();
        if (regex != null) parts.add("regex /" + regex.pattern() + "/");
        if (classFilter != null) parts.add("class=" + classFilter.label);
        if (vmFilter != null) parts.add("vm=" + vmFilter);
        if (vcpuFilter != null) parts.add("vcpu=" + vcpuFilter);
        return "filters: " + (parts.isEmpty() ? "none" : String.join(", ", parts));
    }

    private String group(List<String> a) {
        if (a.isEmpty()) return "grouping: " + groupSpec;
        String spec = String.join(",", a).replace(",,", ",");
        groupBy = GroupBy.parse(spec);
        groupSpec = groupBy.toString();
        lastListing = List.of();
        return "grouping: " + groupSpec;
    }

    private String compare(List<String> a) {
        if (a.isEmpty()) return "usage: compare FILE";
        Path p = Path.of(a.get(0));
        AnalysisResult b = loader.apply(p);
        List<Comparison.Shift> shifts = Comparison.compare(result.stats().snapshot(groupBy), b.stats().snapshot(groupBy), false);
        StringBuilder sb = new StringBuilder("A " + result.sourceLabel() + "\nB " + b.sourceLabel() + "\n");
        int i = 0;
        for (Comparison.Shift s : shifts) {
            if (i++ >= 15) break;
            sb.append(String.format("%s %-40s %6.2f  %s%n", i <= 3 && s.score() > 0.1 ? "*" : " ", s.key().label(), s.score(), s.why()));
        }
        return sb.toString();
    }

    private String evidence() {
        StringBuilder sb = new StringBuilder();
        for (String[] e : new ReportData(result, new ReportOptions(groupBy, false, 0)).evidence()) {
            sb.append(String.format("%-11s %s%n", e[0], e[1]));
        }
        return sb.toString();
    }

    private String info() {
        ReportData d = new ReportData(result, new ReportOptions(groupBy, false, 0));
        return String.format("source %s%nevents %d  exits %d  incomplete %d  lost events %d%nmeasure %s%ngrouping %s; %s%n",
                result.sourceLabel(), result.events(), result.exits(), result.incompleteExits(), result.lostEvents(),
                d.measureText(), groupSpec, describeFilters());
    }

    private String export(List<String> a) {
        if (a.size() != 2) return "usage: export table|json|csv|hdr FILE";
        Path p = Path.of(a.get(1));
        ReportData d = new ReportData(result, new ReportOptions(groupBy, false, 0));
        try (OutputStream os = Files.newOutputStream(p); PrintWriter w = new PrintWriter(new java.io.OutputStreamWriter(os, java.nio.charset.StandardCharsets.UTF_8))) {
            switch (a.get(0)) {
                case "table" -> TableReport.write(d, w);
                case "json" -> JsonReport.write(d, w, true);
                case "csv" -> CsvReport.write(d, w);
                case "hdr" -> {
                    w.flush();
                    HdrLogReport.write(d, os);
                }
                default -> {
                    return "unknown format '" + a.get(0) + "' (table, json, csv, hdr)";
                }
            }
        } catch (IOException e) {
            return "cannot write " + p + ": " + e.getMessage();
        }
        return "wrote " + a.get(0) + " to " + p;
    }

    private String help() {
        StringWriter sw = new StringWriter();
        PrintWriter w = new PrintWriter(sw);
        for (String[] c : COMMANDS) w.printf("  %-8s %-36s %s%n", c[0], c[1], c[2]);
        w.println("KEY: a number from the last 'top', or part of a key's label (quote it if it has spaces; Tab completes)");
        w.flush();
        return sw.toString();
    }

    /** Completion candidates for the word being typed, given the words before it. */
    public List<String> candidates(List<String> before) {
        Set<String> out = new LinkedHashSet<>();
        if (before.isEmpty()) {
            for (String[] c : COMMANDS) out.add(c[0]);
            out.add("exit");
            return new ArrayList<>(out);
        }
        switch (before.get(0).toLowerCase(Locale.ROOT)) {
            case "hist", "pct", "slowest" -> {
                if (before.size() == 1) {
                    for (StatsSnapshot.Group g : groups()) {
                        out.add(label(g));
                        if (g.key().reason() != null) out.add(g.key().reason());
                        if (g.key().subkey() != null) out.add(g.key().subkey());
                    }
                    for (StatsSnapshot.Group g : result.stats().snapshot(GroupBy.parse("subkey")).groups()) {
                        if (g.key().subkey() != null) out.add(g.key().subkey());
                    }
                } else if (before.get(0).equalsIgnoreCase("pct")) {
                    out.addAll(List.of("50", "90", "99", "99.9"));
                }
            }
            case "group" -> out.addAll(List.of("reason", "reason,class", "subkey", "subkey,class", "vcpu", "vm", "reason,vcpu"));
            case "filter" -> {
                out.addAll(List.of("clear", "class=userspace", "class=kernel", "class=hardware"));
                for (StatsSnapshot.Group g : result.stats().snapshot(GroupBy.parse("reason")).groups()) out.add(g.key().reason());
                for (StatsSnapshot.Group g : result.stats().snapshot(GroupBy.parse("vm")).groups()) out.add("vm=" + g.key().vm());
            }
            case "export" -> {
                if (before.size() == 1) out.addAll(List.of("table", "json", "csv", "hdr"));
            }
            default -> { }
        }
        return new ArrayList<>(out);
    }
}
