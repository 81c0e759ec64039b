package io.exitscope.view.tui.feed;

/**
 * Everything a screen shows at one moment, immutable: facts about the source, the cumulative
 * window and the last interval, and the replay position. Feeds publish frames; screens render
 * them and never touch the event path.
 *
 * @param seq          increases with every published frame
 * @param source       what is being watched
 * @param cumulative   the statistics since the window start (start, reset or baseline)
 * @param interval     the statistics of the last interval (since the previous frame)
 * @param progress     replay position and controls; null live
 * @param window       where the cumulative window starts, e.g. {@code t+0} or {@code 12:03:04}
 * @param elapsedNs    live: wall time since the start; replay: trace time played
 * @param originTs     trace clock of the first event ("t+0"), 0 before it is known
 * @param error        a failure of the feed (bad input, source gone), shown on every screen; null if none
 * @param ended        the source has no more events
 * @param timeline     exit latency over time since the start (the heatmap's data), never null
 */
public record Frame(long seq, Source source, Side cumulative, Side interval, Progress progress, String window,
                    long elapsedNs, long originTs, String error, boolean ended, io.exitscope.view.Heatmap.Timeline timeline) {

    public Frame {
        if (timeline == null) timeline = io.exitscope.view.Heatmap.Timeline.EMPTY;
    }

    /** A frame without a timeline (sources that keep none). */
    public Frame(long seq, Source source, Side cumulative, Side interval, Progress progress, String window,
                 long elapsedNs, long originTs, String error, boolean ended) {
        this(seq, source, cumulative, interval, progress, window, elapsedNs, originTs, error, ended, null);
    }

    /** Facts about the source for the header. */
    public record Source(String label, String kind, String clock, int cpus, boolean synthetic, boolean live, boolean nsClock) {}

    /**
     * Replay position.
     *
     * @param positionNs trace time of the newest event read, relative to the first event
     * @param fraction   bytes read / total bytes, -1 unknown
     * @param speed      1, 10, 100, or 0 for as fast as possible
     * @param stepNs     length of one step (and of the intervals while stepping)
     * @param seeking    a seek or step is under way
     */
    public record Progress(long positionNs, double fraction, boolean playing, int speed, long stepNs, boolean seeking, boolean ended) {
        public String speedLabel() {
            return speed == 0 ? "max" : speed + "x";
        }
    }

    public Side side(boolean intervalView) {
        return intervalView ? interval : cumulative;
    }
}
