package io.exitscope.view.tui.feed;

import io.exitscope.stats.GroupBy;

import java.util.concurrent.CompletableFuture;

/**
 * Where the screens get their data: a background thread owns the analysis and publishes
 * immutable {@link Frame}s at the refresh interval (never per event). Commands are queued to
 * that thread; nothing here blocks the UI.
 */
public interface Feed extends AutoCloseable {
    /** Starts the background thread; {@code onFrame} runs (on that thread) after each new frame. */
    void start(Runnable onFrame);

    /** The newest frame; never null after {@link #start}. */
    Frame latest();

    boolean replay();

    /** The grouping (beyond the finest) that frames should carry ready-made for comparisons. */
    void want(GroupBy g);

    /** Publish a frame soon with the current data, without starting a new interval. */
    void refresh();

    /** Restart the cumulative window from now. */
    void reset();

    /**
     * Close the cumulative window and return it as the baseline; a new window starts now, so the
     * compare screen shows before vs after.
     */
    CompletableFuture<Baseline> takeBaseline();

    /** The refresh interval in ns (wall time between frames). */
    long intervalNs();

    void setIntervalNs(long ns);

    // replay controls: no-ops live

    default void togglePlay() {}

    default void step() {}

    default void faster() {}

    default void slower() {}

    /** Seek relative to the current position (negative: backwards, re-reading from the start). */
    default void seekBy(long deltaNs) {}

    /** Seek to a trace time relative to the first event. */
    default void seekTo(long relNs) {}

    /** Seek to just after {@code absTs} (trace clock), pause, and show the interval that ends there. */
    default void jumpTo(long absTs) {}

    /** Seek so that the interval view shows exactly {@code [startAbs, endAbs)} (trace clock), paused. */
    default void showInterval(long startAbs, long endAbs) {}

    default void stepLonger() {}

    default void stepShorter() {}

    /** Stops the thread and releases the source (live: removes the tracefs instance). */
    @Override
    void close();
}
