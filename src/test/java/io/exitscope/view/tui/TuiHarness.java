package io.exitscope.view.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFiles;
import io.exitscope.view.tui.feed.Feed;
import io.exitscope.view.tui.feed.Frame;
import io.exitscope.view.tui.Glyphs;
import io.exitscope.view.tui.feed.ReplayFeed;
import io.exitscope.view.tui.TuiApp;
import io.exitscope.view.tui.TuiOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The full-screen UI on Lanterna's virtual terminal: keys in, screen text out, driven the way the
 * real loop drives it (handle keys, draw, refresh DELTA) but step by step.
 */
final class TuiHarness implements AutoCloseable {
    final DefaultVirtualTerminal term;
    final TerminalScreen screen;
    final TuiApp app;
    final Feed feed;

    TuiHarness(Feed feed, int cols, int rows, boolean color, Glyphs glyphs) throws IOException {
        this(feed, cols, rows, new TuiOptions(color, glyphs, null));
    }

    TuiHarness(Feed feed, int cols, int rows, TuiOptions opt) throws IOException {
        this.term = new DefaultVirtualTerminal(new TerminalSize(cols, rows));
        this.screen = new TerminalScreen(term);
        this.feed = feed;
        this.app = new TuiApp(feed, opt);
        screen.startScreen();
        feed.start(app::wakeUp);
    }

    /** A replay of {@code trace} at full speed, unpaused. */
    static TuiHarness replay(Path trace, int cols, int rows) throws IOException {
        return replay(trace, cols, rows, true, Glyphs.UNICODE, false);
    }

    static TuiHarness replay(Path trace, int cols, int rows, boolean color, Glyphs g, boolean paused) throws IOException {
        ReplayFeed f = new ReplayFeed(() -> TraceFiles.open(trace, InputFormat.AUTO), AnalysisOptions.ALL, 0, Long.MAX_VALUE,
                200_000_000L, 0, 10_000_000L, paused);
        return new TuiHarness(f, cols, rows, color, g);
    }

    /** Waits for a frame that satisfies {@code p} (the feed works on its own thread). */
    Frame await(Predicate<Frame> p) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            Frame f = feed.latest();
            if (f != null && p.test(f)) return f;
            Thread.sleep(10);
        }
        throw new AssertionError("no frame matched within 60s; last: " + feed.latest());
    }

    Frame awaitEnd() throws InterruptedException {
        return await(Frame::ended);
    }

    /** Waits until the feed published a frame newer than the current one. */
    Frame awaitNext() throws InterruptedException {
        Frame f = feed.latest();
        long seq = f == null ? -1 : f.seq();
        return await(x -> x.seq() > seq);
    }

    void key(char c) {
        app.handle(new KeyStroke(c, false, false));
    }

    void type(String s) {
        for (char c : s.toCharArray()) key(c);
    }

    void key(KeyType t) {
        app.handle(new KeyStroke(t));
    }

    void resize(int cols, int rows) {
        term.setTerminalSize(new TerminalSize(cols, rows));
    }

    /** Draws (as the loop does after a change) and returns the screen as text lines. */
    List<String> lines() {
        if (screen.doResizeIfNecessary() != null) app.resized(); // as the loop does
        try {
            app.paint(screen);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TerminalSize s = term.getTerminalSize();
        List<String> out = new ArrayList<>();
        for (int r = 0; r < s.getRows(); r++) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < s.getColumns(); c++) sb.append(term.getCharacter(c, r).getCharacter());
            out.add(sb.toString());
        }
        return out;
    }

    String text() {
        return String.join("\n", lines());
    }

    TextCharacter at(int col, int row) {
        return term.getCharacter(col, row);
    }

    @Override
    public void close() throws IOException {
        feed.close();
        screen.stopScreen();
    }
}
