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
import io.exitscope.view.tui.feed.Baseline;
import io.exitscope.view.tui.feed.Feed;
import io.exitscope.view.tui.feed.Feeds;
import io.exitscope.view.tui.feed.Frame;
import io.exitscope.view.tui.feed.Side;
import io.exitscope.view.tui.feed.WallClock;

import java.io.IOException;
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
 * The full-screen UI's app-level state and key handling: which screen is on, the frame on show
 * (the feed's newest, or the frozen one), the lens every screen looks through, the baseline, the
 * prompt and the message. Each screen keeps its own selection and scroll and is handed a
 * {@link Scene}; the bars get a {@link Chrome.Bar}. {@link #draw(Screen)} only writes the back
 * buffer; the caller refreshes (DELTA, so only changed cells reach the terminal). The same object
 * drives tests on a virtual terminal and the real loop in {@link #run(Screen, Object)}.
 */
public final class TuiApp {
    private final Feed feed;
    private final Palette palette;
    private final Glyphs glyphs;
    private final Projector projector;

    private final MainView main = new MainView();
    private final DetailView detail = new DetailView();
    private final CompareView compare = new CompareView();
    private final OptimizationsView optimizations = new OptimizationsView();
    private final HelpView help = new HelpView();
    private final HeatmapView heatmap = new HeatmapView();

    private ViewId view = ViewId.MAIN;
    private Lens lens = Lens.START;
    private Baseline baseline;
    private CompletableFuture<Baseline> pendingBaseline;
    private CompletableFuture<Baseline> initialBaseline;
    private boolean frozen;
    private Frame frozenFrame;
    private Prompt prompt;
    private String message;
    private boolean messageAlarm;
    private long messageUntil;
    private boolean quit;
    private boolean fullRedraw;
    private String lastClock = "";
    private long lastSeq = -1;

    /** A one-line input at the bottom (filters, seek time, interval). */
    private static final class Prompt {
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

    /** Makes {@code b} the compare screen's "before" now, without a message. */
    void useBaseline(Baseline b) {
        this.baseline = b;
    }

    public boolean quitRequested() {
        return quit;
    }

    Projector projector() {
        return projector;
    }

    CompareView compareScreen() {
        return compare;
    }

    private Frame frame() {
        return frozen && frozenFrame != null ? frozenFrame : feed.latest();
    }

    /** What the screens are handed: the frame on show and the side of it the lens picks. */
    private Scene scene() {
        Frame f = frame();
        Side side = f == null ? null : f.side(lens.interval());
        return new Scene(f, side, lens, baseline, pendingBaseline != null, feed.replay(), projector);
    }

    private View view(ViewId id) {
        return switch (id) {
            case MAIN -> main;
            case DETAIL -> detail;
            case COMPARE -> compare;
            case OPTIMIZATIONS -> optimizations;
            case HELP -> help;
            case HEATMAP -> heatmap;
        };
    }

    /** Shows {@code id}; screens that scroll are entered at their top. */
    private void show(ViewId id) {
        view = id;
        if (id == ViewId.DETAIL) detail.top();
        if (id == ViewId.OPTIMIZATIONS) optimizations.top();
    }

    private void say(String m) {
        message = m;
        messageAlarm = false;
        messageUntil = System.currentTimeMillis() + 5000;
    }

    private void warn(String m) {
        say(m);
        messageAlarm = true;
    }

    /** What the heatmap's Enter may do: the main table on one interval. */
    private final HeatmapView.Host heatmapHost = new HeatmapView.Host() {
        @Override
        public void showInterval(long startTs, long endTs, String m) {
            feed.showInterval(startTs, endTs);
            showLastInterval(m);
        }

        @Override
        public void showLastInterval(String m) {
            lens = lens.withInterval(true);
            view = ViewId.MAIN;
            say(m);
        }

        @Override
        public void warn(String m) {
            TuiApp.this.warn(m);
        }
    };

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
        feed.want(lens.compareGrouping());
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
                feed.want(lens.compareGrouping());
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

    private void perform(Action a) {
        if (view == ViewId.HEATMAP && heatmap.handle(a, scene(), heatmapHost)) return;
        switch (a) {
            case QUIT -> quit = true;
            case HELP -> {
                if (view == ViewId.HELP) {
                    show(help.back());
                } else {
                    help.open(view);
                    view = ViewId.HELP;
                }
            }
            case BACK -> show(switch (view) {
                case HELP -> help.back();
                case DETAIL -> detail.back();
                case HEATMAP -> heatmap.back();
                default -> ViewId.MAIN;
            });
            case NEXT_SCREEN -> show(switch (view) {
                case MAIN -> ViewId.COMPARE;
                case COMPARE -> ViewId.OPTIMIZATIONS;
                default -> ViewId.MAIN;
            });
            case COMPARE -> view = ViewId.COMPARE;
            case OPTIMIZATIONS -> show(ViewId.OPTIMIZATIONS);
            case TOGGLE_INTERVAL -> {
                lens = lens.withInterval(!lens.interval());
                say(lens.interval() ? "showing the last interval" : "showing the cumulative window");
            }
            case BASELINE -> {
                if (pendingBaseline != null) return;
                pendingBaseline = feed.takeBaseline();
                view = ViewId.COMPARE;
                compare.first();
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
            case UP, DOWN, PAGE_UP, PAGE_DOWN, HOME, END -> view(view).move(a, scene());
            case DETAIL -> openDetail();
            case SORT_NEXT, SORT_CYCLE -> say(main.sortBy(1));
            case SORT_PREV -> say(main.sortBy(-1));
            case SORT_INVERT -> say(main.invertSort());
            case FILTER_REGEX -> prompt = new Prompt("filter regex (empty: none): ", lens.filter().regex(),
                    s -> lens = lens.withFilter(lens.filter().withRegex(s)));
            case FILTER_CLASS -> {
                ExitClass c = lens.filter().exitClass();
                ExitClass next = c == null ? ExitClass.HARDWARE : c == ExitClass.HARDWARE ? ExitClass.KERNEL
                        : c == ExitClass.KERNEL ? ExitClass.USERSPACE : c == ExitClass.USERSPACE ? ExitClass.UNKNOWN : null;
                lens = lens.withFilter(lens.filter().withClass(next));
                say(next == null ? "all classes" : "only " + next.label + " exits");
            }
            case FILTER_VM -> prompt = new Prompt("VM" + choices(true) + ": ", lens.filter().vm(),
                    s -> lens = lens.withFilter(lens.filter().withVm(s)));
            case FILTER_VCPU -> prompt = new Prompt("vCPU" + choices(false) + ": ", lens.filter().vcpu(),
                    s -> lens = lens.withFilter(lens.filter().withVcpu(s)));
            case CLEAR_FILTERS -> {
                lens = lens.withFilter(Filter.NONE);
                say("filters cleared");
            }
            case GROUP -> {
                lens = lens.nextGrouping();
                say("grouped by " + lens.grouping());
            }
            case SUBKEYS -> {
                lens = lens.toggleSubkeys();
                say("grouped by " + lens.grouping());
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
        Scene sc = scene();
        Side s = sc.side();
        if (s == null) return;
        Filter filter = lens.filter();
        List<ExitStats.Slow> cands = new ArrayList<>();
        String what = "all keys";
        ExitKey selected = view == ViewId.MAIN ? main.selectedKey(sc) : null;
        if (view == ViewId.DETAIL && detail.key() != null) {
            for (StatsSnapshot.Group g : Agg.members(s.fine().groups(), detail.key(), detail.by(), filter)) cands.addAll(g.slowest());
            what = Agg.keyText(detail.key());
        } else if (selected != null) {
            StatsSnapshot.Group g = main.selectedRow(sc).g();
            cands.addAll(g.slowest());
            what = Agg.keyText(g.key());
        } else {
            for (StatsSnapshot.Group g : s.fine().groups()) if (filter.test(g.key())) cands.addAll(g.slowest());
        }
        ExitStats.Slow best = null;
        for (ExitStats.Slow x : cands) if (best == null || x.latencyNs() > best.latencyNs()) best = x;
        if (best == null) {
            say("no timed exits to jump to");
            return;
        }
        Frame f = sc.frame();
        long step = f != null && f.progress() != null ? f.progress().stepNs() : 10_000_000L;
        // the exit completes at its end event, at or a little after exit + latency (the round trip of a
        // userspace exit starts after the exit's first event): land a little later, within the step
        feed.jumpTo(best.exitTs() + best.latencyNs() + Math.min(step / 4, 1_000_000L));
        lens = lens.withInterval(true);
        long origin = f == null ? 0 : f.originTs();
        say("slowest exit of " + what + ": " + Durations.format(best.latencyNs()) + " at " + Text.rel(best.exitTs() - origin)
                + " cpu " + best.cpu() + " tid " + best.tid() + " (interval view)");
    }

    private String choices(boolean vm) {
        Side s = scene().side();
        if (s == null) return "";
        Set<String> seen = new LinkedHashSet<>();
        for (StatsSnapshot.Group g : s.fine().groups()) {
            String v = vm ? g.key().vm() : g.key().vcpu();
            if (v != null) seen.add(v);
        }
        if (seen.isEmpty()) return "";
        List<String> l = new ArrayList<>(seen);
        String j = String.join(", ", l.subList(0, Math.min(4, l.size())));
        return " (" + j + (l.size() > 4 ? ", ..." : "") + "; empty: all)";
    }

    private void openDetail() {
        Scene sc = scene();
        if (view == ViewId.MAIN) {
            ExitKey k = main.selectedKey(sc);
            if (k == null) return;
            main.clampSelection(sc);
            detail.open(k, lens.grouping(), ViewId.MAIN);
        } else if (view == ViewId.COMPARE) {
            ExitKey k = compare.selectedKey();
            if (k == null) return;
            detail.open(k, lens.compareGrouping(), ViewId.COMPARE);
        } else if (view == ViewId.OPTIMIZATIONS) {
            Optimizations.Row r = optimizations.selected(sc);
            if (r == null) return;
            ExitKey k = OptimizationsView.detailKey(r, sc.side());
            if (k == null) {
                say(r.name() + " is about no one address: its evidence is on this screen");
                return;
            }
            detail.open(k, OptimizationsView.BY_TARGET, ViewId.OPTIMIZATIONS);
        } else {
            return;
        }
        view = ViewId.DETAIL;
    }

    /** The heatmap of the selected key (main table, detail, compare), or of the whole view; in the heatmap: toggles. */
    private void openHeatmap() {
        Scene sc = scene();
        if (view == ViewId.HEATMAP) {
            heatmap.toggleKey(switch (heatmap.back()) {
                case MAIN -> main.selectedKey(sc);
                case DETAIL -> detail.key();
                case COMPARE -> compare.selectedKey();
                default -> null;
            });
            return;
        }
        ExitKey k = null;
        GroupBy by = lens.grouping();
        if (view == ViewId.MAIN) {
            k = main.selectedKey(sc);
        } else if (view == ViewId.DETAIL) {
            k = detail.key();
            by = detail.by();
        } else if (view == ViewId.COMPARE) {
            k = compare.selectedKey();
            by = lens.compareGrouping();
        }
        heatmap.open(k, by, view == ViewId.HELP ? help.back() : view);
        view = ViewId.HEATMAP;
    }

    /** Picks up baselines that finished on the feed thread. */
    private void tick() {
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
        Scene sc = scene();
        Frame f = sc.frame();
        int footer = c.height - 1;
        int row = Chrome.header(c, bar(sc), f);
        if (f == null) {
            c.text(1, row + 1, "starting" + glyphs.ellipsis, Style.DIM);
        } else {
            view(view).render(c, sc, row, footer);
        }
        Chrome.footer(c, bar(sc), footer);
        screen.setCursorPosition(prompt == null ? null
                : new com.googlecode.lanterna.TerminalPosition(Math.min(c.width - 1, prompt.label.length() + prompt.text.length()), footer));
    }

    /** What the bars show: made after the screen drew (the main table says there whether it cut the selected key). */
    private Chrome.Bar bar(Scene sc) {
        String switches = projector == null || sc.frame() == null ? null : projector.switchSet(sc.side());
        return new Chrome.Bar(view, WallClock.now(), sc.side(), lens, main.sortText(glyphs), frozen, switches,
                baseline == null ? null : baseline.label, prompt == null ? null : prompt.label + prompt.text, message, messageAlarm,
                view(view).hints(feed.replay(), glyphs), view == ViewId.MAIN ? main.fullSelection() : null);
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
        feed.want(lens.compareGrouping());
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
            String clock = WallClock.now();
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
}
