package io.exitscope.view.tui.feed;

import io.exitscope.source.TraceFormatException;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Small helpers shared by the feeds. */
public final class Feeds {
    private Feeds() {}

    /** One line for the user, never a stack trace. */
    public static String describe(Throwable t) {
        if (t instanceof UncheckedIOException u && u.getCause() != null) t = u.getCause();
        if (t instanceof TraceFormatException) return t.getMessage();
        if (t instanceof java.nio.file.NoSuchFileException e) return e.getFile() + ": no such file";
        if (t instanceof java.nio.file.AccessDeniedException e) return e.getFile() + ": permission denied";
        if (t instanceof IOException) return "I/O error: " + t.getMessage();
        String m = t.getMessage();
        return "internal error: " + t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** The 1-2-5 sequence of step lengths, 1us .. 100s. */
    static long nextStep(long ns, int dir) {
        long[] steps = new long[28];
        int n = 0;
        for (long dec = 1_000L; dec <= 100_000_000_000L; dec *= 10) {
            steps[n++] = dec;
            if (dec < 100_000_000_000L) {
                steps[n++] = 2 * dec;
                steps[n++] = 5 * dec;
            }
        }
        int best = 0;
        for (int i = 0; i < n; i++) if (Math.abs(steps[i] - ns) < Math.abs(steps[best] - ns)) best = i;
        best = Math.max(0, Math.min(n - 1, best + dir));
        return steps[best];
    }
}
