package io.exitscope.view.tui;

import io.exitscope.stats.GroupBy;
import io.exitscope.view.tui.feed.Baseline;
import io.exitscope.view.tui.feed.Feed;
import io.exitscope.view.tui.feed.Frame;

import java.util.concurrent.CompletableFuture;

/** A feed that always shows one frame (for layout tests with made-up figures). */
final class StaticFeed implements Feed {
    private final Frame frame;

    StaticFeed(Frame frame) {
        this.frame = frame;
    }

    @Override
    public void start(Runnable onFrame) {
        onFrame.run();
    }

    @Override
    public Frame latest() {
        return frame;
    }

    @Override
    public boolean replay() {
        return frame.progress() != null;
    }

    @Override
    public void want(GroupBy g) {}

    @Override
    public void refresh() {}

    @Override
    public void reset() {}

    @Override
    public CompletableFuture<Baseline> takeBaseline() {
        return new CompletableFuture<>();
    }

    @Override
    public long intervalNs() {
        return 1_000_000_000L;
    }

    @Override
    public void setIntervalNs(long ns) {}

    @Override
    public void close() {}
}
