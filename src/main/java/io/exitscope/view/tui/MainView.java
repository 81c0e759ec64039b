package io.exitscope.view.tui;

import io.exitscope.exit.ExitClass;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.view.report.ReportData;

import java.util.ArrayList;
import java.util.List;

/** The main table: one row per key, blocking (idle) exits apart below the others. */
final class MainView {
    private MainView() {}

    /** Column positions for a width; the key column takes what the numbers leave. */
    static final class Layout {
        final List<Column> cols = new ArrayList<>();
        final int[] x = new int[Column.values().length];
        final int[] w = new int[Column.values().length];
        final boolean wide;

        Layout(int width) {
            wide = width >= 110;
            for (Column c : Column.values()) {
                cols.add(c);
                w[c.ordinal()] = switch (c) {
                    case KEY -> 0;
                    case CLASS -> wide ? 8 : 5;
                    case COUNT -> wide ? 8 : 6;
                    case RATE -> wide ? 7 : 5;
                    case TIME -> wide ? 7 : 6;
                    default -> wide ? 7 : 6;
                };
            }
            Column[] dropOrder = {Column.P90, Column.P999, Column.RATE, Column.CLASS, Column.P50};
            int d = 0;
            while (true) {
                int used = 1;
                for (Column c : cols) if (c != Column.KEY) used += w[c.ordinal()] + 1;
                int key = width - used;
                if (key >= 12 || d >= dropOrder.length) {
                    w[Column.KEY.ordinal()] = Math.max(1, Math.min(key, wide ? 48 : key));
                    break;
                }
                cols.remove(dropOrder[d++]);
            }
            int col = 1;
            for (Column c : cols) {
                x[c.ordinal()] = col;
                col += w[c.ordinal()] + 1;
            }
        }

        int end() {
            Column last = cols.get(cols.size() - 1);
            return x[last.ordinal()] + w[last.ordinal()];
        }

        boolean numeric(Column c) {
            return c != Column.KEY && c != Column.CLASS;
        }
    }

    static void render(Canvas c, TuiApp app, Frame f, int top, int bottom) {
        Side s = f.side(app.intervalView);
        Layout L = new Layout(c.width);
        // column titles
        c.fill(top, Style.HEADER);
        for (Column col : L.cols) {
            int w = L.w[col.ordinal()];
            String t = title(col, app, c.glyphs, w);
            if (L.numeric(col)) c.right(L.x[col.ordinal()], top, w, t, Style.HEADER);
            else c.left(L.x[col.ordinal()], top, w, t, Style.HEADER);
        }
        int first = top + 1;
        app.pageRows = Math.max(1, bottom - first);
        app.truncatedSelection = null;
        if (s == null) return;
        TableModel m = app.table(s);
        if (m.size() == 0) {
            String why = app.filter.active() ? "(no exits match the filter " + app.filter.describe() + "; c clears it)"
                    : s.exits == 0 ? "(no exits yet)" : "(no exits)";
            c.text(1, first + 1, Text.fit(why, c.width - 2, c.glyphs), Style.DIM);
            return;
        }
        // keep the selection on the same key across refreshes and re-sorts
        if (app.selKey != null) {
            int i = m.indexOf(app.selKey);
            if (i >= 0) app.sel = i;
        }
        app.sel = Math.max(0, Math.min(app.sel, m.size() - 1));
        app.selKey = m.get(app.sel).g().key();
        String selText = Agg.keyText(app.selKey);
        if (selText.length() > L.w[Column.KEY.ordinal()]) app.truncatedSelection = selText;

        // items: rows, and a separator before the blocking ones
        int sepAt = m.blocking.isEmpty() ? -1 : m.main.size();
        int items = m.size() + (sepAt >= 0 ? 1 : 0);
        int selItem = app.sel + (sepAt >= 0 && app.sel >= sepAt ? 1 : 0);
        int rows = bottom - first;
        boolean scrolls = items > rows;
        if (scrolls) rows = Math.max(1, rows - 1); // the last line says what is out of view
        if (selItem < app.tableTop) app.tableTop = selItem;
        if (selItem >= app.tableTop + rows) app.tableTop = selItem - rows + 1;
        app.tableTop = Math.max(0, Math.min(app.tableTop, Math.max(0, items - rows)));
        for (int r = 0; r < rows; r++) {
            int item = app.tableTop + r;
            if (item >= items) break;
            int y = first + r;
            if (sepAt >= 0 && item == sepAt) {
                String t = c.glyphs.hline(2) + " blocking exits (guest idle; not in %TIME) ";
                c.text(1, y, t + c.glyphs.hline(Math.max(0, L.end() - 1 - t.length())), Style.DIM);
                continue;
            }
            int idx = sepAt >= 0 && item > sepAt ? item - 1 : item;
            row(c, L, m.get(idx), y, idx == app.sel);
        }
        if (scrolls) {
            int above = app.tableTop, below = Math.max(0, items - app.tableTop - rows);
            String more = (above > 0 ? c.glyphs.up + " " + above + " above  " : "") + (below > 0 ? c.glyphs.down + " " + below + " below  " : "")
                    + "row " + (app.sel + 1) + "/" + m.size();
            c.text(1, first + rows, Text.fit(more, c.width - 2, c.glyphs), Style.DIM);
        }
    }

    static String title(Column col, TuiApp app, Glyphs g, int w) {
        String t = col.title;
        if (col == Column.CLASS && w < 8) t = "HKU";
        if (col == Column.RATE && w < 7) t = "RATE";
        if (app.sort == col) {
            t = t + (col.descending != app.invert ? g.sortDesc : g.sortAsc);
            if (t.length() > w && col == Column.RATE) t = "RAT" + (col.descending != app.invert ? g.sortDesc : g.sortAsc);
        }
        return t;
    }

    static void row(Canvas c, Layout L, TableModel.Row r, int y, boolean selected) {
        StatsSnapshot.Group g = r.g();
        Style base = selected ? Style.SELECTED : Style.NORMAL;
        if (selected) {
            c.fillRange(0, L.end(), y, Style.SELECTED);
            c.text(0, y, String.valueOf(c.glyphs.sel), Style.SELECTED);
        }
        boolean timed = g.measured() > 0;
        for (Column col : L.cols) {
            int x = L.x[col.ordinal()], w = L.w[col.ordinal()];
            switch (col) {
                case KEY -> c.left(x, y, w, Agg.keyText(g.key()), base);
                case CLASS -> classCell(c, x, y, w, g, selected, L.wide);
                case COUNT -> c.right(x, y, w, Text.count(g.count()), base);
                case RATE -> c.right(x, y, w, Text.rate(r.rate()), base);
                case TIME -> c.right(x, y, w, Text.pct(r.share()), base);
                case P50, P90, P99, P999 -> c.right(x, y, w, timed ? Text.dur(g.percentile(col.percentile.value)) : "-", base);
                case MAX -> c.right(x, y, w, timed ? Text.dur(g.max()) : "-", base);
            }
        }
    }

    /** H/K/U percentages when wide; a class word or a 5-letter bar when narrow. */
    static void classCell(Canvas c, int x, int y, int w, StatsSnapshot.Group g, boolean selected, boolean wide) {
        if (wide) {
            c.left(x, y, w, ReportData.classSplit(g), selected ? Style.SELECTED : Style.NORMAL);
            return;
        }
        ExitClass only = Agg.singleClass(g);
        if (only != null) {
            String word = switch (only) {
                case HARDWARE -> "hw";
                case KERNEL -> "kern";
                case USERSPACE -> "user";
                case UNKNOWN -> "?";
            };
            c.left(x, y, w, word, selected ? Style.SELECTED : classStyle(only));
            return;
        }
        ExitClass[] cls = ExitClass.values();
        double[] f = new double[cls.length];
        for (int i = 0; i < cls.length; i++) f[i] = Agg.classFraction(g, cls[i]);
        int[] n = cells(f, w);
        int col = x;
        for (int i = 0; i < cls.length; i++) {
            if (n[i] == 0) continue;
            c.text(col, y, String.valueOf(cls[i].letter).repeat(n[i]), selected ? Style.SELECTED : classStyle(cls[i]));
            col += n[i];
        }
    }

    /** Splits {@code w} cells by fractions; every class present gets at least one cell. */
    static int[] cells(double[] f, int w) {
        int[] n = new int[f.length];
        int present = 0;
        for (double v : f) if (v > 0) present++;
        int left = w;
        for (int i = 0; i < f.length; i++) {
            if (f[i] > 0) {
                n[i] = 1;
                left--;
            }
        }
        if (present == 0) return n;
        // hand out the remaining cells by largest remainder
        double[] want = new double[f.length];
        for (int i = 0; i < f.length; i++) want[i] = f[i] * w - n[i];
        while (left > 0) {
            int best = -1;
            for (int i = 0; i < f.length; i++) if (f[i] > 0 && (best < 0 || want[i] > want[best])) best = i;
            n[best]++;
            want[best] -= 1;
            left--;
        }
        return n;
    }

    static Style classStyle(ExitClass c) {
        return switch (c) {
            case HARDWARE -> Style.CLASS_H;
            case KERNEL -> Style.CLASS_K;
            case USERSPACE -> Style.CLASS_U;
            case UNKNOWN -> Style.DIM;
        };
    }
}
