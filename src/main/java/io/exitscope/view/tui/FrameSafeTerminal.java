package io.exitscope.view.tui;

import com.googlecode.lanterna.terminal.ansi.UnixLikeTerminal;
import com.googlecode.lanterna.terminal.ansi.UnixTerminal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A Unix terminal that leaves the alternate screen only between frames. On a signal two shutdown
 * hooks leave it: ours and Lanterna's own ("Lanterna STTY restore"), which knows nothing of the
 * UI thread; had it switched screens in the middle of a frame, the rest of that frame would land
 * on the user's shell screen. So whoever leaves first waits for the frame being drawn (the draw
 * lock) and keeps the lock: nothing draws after that. The UI thread itself, quitting with the
 * lock held, just leaves.
 */
final class FrameSafeTerminal extends UnixTerminal {
    /** How long a hook waits for a frame; a UI thread stuck writing to a dead terminal must not keep the shell's screen. */
    static final long FRAME_WAIT_MS = 1000;

    private final Object exitGuard = new Object();
    private ReentrantLock drawLock; // set right after construction, before the screen starts
    private boolean left;

    FrameSafeTerminal(InputStream in, OutputStream out, Charset cs) throws IOException {
        super(in, out, cs, UnixLikeTerminal.CtrlCBehaviour.TRAP);
    }

    /** The lock the UI thread holds while it draws a frame. */
    void drawLock(ReentrantLock lock) {
        this.drawLock = lock;
    }

    @Override
    public void exitPrivateMode() throws IOException {
        synchronized (exitGuard) {
            if (left) return;
            ReentrantLock l = drawLock;
            if (l != null && !l.isHeldByCurrentThread()) {
                try {
                    l.tryLock(FRAME_WAIT_MS, TimeUnit.MILLISECONDS); // kept: the process is ending
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            left = true;
            super.exitPrivateMode();
        }
    }
}
