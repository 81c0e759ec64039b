package io.exitscope.view.tui;

import io.exitscope.view.tui.feed.Side;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The rows of the main table for one side, grouping, filter and sort: built once per frame and setting. */
final class TableModel {
    record Row(StatsSnapshot.Group g, double share, double rate) {}

    final List<Row> main = new ArrayList<>();
    final List<Row> blocking = new ArrayList<>();
    final long overheadNs;
    final long shownExits;

    TableModel(Side side, GroupBy by, Filter filter, Column sort, boolean invert) {
        overheadNs = side.overheadNs();
        long n = 0;
        for (StatsSnapshot.Group g : StatsSnapshot.regroup(side.fine().groups(), by, filter)) {
            double share = StatsSnapshot.share(g, overheadNs, false);
            double rate = side.seconds() > 0 ? g.count() / side.seconds() : Double.NaN;
            (g.blocking() ? blocking : main).add(new Row(g, share, rate));
            n += g.count();
        }
        shownExits = n;
        Comparator<Row> c = sort.comparator();
        if (sort.descending != invert) c = c.reversed();
        c = c.thenComparing(Column.TIME.comparator().reversed()).thenComparing(Column.KEY.comparator());
        main.sort(c);
        blocking.sort(c);
    }

    int size() {
        return main.size() + blocking.size();
    }

    /** Rows in display order: the main rows, then the blocking ones. */
    Row get(int i) {
        return i < main.size() ? main.get(i) : blocking.get(i - main.size());
    }

    int indexOf(io.exitscope.stats.ExitKey k) {
        for (int i = 0; i < size(); i++) if (get(i).g().key().equals(k)) return i;
        return -1;
    }
}
