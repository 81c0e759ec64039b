package io.exitscope.view.tui;

import io.exitscope.view.tui.feed.Baseline;
import io.exitscope.view.tui.feed.Frame;
import io.exitscope.view.tui.feed.Side;

/**
 * What a screen is given to draw or to act on, one immutable value made by the app: the frame on
 * show, the side of it the lens picks, the lens, the baseline and how the app was started.
 *
 * @param frame           the frame on show (the frozen one while frozen); null before the first
 * @param side            the frame's cumulative window or last interval, as the lens says; null if none
 * @param baseline        the compare screen's "before", or null
 * @param baselinePending a baseline is being taken
 * @param replay          the feed replays a file (live otherwise)
 * @param projector       the exit-path model hook, or null
 */
record Scene(Frame frame, Side side, Lens lens, Baseline baseline, boolean baselinePending, boolean replay, Projector projector) {
    Filter filter() {
        return lens.filter();
    }
}
