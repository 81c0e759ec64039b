package io.exitscope.view.tui.feed;

import io.exitscope.stats.GroupBy;

import java.util.concurrent.LinkedBlockingQueue;

/**
 * What the live and the replay feed share: one background thread owns the analysis, and the UI
 * talks to it only through a queue of commands that the thread runs between events, so the
 * analysis needs no lock; frames go the other way through one volatile reference.
 */
abstract class CommandFeed implements Feed {
    /** Heatmap columns kept before they widen: a screen's width many times over, a few MB at most. */
    static final int HEATMAP_COLUMNS = 2048;

    /** Run by the feed thread, in order, between events. */
    protected final LinkedBlockingQueue<Runnable> commands = new LinkedBlockingQueue<>();
    protected volatile long intervalNs;
    protected volatile GroupBy wanted = GroupBy.REASON_CLASS;
    protected volatile boolean closed;
    private volatile Frame latest;
    private final String threadName;
    private Thread thread;
    private Runnable onFrame = () -> {};

    CommandFeed(long intervalNs, String threadName) {
        this.intervalNs = intervalNs;
        this.threadName = threadName;
    }

    /** The feed thread's body: leaves when {@link #closed} or its input ends. */
    protected abstract void run();

    /** Publishes a frame with the current data; {@code newInterval} also closes the interval. */
    protected abstract void publish(boolean newInterval);

    /** Starts a new cumulative window (reset, baseline). */
    protected abstract void newWindow();

    /** The next frame is due no later than {@code deadline} (nanoTime): the interval was shortened. */
    protected abstract void frameDueBy(long deadline);

    @Override
    public void start(Runnable onFrame) {
        this.onFrame = onFrame == null ? () -> {} : onFrame;
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public Frame latest() {
        return latest;
    }

    /** Feed thread: makes {@code f} the latest frame and tells the UI. */
    protected void show(Frame f) {
        latest = f;
        onFrame.run();
    }

    @Override
    public long intervalNs() {
        return intervalNs;
    }

    @Override
    public void setIntervalNs(long ns) {
        intervalNs = ns;
        commands.add(() -> frameDueBy(System.nanoTime() + ns));
    }

    @Override
    public void want(GroupBy g) {
        if (g.toString().equals(wanted.toString())) return;
        wanted = g;
        refresh();
    }

    @Override
    public void refresh() {
        commands.add(() -> publish(false));
    }

    @Override
    public void reset() {
        commands.add(() -> {
            newWindow();
            publish(true);
        });
    }

    /**
     * Marks the feed closed, wakes its thread, runs {@code stopInput} (which makes a blocked read
     * return) and waits up to {@code joinMs} for the thread. True when the thread has ended (or
     * never started).
     */
    protected boolean closeThread(Runnable stopInput, long joinMs) {
        closed = true;
        commands.add(() -> {});
        stopInput.run();
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(joinMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return t == null || !t.isAlive();
    }
}
