package io.exitscope.view.tui;

import io.exitscope.stats.ExitKey;
import io.exitscope.stats.GroupBy;
import io.exitscope.util.Durations;
import io.exitscope.view.Heatmap;
import io.exitscope.view.LogBuckets;
import io.exitscope.view.tui.feed.Frame;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The heatmap screen: time across (the feed's columns: replay steps, live refresh intervals),
 * power-of-two latency buckets up (slowest at the top, exits that were not timed on a row of
 * their own at the bottom), each cell shaded by its exits on a log scale, with each column's p50
 * and p99 drawn over it. Shows the selected key or every non-blocking exit of the view (the
 * filters apply). A cursor picks a column; Enter shows that interval's table.
 *
 * <p>Its own state: what is shown, the cursor, and where the screen returns to.
 */
final class HeatmapView implements View {
    /** What Enter on a column asks of the app: the main table on that interval. */
    interface Host {
        /** The main table's interval view of {@code [startTs, endTs)} of the trace (replay), and a message. */
        void showInterval(long startTs, long endTs, String message);

        /** The main table's interval view of the last interval (live), and a message. */
        void showLastInterval(String message);

        void warn(String message);
    }

    /** The key shown; null: the whole view. */
    private ExitKey key;
    private GroupBy by;
    /** Cursor column; -1 follows the newest column. */
    private int cursor = -1;
    private ViewId back = ViewId.MAIN;
    /** Columns on screen at the last draw (a page). */
    private int visible = 40;

    /** Opens the screen on {@code key} in grouping {@code by} (null: the whole view), coming from {@code from}. */
    void open(ExitKey key, GroupBy by, ViewId from) {
        this.key = key;
        this.by = by;
        this.cursor = -1;
        this.back = from;
    }

    /** The fine keys shown: the filter's, and those under the key (or every non-blocking one). */
    Predicate<ExitKey> selection(Filter filter) {
        ExitKey k = key;
        GroupBy b = by;
        return fine -> filter.test(fine) && (k == null ? !fine.blocking() : fine.under(b).equals(k));
    }

    /** {@code m} on the screen: the whole view, or back to the key {@code selected} (of the screen it came from; null: none). */
    void toggleKey(ExitKey selected) {
        key = key != null ? null : selected;
    }

    ViewId back() {
        return back;
    }

    /** Up and Down mean nothing here (Left/Right, PgUp/PgDn, Home/End move the cursor: {@link #handle}). */
    @Override
    public void move(Action a, Scene s) {
        // nothing to scroll
    }

    @Override
    public List<String[]> hints(boolean replay, Glyphs g) {
        List<String[]> h = new ArrayList<>();
        h.add(new String[]{"Esc", "back"});
        h.add(new String[]{g.unicode ? "\u2190\u2192" : "<- ->", "cursor"});
        h.add(new String[]{"Enter", "its table"});
        h.add(new String[]{"m", key == null ? "selected key" : "whole view"});
        h.add(new String[]{"i", "interval"});
        return h;
    }

    String what() {
        return key == null ? "all exits but blocking ones" : Agg.keyText(key) + (key.exitClass() == null ? "" : " [" + key.exitClass().label + "]");
    }

    /** Keys that mean something here; true when handled. */
    boolean handle(Action a, Scene scene, Host host) {
        Frame f = scene.frame();
        int n = f == null ? 0 : f.timeline().columns().size();
        int at = cursor < 0 ? n - 1 : Math.min(cursor, n - 1);
        switch (a) {
            case SEEK_BACK -> cursor = Math.max(0, at - 1);
            case SEEK_FWD -> cursor = at + 1 >= n - 1 ? -1 : at + 1;
            case PAGE_UP -> cursor = Math.max(0, at - Math.max(1, visible - 1));
            case PAGE_DOWN -> cursor = at + visible - 1 >= n - 1 ? -1 : at + visible - 1;
            case HOME -> cursor = 0;
            case END -> cursor = -1;
            case DETAIL -> jump(scene, host, at);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Shows the interval of column {@code at} in the main table's interval view. */
    private static void jump(Scene scene, Host host, int at) {
        Frame f = scene.frame();
        if (f == null || at < 0) return;
        Heatmap.Column c = f.timeline().columns().get(at);
        String span = Text.rel(c.startTs() - f.originTs()) + ".." + Text.rel(c.endTs() - f.originTs());
        if (scene.replay()) {
            host.showInterval(c.startTs(), c.endTs(), "interval " + span + " (interval view; i: cumulative)");
        } else if (at == f.timeline().columns().size() - 1) {
            host.showLastInterval("the last interval (interval view; i: cumulative)");
        } else {
            host.warn("live cannot go back to " + span + ": the heatmap keeps buckets, not tables (record with -o and replay to open any interval)");
        }
    }

    @Override
    public void render(Canvas c, Scene scene, int top, int bottom) {
        Frame f = scene.frame();
        Filter filter = scene.filter();
        Glyphs g = c.glyphs;
        Heatmap.Timeline t = f.timeline();
        Heatmap.Grid grid = t.grid(selection(filter));
        int n = grid.columns();
        long total = grid.timed + grid.untimedTotal;
        int row = top;
        String title = "HEATMAP " + what();
        c.text(1, row, Text.fit(title, c.width - 2, g), Style.BOLD);
        row++;
        String counts = Text.count(total) + " exits" + (grid.untimedTotal > 0 ? " (" + Text.count(grid.untimedTotal) + " not timed)" : "")
                + ", " + n + " columns of " + (t.widthNs() == 0 ? "-" : Durations.format(t.widthNs())) + (filter == Filter.NONE ? "" : ", filtered");
        c.text(1, row, Text.fit(counts, c.width - 2, g), Style.DIM);
        row++;
        if (n == 0 || total == 0) {
            c.text(1, row + 1, "no exits yet" + (f.ended() ? "" : g.ellipsis), Style.DIM);
            return;
        }
        int labelW = 8;
        int plotW = Math.max(1, c.width - labelW - 2);
        int colW = Math.max(1, plotW / n); // few columns: wider cells, so the screen's width is used
        int fit = Math.max(1, plotW / colW);
        visible = fit;
        int at = cursor < 0 ? n - 1 : Math.min(cursor, n - 1);
        int first = Math.max(0, at - fit + 1);
        if (cursor >= 0) first = Math.max(0, Math.min(at - fit / 4, n - fit)); // moving back keeps some columns to the left
        first = Math.max(0, Math.min(first, at));
        int last = Math.min(n, first + fit);

        // rows: cursor line, grid, untimed row, axis, time labels, legend
        boolean untimedRow = grid.untimedTotal > 0;
        int gridRows = Math.max(1, bottom - row - 4 - (untimedRow ? 1 : 0));
        int buckets = grid.hi < 0 ? 0 : grid.hi - grid.lo + 1;
        int per = buckets == 0 ? 1 : (buckets + gridRows - 1) / gridRows; // buckets per row when they do not all fit
        int bands = buckets == 0 ? 0 : (buckets + per - 1) / per;
        int bandH = bands == 0 ? 1 : Math.max(1, Math.min(3, gridRows / bands)); // few buckets: taller rows

        Heatmap.Column cur = t.columns().get(at);
        int p50 = grid.percentileBucket(at, 50), p99 = grid.percentileBucket(at, 99);
        String cursorText = "cursor " + Text.rel(cur.startTs() - f.originTs()) + ".." + Text.rel(cur.endTs() - f.originTs()) + ": "
                + Text.count(grid.timed(at) + grid.untimed(at)) + " exits"
                + (p50 < 0 ? "" : ", p50 " + range(p50) + ", p99 " + range(p99));
        c.text(1, row, Text.fit(cursorText, c.width - 2, g), Style.NORMAL);
        row++;

        int plotX = labelW + 1;
        for (int b = 0; b < bands; b++) {
            int hiB = grid.hi - b * per, loB = Math.max(grid.lo, hiB - per + 1);
            int lineRow = bandH / 2; // the band's label and percentile marks sit on its middle row
            for (int sub = 0; sub < bandH; sub++) {
                int y = row + b * bandH + sub;
                if (sub == lineRow) c.right(0, y, labelW, Durations.format(LogBuckets.lowNs(loB)), Style.DIM);
                c.text(labelW, y, String.valueOf(g.vline), Style.DIM);
                for (int i = first; i < last; i++) {
                    long cnt = 0;
                    for (int k = loB; k <= hiB; k++) cnt += grid.count(i, k);
                    String cell;
                    Style st;
                    boolean has50 = inRow(grid.percentileBucket(i, 50), loB, hiB), has99 = inRow(grid.percentileBucket(i, 99), loB, hiB);
                    if (sub == lineRow && (has50 || has99)) {
                        cell = String.valueOf(has50 && has99 ? g.bothLines : has50 ? g.p50Line : g.p99Line);
                        st = i == at ? Style.SELECTED : Style.MARK;
                    } else {
                        int lv = grid.level(cnt, 4);
                        cell = lv > 0 ? String.valueOf(g.shades[lv - 1]) : " ";
                        st = lv > 0 ? heat(lv) : i == at ? Style.SELECTED : Style.NORMAL;
                    }
                    if (!cell.equals(" ") || st != Style.NORMAL) c.text(plotX + (i - first) * colW, y, cell.repeat(colW), st);
                }
            }
        }
        row += bands * bandH;
        if (untimedRow) {
            c.right(0, row, labelW, "untimed", Style.DIM);
            c.text(labelW, row, String.valueOf(g.vline), Style.DIM);
            for (int i = first; i < last; i++) {
                int lv = Heatmap.Grid.level(grid.untimed(i), grid.maxUntimed, 4);
                int x = plotX + (i - first) * colW;
                if (lv > 0) c.text(x, row, String.valueOf(g.shades[lv - 1]).repeat(colW), heat(lv));
                else if (i == at) c.text(x, row, " ".repeat(colW), Style.SELECTED);
            }
            row++;
        }
        // axis with the cursor mark, then the times of the left edge and the right edge
        c.text(labelW, row, g.hline((last - first) * colW + 1), Style.DIM);
        c.text(plotX + (at - first) * colW, row, String.valueOf(g.up).repeat(colW), Style.SELECTED);
        row++;
        String left = Text.rel(t.columns().get(first).startTs() - f.originTs());
        String right = Text.rel(t.columns().get(last - 1).endTs() - f.originTs());
        c.text(plotX, row, left, Style.DIM);
        c.text(Math.max(plotX + left.length() + 1, plotX + (last - first) * colW - right.length()), row, right, Style.DIM);
        row++;
        if (row < bottom) {
            String legend = " " + new String(g.shades) + " exits per cell (log scale, most " + Text.count(grid.maxCell) + ")  "
                    + g.p50Line + " p50  " + g.p99Line + " p99  " + g.bothLines + " both";
            c.text(0, row, Text.fit(legend, c.width, g), Style.DIM);
        }
    }

    private static boolean inRow(int bucket, int lo, int hi) {
        return bucket >= lo && bucket <= hi;
    }

    private static String range(int bucket) {
        return Durations.format(LogBuckets.lowNs(bucket)) + "-" + Durations.format(LogBuckets.lowNs(Math.min(62, bucket + 1)));
    }

    private static Style heat(int level) {
        return switch (level) {
            case 1 -> Style.HEAT_1;
            case 2 -> Style.HEAT_2;
            case 3 -> Style.HEAT_3;
            default -> Style.HEAT_4;
        };
    }
}
