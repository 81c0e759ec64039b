package io.exitscope.view.tui;

import io.exitscope.exit.ExitClass;
import io.exitscope.stats.ExitKey;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.view.report.ReportData;
import io.exitscope.view.tui.feed.Side;

import java.util.ArrayList;
import java.util.List;

/**
 * The main table: one row per key, blocking (idle) exits apart below the others. Its own state:
 * the sort, the selected row (kept on its key across refreshes and re-sorts) and the scroll.
 */
final class MainView implements View {
    private Column sort = Column.TIME;
    private boolean invert;
    private int sel, tableTop;
    private ExitKey selKey;
    private int pageRows = 10;
    /** The selected row's key when the table had to cut it (shown whole in the footer), else null. */
    private String truncatedSelection;

    private Side cachedSide;
    private String cachedSpec;
    private TableModel cachedModel;

    /** The rows of a side through a lens in this sort, made once per frame and setting. */
    TableModel table(Side s, Lens lens) {
        String spec = lens.spec() + "|" + sort + "|" + invert;
        if (s != cachedSide || !spec.equals(cachedSpec)) {
            cachedModel = new TableModel(s, lens.grouping(), lens.filter(), sort, invert);
            cachedSide = s;
            cachedSpec = spec;
        }
        return cachedModel;
    }

    /** The selected row, null when the table is empty. */
    TableModel.Row selectedRow(Scene s) {
        if (s.side() == null) return null;
        TableModel m = table(s.side(), s.lens());
        return m.size() == 0 ? null : m.get(clamp(sel, m.size()));
    }

    /** The key of the selected row, null when the table is empty. */
    ExitKey selectedKey(Scene s) {
        TableModel.Row r = selectedRow(s);
        return r == null ? null : r.g().key();
    }

    /** Brings the selection into the table (it may have shrunk since the last draw). */
    void clampSelection(Scene s) {
        if (s.side() != null && table(s.side(), s.lens()).size() > 0) sel = clamp(sel, table(s.side(), s.lens()).size());
    }

    String fullSelection() {
        return truncatedSelection;
    }

    /** The sort as the status line shows it, e.g. {@code %TIME▼}. */
    String sortText(Glyphs g) {
        return sort.title + (sort.descending != invert ? g.sortDesc : g.sortAsc);
    }

    /** Sorts by the column {@code step} places on from the current one, in its natural order; returns what to say. */
    String sortBy(int step) {
        int n = Column.values().length;
        sort = Column.values()[(sort.ordinal() + step + n) % n];
        invert = false;
        return "sorted by " + sort.title;
    }

    String invertSort() {
        invert = !invert;
        return "sort order inverted";
    }

    @Override
    public void move(Action a, Scene s) {
        int n = s.side() == null ? 0 : table(s.side(), s.lens()).size();
        sel = clamp((long) sel + View.delta(a, pageRows), n);
        selKey = n == 0 ? null : table(s.side(), s.lens()).get(sel).g().key();
    }

    private static int clamp(long v, int n) {
        return (int) Math.max(0, Math.min(v, n - 1L));
    }

    @Override
    public List<String[]> hints(boolean replay, Glyphs g) {
        List<String[]> h = new ArrayList<>();
        h.add(new String[]{"Enter", "detail"});
        h.add(new String[]{"m", "heatmap"});
        h.add(new String[]{"<>", "sort"});
        h.add(new String[]{"f", "filter"});
        h.add(new String[]{"k", "group"});
        if (replay) h.add(new String[]{"space", "pause"});
        h.add(new String[]{"b", "baseline"});
        h.add(new String[]{"x", "subkeys"});
        h.add(new String[]{"i", "interval"});
        h.add(new String[]{"O", "optimizations"});
        if (replay) {
            h.add(new String[]{".", "step"});
            h.add(new String[]{"+-", "speed"});
            h.add(new String[]{"j", "slowest"});
        } else {
            h.add(new String[]{"space", "freeze"});
        }
        return h;
    }

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

    @Override
    public void render(Canvas c, Scene scene, int top, int bottom) {
        Side s = scene.side();
        Filter filter = scene.filter();
        Layout L = new Layout(c.width);
        // column titles
        c.fill(top, Style.HEADER);
        for (Column col : L.cols) {
            int w = L.w[col.ordinal()];
            String t = title(col, c.glyphs, w);
            if (L.numeric(col)) c.right(L.x[col.ordinal()], top, w, t, Style.HEADER);
            else c.left(L.x[col.ordinal()], top, w, t, Style.HEADER);
        }
        int first = top + 1;
        pageRows = Math.max(1, bottom - first);
        truncatedSelection = null;
        if (s == null) return;
        TableModel m = table(s, scene.lens());
        if (m.size() == 0) {
            String why = filter.active() ? "(no exits match the filter " + filter.describe() + "; c clears it)"
                    : s.exits() == 0 ? "(no exits yet)" : "(no exits)";
            c.text(1, first + 1, Text.fit(why, c.width - 2, c.glyphs), Style.DIM);
            return;
        }
        // keep the selection on the same key across refreshes and re-sorts
        if (selKey != null) {
            int i = m.indexOf(selKey);
            if (i >= 0) sel = i;
        }
        sel = Math.max(0, Math.min(sel, m.size() - 1));
        selKey = m.get(sel).g().key();
        String selText = Agg.keyText(selKey);
        if (selText.length() > L.w[Column.KEY.ordinal()]) truncatedSelection = selText;

        // items: rows, and a separator before the blocking ones
        int sepAt = m.blocking.isEmpty() ? -1 : m.main.size();
        int items = m.size() + (sepAt >= 0 ? 1 : 0);
        int selItem = sel + (sepAt >= 0 && sel >= sepAt ? 1 : 0);
        int rows = bottom - first;
        boolean scrolls = items > rows;
        if (scrolls) rows = Math.max(1, rows - 1); // the last line says what is out of view
        if (selItem < tableTop) tableTop = selItem;
        if (selItem >= tableTop + rows) tableTop = selItem - rows + 1;
        tableTop = Math.max(0, Math.min(tableTop, Math.max(0, items - rows)));
        for (int r = 0; r < rows; r++) {
            int item = tableTop + r;
            if (item >= items) break;
            int y = first + r;
            if (sepAt >= 0 && item == sepAt) {
                String t = c.glyphs.hline(2) + " blocking exits (guest idle; not in %TIME) ";
                c.text(1, y, t + c.glyphs.hline(Math.max(0, L.end() - 1 - t.length())), Style.DIM);
                continue;
            }
            int idx = sepAt >= 0 && item > sepAt ? item - 1 : item;
            row(c, L, m.get(idx), y, idx == sel);
        }
        if (scrolls) {
            int above = tableTop, below = Math.max(0, items - tableTop - rows);
            String more = (above > 0 ? c.glyphs.up + " " + above + " above  " : "") + (below > 0 ? c.glyphs.down + " " + below + " below  " : "")
                    + "row " + (sel + 1) + "/" + m.size();
            c.text(1, first + rows, Text.fit(more, c.width - 2, c.glyphs), Style.DIM);
        }
    }

    private String title(Column col, Glyphs g, int w) {
        String t = col.title;
        if (col == Column.CLASS && w < 8) t = "HKU";
        if (col == Column.RATE && w < 7) t = "RATE";
        if (sort == col) {
            t = t + (col.descending != invert ? g.sortDesc : g.sortAsc);
            if (t.length() > w && col == Column.RATE) t = "RAT" + (col.descending != invert ? g.sortDesc : g.sortAsc);
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
