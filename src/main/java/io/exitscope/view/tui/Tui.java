package io.exitscope.view.tui;

import com.googlecode.lanterna.screen.TerminalScreen;

import io.exitscope.view.tui.feed.Baseline;
import io.exitscope.view.tui.feed.Feed;

import java.io.File;
import java.io.IOException;
import java.nio.charset.Charset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs the full-screen UI on this process's terminal and gives the terminal back as it was on
 * every way out: {@code q}, Ctrl-C (read as a key), an exception, and SIGTERM/SIGINT/SIGHUP (a
 * shutdown hook that waits for the frame being drawn, then leaves the alternate screen and
 * restores the saved {@code stty} settings).
 */
public final class Tui {
    private Tui() {}

    /** Thrown when there is no terminal to draw on (output piped, TERM=dumb). */
    public static final class NoTerminalException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoTerminalException(String m) {
            super(m);
        }
    }

    /**
     * The terminal's charset: the locale's ({@code native.encoding}, US-ASCII for LANG=C), which
     * from Java 18 on is no longer the default charset (always UTF-8 there, JEP 400).
     */
    public static Charset terminalCharset() {
        String name = System.getProperty("native.encoding");
        try {
            if (name != null) return Charset.forName(name);
        } catch (IllegalArgumentException unsupported) {
            // a locale charset this runtime lacks (jdk.charsets is not in the bundle): as before
        }
        return Charset.defaultCharset();
    }

    /** Fails with a one-line reason when the full-screen view cannot run here. */
    public static void checkTerminal() {
        if (System.console() == null) {
            throw new NoTerminalException("the full-screen view needs a terminal on standard input and output");
        }
        String term = System.getenv("TERM");
        if (term == null || term.isBlank() || term.equals("dumb")) {
            throw new NoTerminalException("the full-screen view needs a cursor-addressable terminal (TERM is "
                    + (term == null || term.isBlank() ? "unset" : term) + ")");
        }
    }

    /**
     * Runs until the user quits. The feed is started here and closed before returning.
     *
     * @param initialBaseline a baseline that becomes ready later (another file, a window), or null
     */
    public static void run(Feed feed, TuiOptions opt, CompletableFuture<Baseline> initialBaseline) throws IOException {
        checkTerminal();
        TuiApp app = new TuiApp(feed, opt);
        app.setInitialBaseline(initialBaseline);
        feed.start(app::wakeUp); // reading starts while the terminal is set up
        Charset cs = terminalCharset();
        FrameSafeTerminal terminal = new FrameSafeTerminal(System.in, System.out, cs);
        // Lanterna saved the settings (stty -g) and turned echo, canonical mode and ^C off; also keep
        // ^Z, ^\ and ^S from suspending, dumping or freezing a raw-mode terminal. Restored with the rest.
        stty("susp", "undef", "quit", "undef", "-ixon");
        TerminalScreen screen = new TerminalScreen(terminal);
        ReentrantLock lock = new ReentrantLock();
        terminal.drawLock(lock);
        AtomicBoolean restored = new AtomicBoolean();
        Runnable restore = () -> {
            if (!restored.compareAndSet(false, true)) return;
            try {
                screen.stopScreen();
            } catch (IOException | RuntimeException ignored) {
                // the terminal may be gone (SIGHUP); still try the stty restore
            }
            try {
                terminal.close(); // leaves private mode if still in it, restores the stty settings
            } catch (IOException | RuntimeException ignored) {
                // during shutdown removing Lanterna's own hook fails; the restore already ran
            }
        };
        // leaving the alternate screen waits for the frame being drawn (FrameSafeTerminal), whichever
        // hook does it, this one or Lanterna's
        Thread hook = new Thread(restore, "exitscope-terminal-restore");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            screen.startScreen();
            screen.setCursorPosition(null);
            app.run(screen, lock);
        } finally {
            lock.lock();
            try {
                restore.run();
            } finally {
                lock.unlock();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down: the hook runs (and finds the terminal restored)
            }
            feed.close();
        }
    }

    private static void stty(String... args) {
        try {
            String[] cmd = new String[args.length + 1];
            cmd[0] = "stty";
            System.arraycopy(args, 0, cmd, 1, args.length);
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/tty")))
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(2, TimeUnit.SECONDS);
        } catch (IOException e) {
            // without stty the defaults of Lanterna still hold
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
