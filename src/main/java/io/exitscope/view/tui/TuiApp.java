package io.exitscope.view.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.Screen;
import io.exitscope.exit.ExitClass;
import io.exitscope.stats.ExitKey;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.util.Durations;

import java.io.IOException;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The full-screen UI's state and key handling, and the render of one screen from the newest
 * frame. {@link #draw(Screen)} only writes the back buffer; the caller refreshes (DELTA, so only
 * changed cells reach the terminal). The same object drives tests on a virtual terminal and the
 * real loop in {@link #run(Screen, Object)}.
 */
public final class TuiApp {
    enum View { MAIN, DETAIL, COMPARE, OPTIMIZATIONS, HELP, HEATMAP }

    static final String[] GROUPINGS = {"reason", "reason,class", "subkey", "vcpu", "vm"};

    final Feed feed;
    final Palette palette;
    final Glyphs glyphs;
    final Projector projector;
    final HeatmapView heatmap = new HeatmapView();

    View view = View.MAIN;
    View helpReturn = View.MAIN, detailReturn = View.MAIN;
    boolean intervalView;
    int groupIdx = 1;
    int groupBeforeSubkeys = -1;
    Column sort = Column.TIME;
    boolean invert;
    Filter filter = Filter.NONE;
    int sel, tableTop;
    ExitKey selKey;
    int cmpSel, cmpTop;
    /** The selected row of the optimizations screen. */
    int optSel;
    /** The rows the compare screen showed last (Enter opens the selected one). */
    List<io.exitscope.stats.Comparison.Shift> lastShifts = List.of();
    ExitKey detailKey;
    GroupBy detailBy;
    int scroll;
    int pageRows = 10;
    Baseline baseline;
    CompletableFuture<Baseline> pendingBaseline;
    private CompletableFuture<Baseline> initialBaseline;
    boolean frozen;
    Frame frozenFrame;
    Prompt prompt;
    String message;
    boolean messageAlarm;
    long messageUntil;
    boolean quit;
    boolean fullRedraw;
    /** The selected row's key when the table had to cut it (shown whole in the footer), else null. */
    String truncatedSelection;
    private String lastClock = "";
    private long lastSeq = -1;

    private Side cachedSide;
    private String cachedSpec;
    private TableModel cachedModel;

    /** A one-line input at the bottom (filters, seek time, interval). */
    static final class Prompt {
        final String label;
        final StringBuilder text;
        final Consumer<String> onAccept;

        Prompt(String label, String initial, Consumer<String> onAccept) {
            this.label = label;
            this.text = new StringBuilder(initial == null ? "" : initial);
            this.onAccept = onAccept;
        }
    }

    public TuiApp(Feed feed, TuiOptions opt) {
        this.feed = feed;
        this.palette = opt.color() ? Palette.COLOR : Palette.NO_COLOR;
        this.glyphs = opt.glyphs();
        this.projector = opt.projector();
    }

    /** A baseline that arrives later (another file, a time window), shown once ready. */
    public void setInitialBaseline(CompletableFuture<Baseline> b) {
        this.initialBaseline = b;
    }

    public boolean quitRequested() {
        return quit;
    }

    Frame frame() {
        return frozen && frozenFrame != null ? frozenFrame : feed.latest();
    }

    Side side() {
        Frame f = frame();
        return f == null ? null : f.side(intervalView);
    }

    GroupBy grouping() {
        return GroupBy.parse(GROUPINGS[groupIdx]);
    }

    /** The grouping comparisons use: the table's, plus the VM/vCPU the filter cuts by. */
    GroupBy compareGrouping() {
        String g = GROUPINGS[groupIdx];
        if (filter.vm() != null && !g.contains("vm")) g += ",vm";
        if (filter.vcpu() != null && !g.contains("vcpu")) g += ",vcpu";
        return GroupBy.parse(g);
    }

    TableModel table(Side s) {
        String spec = GROUPINGS[groupIdx] + "|" + filter + "|" + sort + "|" + invert;
        if (s != cachedSide || !spec.equals(cachedSpec)) {
            cachedModel = new TableModel(s, grouping(), filter, sort, invert);
            cachedSide = s;
            cachedSpec = spec;
        }
        return cachedModel;
    }

    void say(String m) {
        message = m;
        messageAlarm = false;
        messageUntil = System.currentTimeMillis() + 5000;
    }

    void warn(String m) {
        say(m);
        messageAlarm = true;
    }

    // ------------------------------------------------------------------ keys

    public void handle(KeyStroke k) {
        if (k == null) return;
        if (prompt != null) {
            promptKey(k);
            return;
        }
        Action a = Action.of(k);
        if (a == null) return;
        message = null; // a message lasts until the next key (or 5s)
        perform(a);
        feed.want(compareGrouping());
    }

    private void promptKey(KeyStroke k) {
        Prompt p = prompt;
        switch (k.getKeyType()) {
            case Escape -> prompt = null;
            case Enter -> {
                prompt = null;
                try {
                    p.onAccept.accept(p.text.toString().strip());
                } catch (IllegalArgumentException e) {
                    warn(e.getMessage());
                }
                feed.want(compareGrouping());
            }
            case Backspace -> {
                if (p.text.length() > 0) p.text.setLength(p.text.length() - 1);
            }
            case Character -> {
                if (k.isCtrlDown() && (k.getCharacter() == 'c' || k.getCharacter() == 'C')) {
                    prompt = null;
                } else if (k.isCtrlDown() && (k.getCharacter() == 'u' || k.getCharacter() == 'U')) {
                    p.text.setLength(0);
                } else if (!k.isCtrlDown() && p.text.length() < 200) {
                    p.text.append(k.getCharacter());
                }
            }
            default -> {
                // other keys do nothing while typing
            }
        }
    }

    void perform(Action a) {
        if (view == View.HEATMAP && heatmap.handle(this, a)) return;
        switch (a) {
            case QUIT -> quit = true;
            case HELP -> {
                if (view == View.HELP) {
                    view = helpReturn;
                } else {
                    helpReturn = view;
                    view = View.HELP;
                    scroll = 0;
                }
            }
            case BACK -> {
                if (view == View.HELP) view = helpReturn;
                else if (view == View.DETAIL) view = detailReturn;
                else if (view == View.HEATMAP) view = heatmap.back;
                else view = View.MAIN;
                scroll = 0;
            }
            case NEXT_SCREEN -> {
                view = switch (view) {
                    case MAIN -> View.COMPARE;
                    case COMPARE -> View.OPTIMIZATIONS;
                    default -> View.MAIN;
                };
                scroll = 0;
            }
            case COMPARE -> view = View.COMPARE;
            case OPTIMIZATIONS -> {
                view = View.OPTIMIZATIONS;
                scroll = 0;
            }
            case TOGGLE_INTERVAL -> {
                intervalView = !intervalView;
                say(intervalView ? "showing the last interval" : "showing the cumulative window");
            }
            case BASELINE -> {
                if (pendingBaseline != null) return;
                pendingBaseline = feed.takeBaseline();
                view = View.COMPARE;
                cmpSel = 0;
            }
            case DROP_BASELINE -> {
                baseline = null;
                say("baseline dropped");
            }
            case RESET -> {
                feed.reset();
                say("statistics reset: a new window starts now");
            }
            case SET_INTERVAL -> prompt = new Prompt("refresh interval (now " + Durations.format(feed.intervalNs()) + "): ", "", s -> {
                long ns = Durations.parse(s);
                if (ns < 50_000_000L || ns > 60_000_000_000L) throw new IllegalArgumentException("refresh interval must be 50ms..60s");
                feed.setIntervalNs(ns);
                say("refresh every " + Durations.format(ns));
            });
            case PAUSE -> {
                if (feed.replay()) {
                    feed.togglePlay();
                } else {
                    frozen = !frozen;
                    frozenFrame = frozen ? feed.latest() : null;
                    say(frozen ? "display frozen; collection goes on (space to resume)" : "display live again");
                }
            }
            case REDRAW -> fullRedraw = true;
            case UP, DOWN, PAGE_UP, PAGE_DOWN, HOME, END -> move(a);
            case DETAIL -> openDetail();
            case SORT_NEXT, SORT_CYCLE -> sortBy(Column.values()[(sort.ordinal() + 1) % Column.values().length]);
            case SORT_PREV -> sortBy(Column.values()[(sort.ordinal() + Column.values().length - 1) % Column.values().length]);
            case SORT_INVERT -> {
                invert = !invert;
                say("sort order inverted");
            }
            case FILTER_REGEX -> prompt = new Prompt("filter regex (empty: none): ", filter.regex(), s -> filter = filter.withRegex(s));
            case FILTER_CLASS -> {
                ExitClass c = filter.exitClass();
                ExitClass next = c == null ? ExitClass.HARDWARE : c == ExitClass.HARDWARE ? ExitClass.KERNEL
                        : c == ExitClass.KERNEL ? ExitClass.USERSPACE : c == ExitClass.USERSPACE ? ExitClass.UNKNOWN : null;
                filter = filter.withClass(next);
                say(next == null ? "all classes" : "only " + next.label + " exits");
            }
            case FILTER_VM -> prompt = new Prompt("VM" + choices(true) + ": ", filter.vm(), s -> filter = filter.withVm(s));
            case FILTER_VCPU -> prompt = new Prompt("vCPU" + choices(false) + ": ", filter.vcpu(), s -> filter = filter.withVcpu(s));
            case CLEAR_FILTERS -> {
                filter = Filter.NONE;
                say("filters cleared");
            }
            case GROUP -> {
                groupIdx = (groupIdx + 1) % GROUPINGS.length;
                groupBeforeSubkeys = -1;
                say("grouped by " + grouping());
            }
            case SUBKEYS -> {
                if (groupIdx == 2) {
                    groupIdx = groupBeforeSubkeys >= 0 ? groupBeforeSubkeys : 1;
                    groupBeforeSubkeys = -1;
                } else {
                    groupBeforeSubkeys = groupIdx;
                    groupIdx = 2;
                }
                say("grouped by " + grouping());
            }
            case HEATMAP -> openHeatmap();
            case STEP, FASTER, SLOWER, SEEK_BACK, SEEK_FWD, SEEK_TO, STEP_SHORTER, STEP_LONGER, JUMP -> replayAction(a);
        }
    }

    private void replayAction(Action a) {
        if (!feed.replay()) {
            if (a != Action.SEEK_BACK && a != Action.SEEK_FWD) say("'" + a.keys + "' works in replay only");
            return;
        }
        Frame f = feed.latest();
        long step = f != null && f.progress() != null ? f.progress().stepNs() : 10_000_000L;
        switch (a) {
            case STEP -> feed.step();
            case FASTER -> feed.faster();
            case SLOWER -> feed.slower();
            case SEEK_BACK -> feed.seekBy(-step);
            case SEEK_FWD -> feed.seekBy(step);
            case STEP_SHORTER -> feed.stepShorter();
            case STEP_LONGER -> feed.stepLonger();
            case SEEK_TO -> prompt = new Prompt("seek to (12.5ms, +1s, -200ms, 0): ", "", s -> {
                if (s.isEmpty()) return;
                if (s.startsWith("+")) feed.seekBy(Durations.parse(s.substring(1)));
                else if (s.startsWith("-")) feed.seekBy(-Durations.parse(s.substring(1)));
                else feed.seekTo(Durations.parse(s));
            });
            case JUMP -> jumpToSlowest();
            default -> {
                // not a replay action
            }
        }
    }

    private void jumpToSlowest() {
        Side s = side();
        if (s == null) return;
        List<ExitStats.Slow> cands = new ArrayList<>();
        String what = "all keys";
        if (view == View.DETAIL && detailKey != null) {
            for (StatsSnapshot.Group g : Agg.members(s.fine.groups(), detailKey, detailBy, filter)) cands.addAll(g.slowest());
            what = Agg.keyText(detailKey);
        } else if (view == View.MAIN && table(s).size() > 0) {
            StatsSnapshot.Group g = table(s).get(Math.min(sel, table(s).size() - 1)).g();
            cands.addAll(g.slowest());
            what = Agg.keyText(g.key());
        } else {
            for (StatsSnapshot.Group g : s.fine.groups()) if (filter.test(g.key())) cands.addAll(g.slowest());
        }
        ExitStats.Slow best = null;
        for (ExitStats.Slow x : cands) if (best == null || x.latencyNs() > best.latencyNs()) best = x;
        if (best == null) {
            say("no timed exits to jump to");
            return;
        }
        Frame f = frame();
        long step = f != null && f.progress() != null ? f.progress().stepNs() : 10_000_000L;
        // the exit completes at its end event, at or a little after exit + latency (the round trip of a
        // userspace exit starts after the exit's first event): land a little later, within the step
        feed.jumpTo(best.exitTs() + best.latencyNs() + Math.min(step / 4, 1_000_000L));
        intervalView = true;
        long origin = f == null ? 0 : f.originTs();
        say("slowest exit of " + what + ": " + Durations.format(best.latencyNs()) + " at " + Text.rel(best.exitTs() - origin)
                + " cpu " + best.cpu() + " tid " + best.tid() + " (interval view)");
    }

    private String choices(boolean vm) {
        Side s = side();
        if (s == null) return "";
        Set<String> seen = new LinkedHashSet<>();
        for (StatsSnapshot.Group g : s.fine.groups()) {
            String v = vm ? g.key().vm() : g.key().vcpu();
            if (v != null) seen.add(v);
        }
        if (seen.isEmpty()) return "";
        List<String> l = new ArrayList<>(seen);
        String j = String.join(", ", l.subList(0, Math.min(4, l.size())));
        return " (" + j + (l.size() > 4 ? ", ..." : "") + "; empty: all)";
    }

    private void sortBy(Column c) {
        sort = c;
        invert = false;
        say("sorted by " + c.title);
    }

    private void move(Action a) {
        int page = Math.max(1, pageRows - 1);
        int delta = switch (a) {
            case UP -> -1;
            case DOWN -> 1;
            case PAGE_UP -> -page;
            case PAGE_DOWN -> page;
            case HOME -> Integer.MIN_VALUE / 2;
            default -> Integer.MAX_VALUE / 2;
        };
        switch (view) {
            case MAIN -> {
                Side s = side();
                int n = s == null ? 0 : table(s).size();
                sel = clamp((long) sel + delta, n);
                selKey = n == 0 ? null : table(s).get(sel).g().key();
            }
            case COMPARE -> cmpSel = (int) Math.max(0, Math.min((long) cmpSel + delta, Integer.MAX_VALUE / 4));
            case OPTIMIZATIONS -> optSel = (int) Math.max(0, Math.min((long) optSel + delta, Integer.MAX_VALUE / 4));
            default -> scroll = (int) Math.max(0, Math.min((long) scroll + delta, Integer.MAX_VALUE / 4));
        }
    }

    private static int clamp(long v, int n) {
        return (int) Math.max(0, Math.min(v, n - 1L));
    }

    private void openDetail() {
        if (view == View.MAIN) {
            Side s = side();
            if (s == null || table(s).size() == 0) return;
            sel = clamp(sel, table(s).size());
            detailKey = table(s).get(sel).g().key();
            detailBy = grouping();
            detailReturn = View.MAIN;
        } else if (view == View.COMPARE) {
            ExitKey k = CompareView.selectedKey(this);
            if (k == null) return;
            detailKey = k;
            detailBy = compareGrouping();
            detailReturn = View.COMPARE;
        } else if (view == View.OPTIMIZATIONS) {
            Side s = side();
            if (s == null) return;
            List<Optimizations.Row> rows = OptimizationsView.rows(this, s);
            if (rows.isEmpty()) return;
            Optimizations.Row r = rows.get(Math.max(0, Math.min(optSel, rows.size() - 1)));
            ExitKey k = OptimizationsView.detailKey(r, s);
            if (k == null) {
                say(r.name() + " is about no one address: its evidence is on this screen");
                return;
            }
            detailKey = k;
            detailBy = OptimizationsView.BY_TARGET;
            detailReturn = View.OPTIMIZATIONS;
        } else {
            return;
        }
        view = View.DETAIL;
        scroll = 0;
    }

    /** The heatmap of the selected key (main table, detail, compare), or of the whole view; in the heatmap: toggles. */
    private void openHeatmap() {
        if (view == View.HEATMAP) {
            if (heatmap.key != null) heatmap.key = null;
            else if (heatmap.back == View.MAIN && side() != null && table(side()).size() > 0) heatmap.key = table(side()).get(clamp(sel, table(side()).size())).g().key();
            else if (heatmap.back == View.DETAIL) heatmap.key = detailKey;
            else if (heatmap.back == View.COMPARE) heatmap.key = CompareView.selectedKey(this);
            return;
        }
        ExitKey k = null;
        GroupBy by = grouping();
        Side s = side();
        if (view == View.MAIN && s != null && table(s).size() > 0) {
            k = table(s).get(clamp(sel, table(s).size())).g().key();
        } else if (view == View.DETAIL) {
            k = detailKey;
            by = detailBy;
        } else if (view == View.COMPARE) {
            k = CompareView.selectedKey(this);
            by = compareGrouping();
        }
        heatmap.open(k, by, view == View.HELP ? helpReturn : view);
        view = View.HEATMAP;
    }

    /** Picks up baselines that finished on the feed thread. */
    void tick() {
        if (pendingBaseline != null && pendingBaseline.isDone()) {
            try {
                baseline = pendingBaseline.join();
                say("baseline: " + baseline.label + "; a new window starts now");
            } catch (RuntimeException e) {
                warn("no baseline: " + e.getMessage());
            }
            pendingBaseline = null;
        }
        if (initialBaseline != null && initialBaseline.isDone()) {
            try {
                baseline = initialBaseline.join();
                say("baseline ready: " + baseline.label);
            } catch (RuntimeException e) {
                Throwable c = e.getCause() != null ? e.getCause() : e;
                warn("baseline failed: " + Feeds.describe(c));
            }
            initialBaseline = null;
        }
        if (message != null && System.currentTimeMillis() > messageUntil) message = null;
    }

    // ------------------------------------------------------------------ drawing

    /** Renders the current state into the screen's back buffer (no refresh). */
    public void draw(Screen screen) {
        tick();
        Canvas c = new Canvas(screen, palette, glyphs);
        c.clear();
        Frame f = frame();
        int footer = c.height - 1;
        int row = Chrome.header(c, this, f);
        if (f == null) {
            c.text(1, row + 1, "starting" + glyphs.ellipsis, Style.DIM);
        } else {
            switch (view) {
                case MAIN -> MainView.render(c, this, f, row, footer);
                case DETAIL -> DetailView.render(c, this, f, row, footer);
                case COMPARE -> CompareView.render(c, this, f, row, footer);
                case OPTIMIZATIONS -> OptimizationsView.render(c, this, f, row, footer);
                case HELP -> HelpView.render(c, this, row, footer);
                case HEATMAP -> heatmap.render(c, this, f, row, footer);
            }
        }
        Chrome.footer(c, this, footer);
        screen.setCursorPosition(prompt == null ? null
                : new com.googlecode.lanterna.TerminalPosition(Math.min(c.width - 1, prompt.label.length() + prompt.text.length()), footer));
    }

    /**
     * After a resize the terminal's content no longer matches what Lanterna believes is on it (the
     * terminal cropped or reflowed it), and a DELTA refresh ignores the screen's redraw hint: the
     * next refresh must be COMPLETE.
     */
    public void resized() {
        fullRedraw = true;
    }

    /** Draws and sends the changes to the terminal (DELTA: only changed cells; COMPLETE after a resize or Ctrl-L). */
    public void paint(Screen screen) throws IOException {
        draw(screen);
        screen.refresh(fullRedraw ? Screen.RefreshType.COMPLETE : Screen.RefreshType.DELTA);
        fullRedraw = false;
    }

    private final ReentrantLock wake = new ReentrantLock();
    private final Condition wakeCond = wake.newCondition();
    private boolean signalled;

    /** Wakes the loop (a new frame is ready); any thread. Pass to {@link Feed#start}. */
    public void wakeUp() {
        wake.lock();
        try {
            signalled = true;
            wakeCond.signalAll();
        } finally {
            wake.unlock();
        }
    }

    /**
     * The interactive loop (the feed must have been started with {@link #wakeUp} as its listener): keys, frames, resizes. Renders when something changed (a key, a new
     * frame, a resize, the clock's second), never per event; polls the keyboard every 25ms.
     *
     * @param lock held while drawing, so a shutdown hook can restore the terminal between frames
     */
    public void run(Screen screen, java.util.concurrent.locks.Lock lock) throws IOException {
        feed.want(compareGrouping());
        locked(lock, screen);
        while (!quit) {
            boolean dirty = false;
            KeyStroke k;
            while (!quit && (k = screen.pollInput()) != null) {
                if (k.getKeyType() == KeyType.EOF) {
                    quit = true;
                    break;
                }
                handle(k);
                dirty = true;
            }
            if (quit) break;
            TerminalSize resized = screen.doResizeIfNecessary();
            if (resized != null) {
                resized();
                dirty = true;
            }
            Frame f = feed.latest();
            if (f != null && f.seq() != lastSeq && !frozen) {
                lastSeq = f.seq();
                dirty = true;
            }
            if (pendingBaseline != null && pendingBaseline.isDone() || initialBaseline != null && initialBaseline.isDone()) dirty = true;
            if (message != null && System.currentTimeMillis() > messageUntil) dirty = true;
            String clock = LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss"));
            if (!clock.equals(lastClock)) {
                lastClock = clock;
                dirty = true;
            }
            if (dirty) {
                locked(lock, screen);
                continue;
            }
            wake.lock();
            try {
                if (!signalled) wakeCond.await(25, TimeUnit.MILLISECONDS);
                signalled = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                quit = true;
            } finally {
                wake.unlock();
            }
        }
    }

    private void locked(java.util.concurrent.locks.Lock lock, Screen screen) throws IOException {
        lock.lock();
        try {
            paint(screen);
        } finally {
            lock.unlock();
        }
    }

    String clockText() {
        return LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss"));
    }
}
