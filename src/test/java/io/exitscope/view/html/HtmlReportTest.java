package io.exitscope.view.html;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exitscope.testutil.Cli;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code report --format html} and {@code compare --format html} held to their JSON: every
 * figure the page carries ({@code data-field}/{@code data-value}) equals the JSON report's (and
 * the triage JSON's findings), for each bundled trace; the page is one file under 1 MB that names
 * no http(s) resource. Headless Chromium then opens the report page (once: it takes seconds to
 * start on a loaded machine): no console message, no resource reference in the DOM it built, the
 * same figures in that DOM, and a screenshot that shows the heatmap and the histograms.
 */
class HtmlReportTest {
    static final String[] TRACES = {"traces/pvm-ioeventfd-ab.dat", "traces/sim-s390-diag500-ioeventfd-off.dat",
            "traces/sim-s390-diag500-ioeventfd-on.dat", "traces/sim-s390-hypercall-kernel-4.4.dat"};
    static final ObjectMapper JSON = new ObjectMapper();
    static final Pattern FIELD = Pattern.compile("data-field=\"([^\"]*)\" data-value=\"([^\"]*)\"");

    /** The figures of one part of a page, in document order: top-level facts, then per group / notification / finding rows. */
    record Page(Map<String, String> facts, List<Map<String, String>> groups, List<Map<String, String>> notes,
                List<Map<String, String>> findings, List<Map<String, String>> shifts, long heatmapExits) {}

    static String unescape(String s) {
        return s.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    static Map<String, String> fields(String html) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = FIELD.matcher(html);
        while (x.find()) m.putIfAbsent(x.group(1), unescape(x.group(2)));
        return m;
    }

    /** The rows that start with {@code marker} (up to the end of their row). */
    static List<Map<String, String>> rows(String html, String marker) {
        List<Map<String, String>> out = new ArrayList<>();
        int i = html.indexOf(marker);
        while (i >= 0) {
            int end = html.indexOf("</tr>", i);
            out.add(fields(html.substring(i, end)));
            i = html.indexOf(marker, end);
        }
        return out;
    }

    static Page parse(String html) {
        int table = html.indexOf("<tr data-group");
        Map<String, String> facts = fields(table < 0 ? html : html.substring(0, table));
        Matcher hm = Pattern.compile("data-heatmap(?:=\"\")? data-field=\"heatmap_exits\" data-value=\"(\\d+)\"").matcher(html);
        return new Page(facts, rows(html, "<tr data-group"), rows(html, "<tr data-notification"), rows(html, "<tr data-finding"),
                rows(html, "<tr data-shift"), hm.find() ? Long.parseLong(hm.group(1)) : -1);
    }

    static String text(JsonNode n) {
        return n == null ? null : n.isNull() ? "null" : n.isTextual() ? n.asText() : n.toString();
    }

    /** Every figure of the JSON report is on the page, with the same value. */
    static void assertSameFigures(JsonNode json, JsonNode triage, Page p, String what) {
        for (String f : new String[]{"events", "exits", "incomplete_exits", "lost_events", "partial", "group_by"}) {
            assertEquals(text(json.get(f)), p.facts().get(f), what + ": " + f);
        }
        assertEquals(json.get("last_ts_ns").asLong() - json.get("first_ts_ns").asLong(), Long.parseLong(p.facts().get("span_ns")), what + ": span");
        JsonNode groups = json.get("groups");
        assertEquals(groups.size(), p.groups().size(), what + ": groups");
        long nonBlocking = 0;
        for (int i = 0; i < groups.size(); i++) {
            JsonNode g = groups.get(i);
            Map<String, String> row = p.groups().get(i);
            for (String f : new String[]{"reason", "class", "subkey", "vcpu", "vm", "count", "measured", "total_ns", "share",
                    "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns"}) {
                assertEquals(text(g.get(f)), row.get(f), what + ": group " + i + " " + f);
            }
            if (!g.get("blocking").asBoolean()) nonBlocking += g.get("count").asLong();
        }
        assertEquals(nonBlocking, p.heatmapExits(), what + ": the heatmap holds every non-blocking exit");
        JsonNode notes = json.get("evidence").get("notifications");
        assertEquals(notes.size(), p.notes().size(), what + ": notifications");
        for (int i = 0; i < notes.size(); i++) {
            for (String f : new String[]{"address", "tid", "to_userspace", "in_kernel", "verdict"}) {
                assertEquals(text(notes.get(i).get(f)), p.notes().get(i).get(f), what + ": notification " + i + " " + f);
            }
        }
        JsonNode findings = triage.get("findings");
        assertEquals(findings.size(), p.findings().size(), what + ": findings");
        for (int i = 0; i < findings.size(); i++) {
            for (String f : new String[]{"kind", "key", "share"}) {
                assertEquals(text(findings.get(i).get(f)), p.findings().get(i).get(f), what + ": finding " + i + " " + f);
            }
        }
    }

    /** JSON outputs, made once per arguments: the tests ask for the same ones (a run takes seconds on a loaded machine). */
    static final Map<List<String>, JsonNode> RUNS = new java.util.concurrent.ConcurrentHashMap<>();

    static JsonNode run(String... args) throws Exception {
        JsonNode known = RUNS.get(List.of(args));
        if (known != null) return known;
        Cli r = Cli.run(args);
        assertEquals(0, r.code, r.toString());
        JsonNode n = JSON.readTree(r.out);
        RUNS.put(List.of(args), n);
        return n;
    }

    static String page(Path out, String... args) throws Exception {
        Cli r = Cli.run(args);
        assertEquals(0, r.code, r.toString());
        assertEquals("", r.out, "the page goes to -o only");
        long size = Files.size(out);
        assertTrue(size > 1000 && size <= 1_000_000, "one page, at most 1 MB: " + size + " bytes");
        String html = Files.readString(out);
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.endsWith("</html>\n"), "a whole page");
        assertFalse(html.matches("(?s).*https?://.*"), "no http(s) reference in " + out);
        assertFalse(html.contains("<script"), "no script");
        return html;
    }

    @Test
    void reportPagesCarryTheFiguresOfTheJsonReportAndTriage(@TempDir Path dir) throws Exception {
        for (String t : TRACES) {
            Path out = dir.resolve(Path.of(t).getFileName() + ".html");
            String html = page(out, "report", "--format", "html", "-o", out.toString(), t);
            assertSameFigures(run("report", "--format", "json", t), run("triage", "--format", "json", t), parse(html), t);
        }
        // another grouping, and the blocking option, carry through as well
        Path out = dir.resolve("subkey.html");
        String t = TRACES[0];
        String html = page(out, "report", "--format", "html", "--by", "subkey,vcpu", "-o", out.toString(), t);
        assertSameFigures(run("report", "--format", "json", "--by", "subkey,vcpu", t), run("triage", "--format", "json", t), parse(html), t + " by subkey,vcpu");
    }

    @Test
    void chromiumOpensTheReportWithoutErrorsOrNetworkAndShowsTheSameFigures(@TempDir Path dir) throws Exception {
        String t = TRACES[0];
        Path out = dir.resolve("report.html");
        String html = page(out, "report", "--format", "html", "-o", out.toString(), t);
        Path chromium = chromium();
        Path png = dir.resolve("report.png");
        Browser b = browse(chromium, dir, out, "--dump-dom", "--screenshot=" + png, "--window-size=1280,2000"); // one start: both
        String dom = b.stdout();
        assertTrue(dom.contains("exitscope report") && dom.contains("<svg"), "the DOM Chromium built\n" + dom.substring(0, Math.min(500, dom.length())));
        assertNoConsoleAndNoResources(b, dom);
        Page fromFile = parse(html), fromDom = parse(dom);
        assertSameFigures(run("report", "--format", "json", t), run("triage", "--format", "json", t), fromDom, "the DOM of " + t);
        assertEquals(fromFile, fromDom, "the browser sees what the file says");
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1280, img.getWidth());
        assertEquals(2000, img.getHeight());
        // the heatmap's darkest colour (#a50026) and the bars' blue (#4292c6) are drawn
        Set<Integer> colors = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 2) for (int x = 0; x < img.getWidth(); x += 2) colors.add(img.getRGB(x, y) & 0xffffff);
        assertTrue(colors.contains(0xa50026) && colors.contains(0x4292c6), "heatmap and histogram colours in the screenshot (" + colors.size() + " colours)");
        Path keep = Path.of("target", "html-report-screenshot.png"); // for a person to look at
        Files.copy(png, keep, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void comparePageHasTheRankingOfCompareJsonAndBothSides(@TempDir Path dir) throws Exception {
        String t = TRACES[0];
        Path out = dir.resolve("compare.html");
        String[] common = {"--a-tid", "13435", "--b-tid", "13438", t, t};
        List<String> args = new ArrayList<>(List.of("compare", "--format", "html", "-o", out.toString()));
        args.addAll(List.of(common));
        String html = page(out, args.toArray(new String[0]));
        List<String> jargs = new ArrayList<>(List.of("compare", "--format", "json"));
        jargs.addAll(List.of(common));
        JsonNode json = run(jargs.toArray(new String[0]));
        List<Map<String, String>> shifts = parse(html).shifts();
        JsonNode js = json.get("shifts");
        assertEquals(js.size(), shifts.size(), "shifts");
        for (int i = 0; i < js.size(); i++) {
            for (String f : new String[]{"key", "a_count", "b_count", "a_p50_ns", "b_p50_ns", "a_p99_ns", "b_p99_ns", "score"}) {
                assertEquals(text(js.get(i).get(f)), shifts.get(i).get(f), "shift " + i + " " + f);
            }
        }
        int a = html.indexOf("data-side=\"a\""), bSide = html.indexOf("data-side=\"b\"");
        assertTrue(a > 0 && bSide > a, "both sides");
        // side B (side A is the same code over the other thread)
        assertSameFigures(run("report", "--format", "json", "--by", "subkey", "--tid", "13438", t), run("triage", "--format", "json", "--tid", "13438", t),
                parse(html.substring(bSide)), "side B");
    }

    // ------------------------------------------------------------------ Chromium

    record Browser(String stdout, String stderr) {}

    static Path chromiumOrNull() {
        for (String p : new String[]{"/usr/bin/chromium", "/usr/bin/chromium-browser"}) if (Files.isExecutable(Path.of(p))) return Path.of(p);
        return null;
    }

    static Path chromium() {
        Path p = chromiumOrNull();
        Assumptions.assumeTrue(p != null, "chromium is not installed (apt-get install chromium; .ci/run does)");
        return p;
    }

    /** Opens {@code page} in headless Chromium with a fresh profile, nothing in the background, console to stderr. */
    static Browser browse(Path chromium, Path dir, Path page, String... what) throws Exception {
        Path profile = Files.createTempDirectory(dir, "chromium-profile");
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--enable-logging=stderr", "--v=0"));
        cmd.addAll(List.of(what));
        cmd.add(page.toUri().toString());
        File out = dir.resolve("chromium.out").toFile(), err = dir.resolve("chromium.err").toFile();
        Process p = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90s: " + cmd);
        }
        String o = Files.readString(out.toPath()), e = Files.readString(err.toPath());
        assertEquals(0, p.exitValue(), "chromium " + what[0] + "\n" + e);
        return new Browser(o, e);
    }

    /** No console message at all (the page has no script; a failed load or a CSS error would show here), no resource in the DOM. */
    static void assertNoConsoleAndNoResources(Browser b, String dom) {
        for (String l : b.stderr().lines().toList()) assertFalse(l.contains(":CONSOLE"), "console message: " + l);
        Matcher m = Pattern.compile("(?i)\\s(src|href|srcset|xlink:href|poster|data)\\s*=|url\\(|@import").matcher(dom);
        assertFalse(m.find(), "a resource reference in the DOM: " + (m.hitEnd() ? "" : dom.substring(Math.max(0, m.start() - 60), Math.min(dom.length(), m.end() + 60))));
        assertFalse(dom.matches("(?s).*https?://.*"), "no http(s) in the DOM");
    }
}
