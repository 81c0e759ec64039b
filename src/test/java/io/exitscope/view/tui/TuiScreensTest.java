package io.exitscope.view.tui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.input.KeyType;
import io.exitscope.testutil.Cli;
import io.exitscope.testutil.SharedTraces;
import io.exitscope.util.Durations;
import io.exitscope.view.tui.feed.Frame;
import io.exitscope.view.tui.Glyphs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The screens on Lanterna's virtual terminal, over real traces: the main table shows what
 * {@code report --format json} says, and sorting, filtering, grouping, detail, compare, help and
 * resizing change the screen as they should.
 */
class TuiScreensTest {
    static final Path PVM = Path.of("traces", "pvm-ioeventfd-ab.dat");
    static final String VMX = "x86-vmx-linux-6.5/host-kvm-tsc2nsec.dat";

    /** One parsed row of the main table (wide layout: H/K/U as figures). */
    record Row(String key, String split, String count, String rate, String time, String p50, String p90, String p99, String p999, String max) {}

    static final Pattern ROW = Pattern.compile("^.(.+?)\\s+(\\d+/\\d+/\\d+|unknown)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s*$");

    static List<Row> rows(List<String> lines) {
        List<Row> out = new ArrayList<>();
        for (String l : lines) {
            Matcher m = ROW.matcher(l);
            if (m.matches()) out.add(new Row(m.group(1).strip(), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6), m.group(7),
                    m.group(8), m.group(9), m.group(10)));
        }
        return out;
    }

    static String split(String cls) {
        return switch (cls) {
            case "hardware" -> "100/0/0";
            case "kernel" -> "0/100/0";
            case "unknown" -> "unknown";                               // a trace without kvm_userspace_exit
            default -> "0/0/100";
        };
    }

    static String dur(JsonNode n) {
        return n == null || n.isNull() ? "-" : Durations.format(n.asLong());
    }

    /** Every group of the report appears as a row with the same figures, and nothing else does. */
    static void assertTableMatchesReport(Path trace) throws Exception {
        Cli r = Cli.run("report", "--format", "json", trace.toString());
        assertEquals(0, r.code, r.toString());
        JsonNode json = new ObjectMapper().readTree(r.out);
        double seconds = (json.get("last_ts_ns").asLong() - json.get("first_ts_ns").asLong()) / 1e9;
        try (TuiHarness h = TuiHarness.replay(trace, 150, 50)) {
            Frame f = h.awaitEnd();
            assertEquals(json.get("exits").asLong(), f.cumulative().exits(), "exits");
            assertEquals(json.get("events").asLong(), f.cumulative().events(), "events");
            List<String> lines = h.lines();
            List<Row> rows = rows(lines);
            assertEquals(json.get("groups").size(), rows.size(), "rows\n" + String.join("\n", lines));
            for (JsonNode g : json.get("groups")) {
                String key = g.get("reason").asText();
                String sp = split(g.get("class").asText());
                Row row = rows.stream().filter(x -> x.key().equals(key) && x.split().equals(sp)).findFirst()
                        .orElseThrow(() -> new AssertionError("no row " + key + " " + sp + " in\n" + String.join("\n", lines)));
                String what = key + " [" + g.get("class").asText() + "]";
                assertEquals(g.get("count").asText(), row.count(), what + " count");
                JsonNode share = g.get("share");
                assertEquals(share == null || share.isNull() ? "-" : Durations.percent(share.asDouble()), row.time(), what + " %time");
                assertEquals(dur(g.get("p50_ns")), row.p50(), what + " p50");
                assertEquals(dur(g.get("p90_ns")), row.p90(), what + " p90");
                assertEquals(dur(g.get("p99_ns")), row.p99(), what + " p99");
                assertEquals(dur(g.get("p999_ns")), row.p999(), what + " p99.9");
                assertEquals(dur(g.get("max_ns")), row.max(), what + " max");
                double rate = g.get("count").asLong() / seconds;
                double tol = rate < 10 ? 0.051 : rate < 1000 ? 0.51 : rate * 0.0051; // 3 significant digits, or whole numbers
                assertEquals(rate, parseRate(row.rate()), tol, what + " rate " + row.rate());
            }
            String all = String.join("\n", lines);
            if (json.get("groups").findValues("blocking").stream().anyMatch(JsonNode::asBoolean)) {
                assertTrue(all.contains("blocking exits (guest idle; not in %TIME)"), all);
            }
        }
    }

    static double parseRate(String s) {
        double mult = 1;
        if (s.endsWith("k")) mult = 1e3;
        else if (s.endsWith("M")) mult = 1e6;
        if (mult != 1) s = s.substring(0, s.length() - 1);
        return Double.parseDouble(s) * mult;
    }

    @Test
    void mainTableMatchesTheReportOfTheBundledTrace() throws Exception {
        assertTableMatchesReport(PVM);
    }

    @Test
    void mainTableMatchesTheReportOfARealVmxTrace() throws Exception {
        assertTableMatchesReport(SharedTraces.require(VMX));
    }

    @Test
    void sortingByAnyColumnReordersTheRows() throws Exception {
        try (TuiHarness h = TuiHarness.replay(SharedTraces.require(VMX), 150, 50)) {
            h.awaitEnd();
            List<Row> byTime = rows(h.lines());
            assertEquals("APIC_WRITE", byTime.get(0).key(), "default sort is %TIME, largest first");
            // > from %TIME: P50, P90, P99, P99.9, MAX, KEY, H/K/U, COUNT
            for (int i = 0; i < 8; i++) h.key('>');
            List<String> lines = h.lines();
            assertTrue(lines.stream().anyMatch(l -> l.contains("sort COUNT\u25bc")), String.join("\n", lines));
            assertTrue(lines.stream().anyMatch(l -> l.matches(".*COUNT\u25bc.*RATE/s.*")), "sort mark on the COUNT title");
            List<Long> counts = rows(lines).stream().filter(r -> !r.time().equals("-")).map(r -> Long.parseLong(r.count())).toList();
            for (int i = 1; i < counts.size(); i++) assertTrue(counts.get(i - 1) >= counts.get(i), "descending counts " + counts);
            h.key('I');
            counts = rows(h.lines()).stream().filter(r -> !r.time().equals("-")).map(r -> Long.parseLong(r.count())).toList();
            for (int i = 1; i < counts.size(); i++) assertTrue(counts.get(i - 1) <= counts.get(i), "ascending after I " + counts);
            h.key('<'); // back to H/K/U ... then to KEY
            h.key('<');
            List<String> keys = rows(h.lines()).stream().filter(r -> !r.time().equals("-")).map(Row::key).toList();
            List<String> sorted = new ArrayList<>(keys);
            sorted.sort(String.CASE_INSENSITIVE_ORDER);
            assertEquals(sorted, keys, "KEY sorts A to Z");
            h.key('o'); // kvm_stat's o: next column
            assertTrue(h.text().contains("sort H/K/U"), h.text());
        }
    }

    @Test
    void filtersNarrowTheTableAndClearWithC() throws Exception {
        try (TuiHarness h = TuiHarness.replay(PVM, 150, 50)) {
            h.awaitEnd();
            h.key('x'); // subkeys: ports
            List<Row> all = rows(h.lines());
            assertEquals(Set.of("PIO port 0x500 out", "PIO port 0x3f8 out"), keys(all));
            h.key('f');
            h.type("0x500");
            assertTrue(h.lines().get(h.lines().size() - 1).startsWith("filter regex"), "prompt on the last line");
            h.key(KeyType.Enter);
            List<String> lines = h.lines();
            assertEquals(Set.of("PIO port 0x500 out"), keys(rows(lines)), String.join("\n", lines));
            assertTrue(String.join("\n", lines).contains("filter /0x500/"), "the header shows the filter");
            h.key('c');
            assertEquals(2, rows(h.lines()).size());

            h.key('C'); // hardware
            h.key('C'); // kernel
            lines = h.lines();
            assertEquals(List.of("4000"), rows(lines).stream().map(Row::count).toList(), "kernel: the 4000 ioeventfd writes\n" + String.join("\n", lines));
            assertTrue(String.join("\n", lines).contains("filter class kernel"));
            h.key('C'); // userspace
            assertEquals(Set.of("PIO port 0x500 out", "PIO port 0x3f8 out"), keys(rows(h.lines())));
            h.key('c');

            // vCPU filter: the thread of run B (ioeventfd on): what report --tid says
            JsonNode b = new ObjectMapper().readTree(Cli.run("report", "--format", "json", "--by", "subkey", "--tid", "13438", PVM.toString()).out);
            h.key('v');
            h.type("13438");
            h.key(KeyType.Enter);
            lines = h.lines();
            for (JsonNode g : b.get("groups")) {
                String key = g.get("reason").asText() + " " + g.get("subkey").asText();
                Row r = rows(lines).stream().filter(x -> x.key().equals(key)).findFirst().orElseThrow(() -> new AssertionError(key));
                assertEquals(g.get("count").asText(), r.count(), key);
                assertEquals(dur(g.get("p50_ns")), r.p50(), key);
            }
            h.key('c');

            h.key('g'); // VM filter (kvm_stat's g)
            h.type("no-such-vm");
            h.key(KeyType.Enter);
            assertTrue(h.text().contains("(no exits match the filter vm no-such-vm; c clears it)"), h.text());
            h.key('c');
            h.key('f');
            h.type("(unclosed");
            h.key(KeyType.Enter);
            assertTrue(h.lines().get(h.lines().size() - 1).startsWith("bad regex"), "a bad regex is a message, not a crash");
        }
    }

    static Set<String> keys(List<Row> rows) {
        Set<String> s = new HashSet<>();
        for (Row r : rows) s.add(r.key());
        return s;
    }

    @Test
    void groupingCyclesThroughReasonClassSubkeyVcpuAndVm() throws Exception {
        try (TuiHarness h = TuiHarness.replay(PVM, 150, 50)) {
            h.awaitEnd();
            assertTrue(h.text().contains("group reason,class"));
            h.key('k');
            assertEquals(Set.of("PIO port 0x500 out", "PIO port 0x3f8 out"), keys(rows(h.lines())));
            h.key('k');
            assertEquals(Set.of("tid 13435", "tid 13438"), keys(rows(h.lines())));
            h.key('k');
            assertEquals(Set.of("vm kvm-exerciser"), keys(rows(h.lines())));
            h.key('k');
            List<String> lines = h.lines();
            assertTrue(String.join("\n", lines).contains("group reason "), String.join("\n", lines));
            List<Row> r = rows(lines);
            assertEquals(1, r.size(), "one row per reason");
            assertEquals("PIO", r.get(0).key());
            assertEquals("9998", r.get(0).count());
            assertEquals("0/40/60", r.get(0).split(), "4000 of 9998 kernel, the rest userspace");
            h.key('k');
            assertTrue(h.text().contains("group reason,class"), "back to the start");
            h.key('x');
            assertTrue(h.text().contains("group subkey"));
            h.key('x');
            assertTrue(h.text().contains("group reason,class"), "x toggles back");
        }
    }

    @Test
    void detailShowsHistogramPercentilesBreakdownsAndSlowestExits() throws Exception {
        try (TuiHarness h = TuiHarness.replay(PVM, 200, 60)) {
            h.awaitEnd();
            h.key(KeyType.Enter);
            String t = h.text();
            assertTrue(t.contains("exitscope replay \u2502 detail"), t);
            assertTrue(t.contains("PIO [userspace]"), t);
            assertTrue(t.contains("count 5998"), t);
            assertTrue(t.contains("latency histogram"), t);
            assertTrue(t.matches("(?s).*4\\.10us\\.\\.8\\.19us \u2502\u2588+ +5966 \u25c4 p50 p90 p99.*"), "bucket bar with marks\n" + t);
            // the ladder beside the histogram (wide screen), same numbers as the report
            assertTrue(t.matches("(?s).*p50 +5\\.11us.*p90 +5\\.45us.*p99 +7\\.67us.*p99\\.9 +29\\.2us.*max +71\\.7us.*"), t);
            // and their intervals: the same as report --format json's p50_ns_ci [5108, 5111] and p99_ns_ci [7408, 7871]
            assertTrue(t.matches("(?s).*95% confidence intervals.*p50 5\\.1[01]us\\.\\.5\\.11us.*p99 7\\.4[01]us\\.\\.7\\.87us.*mean .*"), t);
            assertTrue(t.contains("per vCPU (2)"), t);
            assertTrue(t.matches("(?s).*tid 13435 +4999 +83\\.3%.*"), t);
            assertTrue(t.contains("per subkey (2)"), t);
            assertTrue(t.contains("slowest exits (10)"), t);
            assertTrue(t.matches("(?s).*71\\.7us +t\\+\\S+ +\\d+ +13435 .*"), "slowest: latency, time, cpu, tid\n" + t);
            h.key(KeyType.Escape);
            assertTrue(h.text().contains("\u2502 exits"), "Esc goes back");
        }
    }

    @Test
    void detailAt80x24ScrollsAndKeepsEverythingReachable() throws Exception {
        try (TuiHarness h = TuiHarness.replay(PVM, 80, 24)) {
            h.awaitEnd();
            h.key(KeyType.Enter);
            StringBuilder seen = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                List<String> l = h.lines();
                seen.append(String.join("\n", l));
                h.key(KeyType.PageDown);
            }
            String t = seen.toString();
            for (String want : new String[]{"latency histogram", "p99.9 29.2us", "per vCPU", "per subkey", "slowest exits", "more below"}) {
                assertTrue(t.contains(want), want + " in\n" + t);
            }
        }
    }

    @Test
    void baselineThenCompareShowsShiftsOfTwoWindows() throws Exception {
        try (TuiHarness h = TuiHarness.replay(PVM, 120, 40, true, Glyphs.UNICODE, true)) {
            h.await(f -> f.progress() != null && !f.progress().playing());
            h.key('d');
            assertTrue(h.text().contains("No baseline yet. Press b"), h.text());
            // run A is in the first 50ms of the trace, run B (ioeventfd on) after it
            h.key('t');
            h.type("50ms");
            h.key(KeyType.Enter);
            h.await(f -> f.progress().positionNs() == 50_000_000L && !f.progress().seeking());
            h.key('b');
            h.await(f -> "t+50.0ms".equals(f.window()));
            h.key(' ');
            h.awaitEnd();
            List<String> lines = h.lines();
            String t = String.join("\n", lines);
            assertTrue(t.contains("A baseline: window t+0..t+50.0ms, 4999 exits"), t);
            assertTrue(t.contains("B now: cumulative since t+50.0ms, 4999 exits"), t);
            // ranked: the kernel-handled PIO exits are new in B (ioeventfd), the userspace ones dropped to the serial port
            int kernel = indexOf(lines, "*PIO [kernel]"), user = indexOf(lines, "PIO [userspace]");
            assertTrue(kernel >= 0 && user > kernel, "kernel row first\n" + t);
            assertTrue(lines.get(kernel).matches(".*0\u21924000 +new.*"), lines.get(kernel));
            assertTrue(lines.get(user).matches(".*4999\u2192999 +-88%.*5\\.41us \u2191\\+6\\.1%.*"), lines.get(user));
            assertTrue(h.text().contains("baseline window t+0..t+50.0ms"), "the header names the baseline");
            h.key(KeyType.Enter);
            assertTrue(h.text().contains("\u2502 detail"), "Enter on a compare row opens its detail");
        }
    }

    @Test
    void sameDataOnBothSidesShowsNoShift() throws Exception {
        try (TuiHarness h = TuiHarness.replay(PVM, 120, 40)) {
            h.awaitEnd();
            h.key('b');
            h.await(f -> f.cumulative().exits() == 0);
            h.key('t');
            h.type("0");
            h.key(KeyType.Enter);
            h.key(' ');
            h.await(f -> f.ended() && f.cumulative().exits() == 9998);
            List<String> lines = h.lines();
            String t = String.join("\n", lines);
            int user = indexOf(lines, "PIO [userspace]");
            assertTrue(user >= 0, t);
            assertTrue(lines.get(user).matches(".*5998\u21925998 +0%.*5\\.11us = .*7\\.67us = .*0\\.00.*"), lines.get(user));
        }
    }

    static int indexOf(List<String> lines, String s) {
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(s)) return i;
        return -1;
    }

    @Test
    void helpListsEveryKey() throws Exception {
        try (TuiHarness h = TuiHarness.replay(PVM, 100, 30)) {
            h.awaitEnd();
            h.key('?');
            StringBuilder seen = new StringBuilder();
            for (int i = 0; i < 12; i++) {
                seen.append(h.text()).append('\n');
                h.key(KeyType.PageDown);
            }
            String t = seen.toString().replaceAll("\\s+", " ");
            for (String k : new String[]{"q Ctrl-C", "? h F1", "Esc Backspace", "Tab", " d ", "O e", " i ", " b ", " B ", " r ", " s ",
                    "Space", "Ctrl-L", "Up Down", "PgUp PgDn", "Home End", "Enter", " > ", " < ", " o ", " I ", "f /", " C ", "g p", " v ",
                    " c ", " k ", " x ", ". n", " + ", " - ", "Left", "Right", " t ", " [ ", " ] ", " j "}) {
                assertTrue(t.contains(k), "help lists '" + k + "'");
            }
            for (String d : new String[]{"quit; the terminal is restored", "sort by the next column", "filter by VM", "grouping: reason",
                    "step one interval", "jump to the slowest exit", "invert the sort order", "What the columns mean"}) {
                assertTrue(t.contains(d), "help says '" + d + "'");
            }
            h.key(KeyType.Escape);
            assertTrue(h.text().contains("\u2502 exits"));
        }
    }

    @Test
    void optimizationsScreenShowsStateEvidenceExitsAndShare() throws Exception {
        try (TuiHarness h = TuiHarness.replay(PVM, 120, 40)) {
            h.awaitEnd();
            h.key('O');
            String t = h.text();
            assertTrue(t.contains("biggest opportunity: ioeventfd port 0x500 out (no ioeventfd), 66.2% of exit time"), t);
            assertTrue(t.matches("(?s).*ioeventfd port 0x500 out +OFF no ioeventfd +4000 +66\\.2% +-.*"), t);
            assertTrue(t.contains("tid 13435 (kvm-exerciser): 4000/4000 writes reach userspace, mean round trip 5.26us"), t);
            assertTrue(t.matches("(?s).*ioeventfd port 0x500 out +ON ioeventfd +4000.*"), t);
            assertTrue(t.contains("tid 13438 (kvm-exerciser): 0/4000 writes reach userspace; 4000 stay in the kernel"), t);
            assertTrue(t.matches("(?s).*KVM built in +ON built in +9998.*"), t);
            assertTrue(t.contains("early exit in request handling"), t);
            assertTrue(t.contains("PROJECTED"), t);
            assertTrue(t.contains("no exit-path model"), t);
        }
    }

    @Test
    void stepSeekAndSpeedDriveTheReplay() throws Exception {
        try (TuiHarness h = TuiHarness.replay(PVM, 120, 40, true, Glyphs.UNICODE, true)) {
            h.await(f -> f.progress() != null);
            assertTrue(h.text().contains("\u2016 paused max t+0"), h.text());
            h.key('.');
            Frame f = h.await(x -> x.progress().positionNs() == 10_000_000L);
            assertEquals(10.0e-3, f.interval().seconds(), 1e-9, "a step is one interval of trace time");
            h.key(']');
            h.await(x -> x.progress().stepNs() == 20_000_000L);
            h.key(KeyType.ArrowRight);
            h.await(x -> x.progress().positionNs() == 30_000_000L && !x.progress().seeking());
            h.key(KeyType.ArrowLeft); // backwards: re-read from the start
            f = h.await(x -> x.progress().positionNs() == 10_000_000L && !x.progress().seeking());
            long exitsAt10 = f.cumulative().exits();
            assertTrue(exitsAt10 > 0);
            h.key('-'); // max -> 100x
            h.await(x -> x.progress().speed() == 100);
            assertTrue(h.text().contains("paused 100x"), h.text());
            h.key('t');
            h.type("0");
            h.key(KeyType.Enter);
            h.key('.');
            f = h.await(x -> x.progress().positionNs() == 20_000_000L && !x.progress().seeking());
            h.key('t');
            h.type("10ms");
            h.key(KeyType.Enter);
            f = h.await(x -> x.progress().positionNs() == 10_000_000L && !x.progress().seeking());
            assertEquals(exitsAt10, f.cumulative().exits(), "seeking back gives the same statistics as stepping there");
            h.key('+');
            h.key(' ');
            h.awaitEnd();
            assertTrue(h.text().contains("\u25a0 end t+131ms"), h.text());
        }
    }

    @Test
    void jumpToTheSlowestExitShowsItsInterval() throws Exception {
        try (TuiHarness h = TuiHarness.replay(PVM, 120, 40)) {
            h.awaitEnd();
            h.key('j');
            String msg = h.lines().get(39);
            assertTrue(msg.startsWith("slowest exit of PIO: 71.7us at t+"), msg);
            Frame f = h.await(x -> !x.ended() && x.progress() != null && !x.progress().seeking() && !x.progress().playing()
                    && x.interval().exits() > 0);
            String t = h.text();
            assertTrue(t.contains("view interval "), t);
            assertTrue(t.matches("(?s).*PIO .*71\\.7us\\s*\n.*"), "the slowest exit is in the interval shown\n" + t);
            assertTrue(f.interval().seconds() > 0);
        }
    }

    @Test
    void resizeTo80x24And200x60KeepsHeaderWholeAndColumnsApart() throws Exception {
        try (TuiHarness h = TuiHarness.replay(SharedTraces.require(VMX), 120, 40)) {
            h.awaitEnd();
            for (int[] size : new int[][]{{80, 24}, {200, 60}, {80, 24}}) {
                h.resize(size[0], size[1]);
                for (char screen : new char[]{'m', 'd', 'O', '?', 'D'}) {
                    h.key(KeyType.Escape);
                    switch (screen) {
                        case 'd' -> h.key('d');
                        case 'O' -> h.key('O');
                        case '?' -> h.key('?');
                        case 'D' -> h.key(KeyType.Enter);
                        default -> { }
                    }
                    List<String> l = h.lines();
                    assertEquals(size[1], l.size());
                    assertEquals(size[0], l.get(0).length());
                    checkHeader(l, size[0], screen);
                }
                h.key(KeyType.Escape);
                checkTable(h.lines(), size[0]);
            }
        }
    }

    /** The title bar and status lines: every segment whole, none cut with an ellipsis. */
    static void checkHeader(List<String> l, int width, char screen) {
        String title = l.get(0);
        assertTrue(title.startsWith("exitscope replay \u2502 "), title);
        assertTrue(title.matches(".*\\d\\d:\\d\\d:\\d\\d$"), "the clock is whole at the right: " + title);
        assertTrue(title.contains("host-kvm-tsc2nsec.dat"), title);
        int end = 1;
        while (end < l.size() && !l.get(end).isBlank() && !l.get(end).startsWith(" KEY") && !l.get(end).startsWith("PIO")
                && !l.get(end).contains("APIC_WRITE") && !l.get(end).startsWith("A baseline") && !l.get(end).startsWith(" Everywhere")
                && !l.get(end).startsWith("optimizations") && end < 5) end++;
        String header = String.join("\n", l.subList(0, end));
        assertFalse(header.contains("\u2026"), "no segment of the header is cut (" + screen + ", " + width + ")\n" + header);
        for (String seg : new String[]{"\u25a0 end t+2.25s", "events 11721", "exits 5858", "lost 0", "group reason,class", "sort %TIME"}) {
            assertTrue(header.contains(seg), seg + " in the header at " + width + " (" + screen + ")\n" + header);
        }
    }

    /** Column titles and values right-aligned on the same edges, with a space between columns. */
    static void checkTable(List<String> l, int width) {
        int hdr = indexOf(l, " KEY ");
        assertTrue(hdr > 0, String.join("\n", l));
        String head = l.get(hdr);
        List<int[]> spans = new ArrayList<>();
        Matcher m = Pattern.compile("\\S+").matcher(head);
        while (m.find()) spans.add(new int[]{m.start(), m.end()});
        int n = spans.size();
        assertEquals(10, n, "all ten columns at " + width + ": " + head);
        int rows = 0;
        for (int i = hdr + 1; i < l.size() - 1; i++) {
            String r = l.get(i).stripTrailing();
            if (!r.matches("^.[A-Z].*")) continue;
            rows++;
            for (int c = 2; c < n; c++) { // numeric columns from COUNT on: right edges shared with the title
                int e = spans.get(c)[1];
                String title = head.substring(spans.get(c)[0], e);
                assertTrue(r.charAt(e - 1) != ' ', "value ends under " + title + " at " + width + ":\n" + head + "\n" + r);
                if (e < r.length()) assertTrue(r.charAt(e) == ' ' || head.charAt(e) != ' ', "space after " + title + ":\n" + head + "\n" + r);
                if (c == 2) continue; // the class column before COUNT is left-aligned: its value may outrun its title
                int start = spans.get(c - 1)[1];
                assertTrue(r.substring(start, e).strip().matches("\\S+"), "one value per column (" + title + "):\n" + head + "\n" + r);
            }
        }
        assertTrue(rows >= 8, "rows at " + width + "\n" + String.join("\n", l));
    }

    @Test
    void noColorAndAsciiModes() throws Exception {
        try (TuiHarness h = TuiHarness.replay(PVM, 80, 24, false, Glyphs.ASCII, false)) {
            h.awaitEnd();
            for (char k : new char[]{'m', 'D', 'b', 'O', '?'}) {
                h.key(KeyType.Escape);
                if (k == 'D') h.key(KeyType.Enter);
                else if (k != 'm') h.key(k);
                List<String> lines = h.lines();
                for (int r = 0; r < lines.size(); r++) {
                    for (int c = 0; c < lines.get(r).length(); c++) {
                        assertTrue(lines.get(r).charAt(c) < 128, "ASCII only: '" + lines.get(r).charAt(c) + "' in\n" + lines.get(r));
                        var ch = h.at(c, r);
                        if (ch.getForegroundColor() != TextColor.ANSI.DEFAULT || ch.getBackgroundColor() != TextColor.ANSI.DEFAULT) {
                            fail("colour with NO_COLOR at " + c + "," + r + " screen " + k + ": " + lines.get(r));
                        }
                    }
                }
            }
        }
    }

    @Test
    void colourModeUsesColours() throws Exception {
        try (TuiHarness h = TuiHarness.replay(PVM, 80, 24)) {
            h.awaitEnd();
            h.lines();
            assertNotNull(h.at(0, 0));
            assertEquals(TextColor.ANSI.BLUE, h.at(0, 0).getBackgroundColor(), "title bar");
        }
    }

    @Test
    void aDamagedTraceShowsTheErrorAndWhatWasReadBeforeIt(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        byte[] d = java.nio.file.Files.readAllBytes(PVM);
        for (int i = 1_150_000; i < 1_150_064; i++) d[i] ^= 0x5a; // inside a compressed chunk of the event data
        Path bad = dir.resolve("damaged.dat");
        java.nio.file.Files.write(bad, d);
        try (TuiHarness h = TuiHarness.replay(bad, 80, 24)) {
            Frame f = h.await(x -> x.error() != null);
            assertTrue(f.ended());
            String t = h.text();
            assertTrue(t.contains("ERROR: " + bad + ": at byte"), t);
            assertTrue(t.replaceAll("\\s+", " ").contains("bad compressed chunk"), "the whole message, wrapped\n" + t);
            assertTrue(rows(h.lines()).isEmpty() || t.contains("PIO"), t);
            assertTrue(f.cumulative().exits() > 0, "what was read before the damage is kept");
        }
    }
}
