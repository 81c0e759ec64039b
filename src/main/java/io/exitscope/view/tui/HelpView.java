package io.exitscope.view.tui;

import java.util.List;

/**
 * Every key (from {@link Action}, so none is missing) and what the columns mean. Its own state:
 * the scroll and the screen it returns to.
 */
final class HelpView implements View {
    private ViewId back = ViewId.MAIN;
    private int scroll;
    private int pageRows = 10;

    static final String[] NOTES = {
            "KEY: exit reason, and subkey/VM/vCPU when grouped by them. H/K/U: share of the key's exits handled by hardware,"
                    + " the kernel, userspace (narrow screens: a letter bar, or the class when all are one).",
            "COUNT and RATE/s: exits (RATE in trace time when replaying). %TIME: share of all measured exit time; blocking exits"
                    + " (HLT, s390 wait, WFx) contain guest idle time and are listed apart, not in %TIME.",
            "P50..MAX: exit latency, exit event to the next entry of the vCPU thread (or the userspace round trip where a trace"
                    + " has no exit/entry events; the header says which). '-' = counted, not timed.",
            "LOST EVENTS in the header means the kernel dropped events: every figure is then a lower bound.",
            "b closes the window: what was counted so far becomes the baseline and counting restarts, so compare shows before"
                    + " vs after. r restarts the window without keeping a baseline."};

    /** Shows the help from the top; Esc returns to {@code from}. */
    void open(ViewId from) {
        back = from;
        scroll = 0;
    }

    ViewId back() {
        return back;
    }

    @Override
    public void move(Action a, Scene s) {
        scroll = View.moved(scroll, View.delta(a, pageRows));
    }

    @Override
    public List<String[]> hints(boolean replay, Glyphs g) {
        return List.<String[]>of(new String[]{"Esc", "back"});
    }

    @Override
    public void render(Canvas c, Scene scene, int top, int bottom) {
        Lines L = build(c.width, scene.replay());
        pageRows = Math.max(1, bottom - top);
        scroll = L.render(c, top, bottom, scroll);
    }

    static Lines build(int width, boolean replay) {
        Lines L = new Lines();
        int kw = 16;
        for (Action.Scope sc : Action.Scope.values()) {
            if (sc == Action.Scope.HIDDEN) continue;
            L.line(Style.HEADER).at(1, sc.title + (sc == Action.Scope.REPLAY && !replay ? " (not in live mode)" : ""), Style.HEADER);
            for (Action a : Action.values()) {
                if (a.scope != sc) continue;
                boolean first = true;
                for (String w : Lines.wrap(a.help, Math.max(10, width - kw - 3))) {
                    L.line();
                    if (first) L.at(2, a.keys, Style.KEY);
                    L.at(2 + kw, w, Style.NORMAL);
                    first = false;
                }
            }
        }
        L.line(Style.HEADER).at(1, "What the columns mean", Style.HEADER);
        for (String n : NOTES) for (String w : Lines.wrap(n, Math.max(10, width - 3))) L.line().at(2, w, Style.NORMAL);
        return L;
    }
}
