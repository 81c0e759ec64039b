package io.exitscope.source.live;

import io.exitscope.event.Event;

import java.io.IOException;

/**
 * The one live event loop: reads a {@link LiveSource}'s merged stream into a {@link Handler},
 * calls it back at interval boundaries and at least every check period, stops tracing when the
 * duration is up or a callback asks, and then drains what the readers still deliver until the
 * stream ends. {@code live --batch}, {@code triage --live}, {@code record}, {@code calibrate}
 * and the live full-screen view all drive this loop.
 *
 * <p>The clock is not read per event ({@link System#nanoTime()} costs ~100 ns here):
 * {@link LiveSource.LiveStream#advanceUntil} reads it only when it waits, and under a steady
 * flood, which never makes it wait, the loop looks at the clock every {@value #CLOCK_EVERY} events.
 */
public final class LivePump {
    /** Events between two looks at the clock when events arrive without pause (a power of two). */
    public static final int CLOCK_EVERY = 1024;

    /** What the loop calls; all on the loop's thread. */
    public interface Handler {
        /** Every event, in timestamp order. */
        void event(Event e) throws IOException;

        /** At each interval boundary ({@code now}: {@link System#nanoTime()}); not while draining. */
        default void interval(long now) throws IOException {
        }

        /** At every look at the clock (at least every check period), before the interval test. */
        default void check(long now) throws IOException {
        }

        /** True when {@link #check} should run at the next clock look even if nothing is due (queued commands). */
        default boolean pending() {
            return false;
        }
    }

    private final LiveSource source;
    private final long intervalNs;
    private final long durationNs;
    private final long checkNs;
    private long nextTick = Long.MAX_VALUE;
    private long nextCheck = Long.MAX_VALUE;
    private long end = Long.MAX_VALUE;
    private boolean stopping, leave;
    private long events;

    /**
     * @param intervalNs time between {@link Handler#interval} calls, {@code Long.MAX_VALUE} for none
     * @param durationNs stop tracing this long after {@link #run} starts, {@code Long.MAX_VALUE}: when asked
     * @param checkNs    the longest time between two {@link Handler#check} calls, {@code Long.MAX_VALUE}: only with intervals
     */
    public LivePump(LiveSource source, long intervalNs, long durationNs, long checkNs) {
        this.source = source;
        this.intervalNs = intervalNs;
        this.durationNs = durationNs;
        this.checkNs = checkNs;
    }

    /** From a callback: stop tracing now, drain, and return once the stream has ended. */
    public void stopTracing() {
        if (!stopping) end = Math.min(end, System.nanoTime());
    }

    /** From a callback: return at once, without draining (the source is being closed). */
    public void leave() {
        leave = true;
    }

    /** From a callback: the next interval boundary comes no later than {@code deadline}. */
    public void intervalDueBy(long deadline) {
        nextTick = Math.min(nextTick, deadline);
    }

    /** True once tracing was stopped (the loop is draining). */
    public boolean stopping() {
        return stopping;
    }

    /** Events handed to the handler so far. */
    public long events() {
        return events;
    }

    /** Runs the loop on this thread until the stream ends (or a callback leaves). */
    public void run(LiveSource.LiveStream s, Handler h) throws IOException {
        long start = System.nanoTime();
        nextTick = intervalNs == Long.MAX_VALUE ? Long.MAX_VALUE : start + intervalNs;
        if (durationNs != Long.MAX_VALUE) end = Math.min(end, start + durationNs);
        nextCheck = checkNs == Long.MAX_VALUE ? Long.MAX_VALUE : start + checkNs;
        while (!leave) {
            long due = Math.min(Math.min(nextTick, end), nextCheck);
            int r = s.advanceUntil(due);
            if (r == LiveSource.LiveStream.EVENT) {
                h.event(s.current());
                if ((++events & (CLOCK_EVERY - 1)) != 0) continue;
                if (!h.pending() && System.nanoTime() - due < 0) continue;
            }
            if (r == LiveSource.LiveStream.END) break;
            long now = System.nanoTime();
            if (checkNs != Long.MAX_VALUE) nextCheck = now + checkNs;
            h.check(now);
            if (leave) break;
            if (!stopping && now - end >= 0) {
                // stop tracing, then drain what the readers still deliver (the stream ends when they are done)
                source.stop();
                stopping = true;
                end = nextTick = Long.MAX_VALUE;
                continue;
            }
            if (now - nextTick >= 0) {
                h.interval(now);
                nextTick = intervalNs == Long.MAX_VALUE ? Long.MAX_VALUE : nextTick + intervalNs;
                if (nextTick - now <= 0) nextTick = now + intervalNs;
            }
        }
    }
}
