package io.exitscope.analysis;

import io.exitscope.exit.ExitAssembler;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The counters of an analysis: events, exits and what could not be paired or was lost, plus the
 * KVM request evidence of the kept exits. A value: the counters of several files add up
 * ({@link #plus}), those of a live interval are the counters at its end {@link #minus} those at
 * its start. {@code truncatedAtStart}: vCPU threads (and resumptions after a loss) whose trace began inside an exit,
 * counted once, never as exits.
 * {@code damagedLines}: text lines cut short (first of them at line {@code firstDamagedLine} of the
 * first file that has any, -1 if none), not read as events.
 */
public record ExitCounters(long events, long exits, long incompleteExits, Map<String, Long> incompleteByReason,
                           long lostEvents, long lostUnknownPages, Map<Integer, Long> lostByCpu, long orphanEntries,
                           long truncatedAtStart,
                           long fpuLoads, long fpuUnloads, long userspaceReturns, long requestsKnown, long requestsPending,
                           long damagedLines, long firstDamagedLine) {

    public static final ExitCounters ZERO = new ExitCounters(0, 0, 0, Map.of(), 0, 0, Map.of(), 0, 0, 0, 0, 0, 0, 0, 0, -1);

    public ExitCounters {
        incompleteByReason = Collections.unmodifiableMap(new TreeMap<>(incompleteByReason));
        lostByCpu = Collections.unmodifiableMap(new TreeMap<>(lostByCpu));
    }

    /** What {@code asm} counted so far, with the request evidence of the exits kept from it. */
    public static ExitCounters of(ExitAssembler asm, long requestsKnown, long requestsPending) {
        return new ExitCounters(asm.events(), asm.exits(), asm.incomplete(), asm.incompleteByReason(), asm.lostEvents(),
                asm.lostUnknownPages(), asm.lostByCpu(), asm.orphanEntries(), asm.truncatedAtStart(), asm.fpuLoads(), asm.fpuUnloads(),
                asm.userspaceReturns(), requestsKnown, requestsPending, 0, -1);
    }

    /** These counters with the damaged lines of a text trace ({@code first}: 1-based line number, -1 if none). */
    public ExitCounters withDamagedLines(long lines, long first) {
        return new ExitCounters(events, exits, incompleteExits, incompleteByReason, lostEvents, lostUnknownPages, lostByCpu,
                orphanEntries, truncatedAtStart, fpuLoads, fpuUnloads, userspaceReturns, requestsKnown, requestsPending, lines, first);
    }

    /** Both added up (several files analysed together). */
    public ExitCounters plus(ExitCounters o) {
        return new ExitCounters(events + o.events, exits + o.exits, incompleteExits + o.incompleteExits,
                combine(incompleteByReason, o.incompleteByReason, 1, false), lostEvents + o.lostEvents, lostUnknownPages + o.lostUnknownPages,
                combine(lostByCpu, o.lostByCpu, 1, false), orphanEntries + o.orphanEntries,
                truncatedAtStart + o.truncatedAtStart, fpuLoads + o.fpuLoads, fpuUnloads + o.fpuUnloads,
                userspaceReturns + o.userspaceReturns, requestsKnown + o.requestsKnown, requestsPending + o.requestsPending,
                damagedLines + o.damagedLines, firstDamagedLine >= 0 ? firstDamagedLine : o.firstDamagedLine);
    }

    /** These counters less {@code start}'s (an interval: counters at its end minus those at its start); zeros left out of the maps. */
    public ExitCounters minus(ExitCounters start) {
        return new ExitCounters(events - start.events, exits - start.exits, incompleteExits - start.incompleteExits,
                combine(incompleteByReason, start.incompleteByReason, -1, true), lostEvents - start.lostEvents,
                lostUnknownPages - start.lostUnknownPages, combine(lostByCpu, start.lostByCpu, -1, true), orphanEntries - start.orphanEntries,
                truncatedAtStart - start.truncatedAtStart,
                fpuLoads - start.fpuLoads, fpuUnloads - start.fpuUnloads, userspaceReturns - start.userspaceReturns,
                requestsKnown - start.requestsKnown, requestsPending - start.requestsPending,
                damagedLines - start.damagedLines, firstDamagedLine);
    }

    private static <K extends Comparable<K>> Map<K, Long> combine(Map<K, Long> a, Map<K, Long> b, int sign, boolean dropZeros) {
        Map<K, Long> m = new TreeMap<>(a);
        b.forEach((k, n) -> m.merge(k, sign * n, Long::sum));
        if (dropZeros) m.values().removeIf(n -> n == 0);
        return m;
    }
}
