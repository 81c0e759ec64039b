package io.exitscope.exit;

import io.exitscope.event.Event;
import io.exitscope.event.EventFormat;
import io.exitscope.exit.arch.EventBindings;
import io.exitscope.exit.arch.EventDecoder;
import io.exitscope.exit.arch.ExitSteps;
import io.exitscope.exit.decode.KvmTables;
import io.exitscope.util.LongMap;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Turns a timestamp-ordered event stream into {@link ExitRecord}s, one vCPU thread at a time: the
 * per-thread state machine. What each event means (begins, refines or ends an exit) is bound per
 * architecture in {@link io.exitscope.exit.arch}; this class knows no event by name.
 *
 * <p>With exit/entry events (x86 {@code kvm_exit→kvm_entry}, s390 {@code kvm_s390_sie_exit→
 * kvm_s390_sie_enter}, arm64 and riscv {@code kvm_exit→kvm_entry}) an exit's latency runs from the
 * exit event to the thread's next entry event; child events in between refine the key and
 * {@code kvm_userspace_exit} makes it a userspace exit. Where a thread never shows exit events
 * (KVM on PVM, or tracing without them) the child events themselves mark exits and the userspace
 * round trip ({@code kvm_userspace_exit} → {@code kvm_fpu} load or next entry) is measured.
 *
 * <p>Events of a thread before its first exit or entry event belong to an exit already under way
 * when the trace began: they are counted once per thread as {@link #truncatedAtStart()}, never as
 * exits. Until the trace has shown an exit or entry event at all, a thread's child-mode exits are
 * held back ({@link #HELD_PER_THREAD} at most): an entry then shows they were the tail of one
 * truncated exit; otherwise they are released as child-mode exits.
 *
 * <p>An exit not seen in userspace is {@link ExitClass#KERNEL} only where the trace records
 * {@code kvm_userspace_exit} (the source says, {@code TraceSource.recordsUserspaceExits}); elsewhere
 * it could have been either, and is {@link ExitClass#UNKNOWN}.
 *
 * <p>Incomplete exits (no entry before the next exit, lost events on the thread's CPU, trace end)
 * are counted, never measured. After events are lost on a CPU, open exits seen on that CPU are
 * dropped rather than paired with an entry that may belong to a later exit, and the events of those
 * threads up to their next exit event count once more as truncated.
 */
public final class ExitAssembler {

    /** What happened to exits that were not measured. */
    public enum Incomplete { NO_ENTRY, LOST_EVENTS, TRACE_END }

    /** State of one vCPU thread. */
    private static final class Vcpu {
        final int tid;
        final String vm;
        int lastCpu = -1;
        boolean paired;           // has shown exit events: exit→entry mode
        /** Child-mode exits held back until this thread shows whether the trace records its exits; null once decided. */
        List<ExitRecord> held;
        /** Decided: this thread's exits are told by child events (no exit events for it). */
        boolean childMode;
        /** Events lost on the thread's CPU since its last exit event: it resumes inside an exit. */
        boolean lostSince;
        /** A refining, userspace or FPU event came before the first exit event (or since the loss). */
        boolean midExit;
        // the open exit
        boolean open;
        long exitTs;
        int exitCpu;
        Arch arch;
        long reasonCode;
        String reason;
        boolean blocking;
        int vcpuId = -1;
        long requests = -1;
        String subkey;
        int subkeyRank;           // more specific children override less specific ones
        long address = -1;
        boolean write;
        boolean inUserspace;
        long userspaceTs;
        long userspaceEndTs = -1;
        int userspaceReason = -1;

        Vcpu(int tid, String vm) {
            this.tid = tid;
            this.vm = vm;
        }

        KernelHandler kernelHandler = KernelHandler.UNSEEN;

        /** Opens an exit at {@code ts} on {@code cpu}; what was open is forgotten (the callers account for it first). */
        void start(long ts, int cpu, Arch arch, long reasonCode, String reason) {
            reset();
            open = true;
            exitTs = ts;
            exitCpu = cpu;
            this.arch = arch;
            this.reasonCode = reasonCode;
            this.reason = reason;
        }

        void reset() {
            open = false;
            subkey = null;
            subkeyRank = 0;
            address = -1;
            write = false;
            inUserspace = false;
            userspaceEndTs = -1;
            userspaceReason = -1;
            requests = -1;
            blocking = false;
            kernelHandler = KernelHandler.UNSEEN;
        }
    }

    private final Consumer<ExitRecord> sink;
    private final Function<Event, String> vmOf;
    /** KERNEL where the trace records kvm_userspace_exit, else UNKNOWN: the class of exits not seen in userspace. */
    private final ExitClass notUserspace;
    private final LongMap<Vcpu> threads = new LongMap<>();
    private static final EventDecoder UNBOUND = (e, to) -> false;
    private EventDecoder[] decoders = new EventDecoder[512];
    private EventFormat[] decoderFormats = new EventFormat[512];
    private final Map<EventFormat, EventDecoder> otherDecoders = new HashMap<>();
    private final Steps steps = new Steps();
    @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array: made raw, filled with LongMap<String> below
    private final LongMap<String>[] subkeyCache = new LongMap[ExitSteps.Subkey.values().length];
    /** The trace has shown an exit or entry event: threads without one yet are inside an exit. */
    private boolean tracesExits;
    static final int HELD_PER_THREAD = 16;

    {
        for (int i = 0; i < subkeyCache.length; i++) subkeyCache[i] = new LongMap<>();
    }

    // counters
    private long events;
    private long exits;
    private final long[] incomplete = new long[Incomplete.values().length];
    /**
     * Incomplete exits by reason: a trace of exit events alone (recorded with only
     * {@code kvm_exit}, as kvm_stat counts them) still says which exits happened. At most
     * {@link #MAX_INCOMPLETE_REASONS} reasons; the rest count as {@code other}.
     */
    private final Map<String, long[]> incompleteByReason = new HashMap<>();
    static final int MAX_INCOMPLETE_REASONS = 256;
    private long orphanEntries;
    private long truncatedAtStart;
    private long unreadable;
    private final Map<Integer, Long> lostByCpu = new TreeMap<>();
    private long lostUnknownPages;
    private long fpuLoads, fpuUnloads, userspaceReturns;
    private final Set<Measure> measures = EnumSet.noneOf(Measure.class);
    private final Set<Arch> arches = EnumSet.noneOf(Arch.class);
    private long firstTs = Long.MIN_VALUE, lastTs;

    /**
     * @param sink                  receives every completed exit
     * @param vmOf                  names the VM of the thread of an event (guest name, VMM process or comm); asked once per thread
     * @param userspaceExitsRecorded the trace records {@code kvm_userspace_exit}: exits not seen in
     *                              userspace were handled in the kernel (else their class is unknown)
     */
    public ExitAssembler(Consumer<ExitRecord> sink, Function<Event, String> vmOf, boolean userspaceExitsRecorded) {
        this.sink = sink;
        this.vmOf = vmOf;
        this.notUserspace = userspaceExitsRecorded ? ExitClass.KERNEL : ExitClass.UNKNOWN;
    }

    /** Feeds one event; events must come in timestamp order. */
    public void accept(Event e) {
        long ts = e.timestamp();
        if (e.kind() == Event.Kind.LOST) {
            onLost(e.cpu(), e.lostCount());
            return;
        }
        events++;
        if (firstTs == Long.MIN_VALUE) firstTs = ts;
        lastTs = ts;
        EventDecoder d = decoder(e.format());
        if (d == UNBOUND) {
            Vcpu v = threads.get(e.pid());
            if (v != null) v.lastCpu = e.cpu();
            return;
        }
        int tid = e.pid();
        Vcpu v = threads.get(tid);
        if (v == null) {
            v = new Vcpu(tid, vmOf.apply(e));
            v.held = tracesExits ? null : new ArrayList<>();
            threads.put(tid, v);
        }
        v.lastCpu = e.cpu();
        steps.v = v;
        steps.e = e;
        if (!d.decode(e, steps)) unreadable++;
    }

    /**
     * A non-exit event of a thread that has shown no exit event yet (or none since a loss): it is
     * inside an exit under way. True when the event is only that (nothing more to do with it).
     */
    private boolean insideTruncated(Vcpu v) {
        if (v.paired) {
            if (v.lostSince) v.midExit = true;
            return false;                           // paired threads ignore children of no open exit anyway
        }
        if (v.childMode) return false;
        v.midExit = true;
        return v.held == null;                      // the trace records exits: not a child-mode exit
    }

    /** The per-thread state machine as the bindings drive it. */
    private final class Steps implements ExitSteps {
        Vcpu v;
        Event e;

        @Override
        public void exit(Arch arch, long code, String reason, boolean blocking, int vcpu, long requests) {
            openExit(v, e, arch, code, reason, blocking, vcpu, requests);
        }

        @Override
        public void entry(int vcpu) {
            onEntry(v, e, vcpu);
        }

        @Override
        public void refine(String reason, String subkey, int rank, long address, boolean write) {
            child(v, e, e.timestamp(), reason, subkey, rank, address, write);
        }

        @Override
        public void refine(String reason, Subkey kind, long value, int rank, long address, boolean write) {
            child(v, e, e.timestamp(), reason, subkey(kind, value), rank, address, write);
        }

        @Override
        public void userspaceExit(int reason, int errno) {
            onUserspaceExit(v, e, reason, errno, e.timestamp());
        }

        @Override
        public void handledBy(KernelHandler h) {
            // an event of the handler inside the thread's open exit, the first one named; it never opens an exit
            if (v.open && !v.inUserspace && v.kernelHandler == KernelHandler.UNSEEN) v.kernelHandler = h;
        }

        @Override
        public void fpu(boolean load) {
            if (load) fpuLoads++;
            else fpuUnloads++;
            if (!insideTruncated(v) && load) onReturnToKvmRun(v, e.timestamp());
        }
    }

    /**
     * The subkey text for (kind, value), built once: the same few subkeys repeat millions of
     * times, so the hot path is one primitive-keyed lookup and no string work.
     */
    private String subkey(ExitSteps.Subkey kind, long value) {
        LongMap<String> byValue = subkeyCache[kind.ordinal()];
        String s = byValue.get(value);
        if (s == null) {
            s = kind.text(value);
            if (byValue.size() < 100_000) byValue.put(value, s);
        }
        return s;
    }

    /**
     * The thread's first exit or entry event (or its first since a loss): what it did before was
     * the tail of an exit under way, counted once; its held child-mode exits were that tail.
     * {@code closes}: an entry, which ends such an exit by itself.
     */
    private void endTruncated(Vcpu v, boolean closes) {
        tracesExits = true;
        if (v.childMode) {
            flushChildMode(v);                      // a thread that told its exits by child events all along
        } else if (v.midExit || closes) {
            truncatedAtStart++;
        }
        v.midExit = false;
        v.lostSince = false;
        v.held = null;
        v.childMode = false;
        if (!v.paired) {
            v.reset();
            v.paired = true;
        }
    }

    /** This many child-mode exits without an exit or entry event: the thread's exits are told by child events. */
    private void release(Vcpu t) {
        List<ExitRecord> h = t.held;
        t.held = null;
        t.childMode = true;
        t.midExit = false;
        for (ExitRecord r : h) deliver(r);
    }

    private void openExit(Vcpu v, Event e, Arch arch, long code, String reason, boolean blocking, int vcpu, long requests) {
        if (!v.paired || v.lostSince) endTruncated(v, false);
        if (v.open) countIncomplete(v, Incomplete.NO_ENTRY);
        v.start(e.timestamp(), e.cpu(), arch, code, reason);
        arches.add(arch);
        v.blocking = blocking;
        if (vcpu >= 0) v.vcpuId = vcpu;
        v.requests = requests;
    }

    private void onEntry(Vcpu v, Event e, int vcpu) {
        long ts = e.timestamp();
        if (vcpu >= 0) v.vcpuId = vcpu;
        if (!v.paired || v.lostSince) {
            // an entry before any exit on this thread: the end of an exit under way at the start
            endTruncated(v, true);
            orphanEntries++;
            return;
        }
        if (!v.open) {
            orphanEntries++;
            return;
        }
        long us = -1;
        if (v.inUserspace) us = (v.userspaceEndTs >= 0 ? v.userspaceEndTs : ts) - v.userspaceTs;
        emit(v, ts, v.inUserspace ? ExitClass.USERSPACE : notUserspace, Measure.EXIT_TO_ENTRY, ts - v.exitTs, us);
        v.reset();
    }

    private void child(Vcpu v, Event e, long ts, String childReason, String subkey, int rank, long address, boolean write) {
        if (insideTruncated(v)) return;
        if (v.paired) {
            if (!v.open) return;
            if (rank > v.subkeyRank) {
                v.subkey = subkey;
                v.subkeyRank = rank;
                if (address >= 0) {
                    v.address = address;
                    v.write = write;
                }
            }
            return;
        }
        // child-event mode: the child marks an exit
        if (v.open && !v.inUserspace && v.arch == Arch.UNKNOWN && v.subkeyRank >= rank) {
            // the previous one stayed in the kernel
            emit(v, -1, notUserspace, Measure.COUNT_ONLY, -1, -1);
            v.reset();
        }
        if (!v.open) {
            v.start(ts, e.cpu(), Arch.UNKNOWN, -1, childReason);
        }
        if (rank > v.subkeyRank) {
            v.reason = childReason;
            v.subkey = subkey;
            v.subkeyRank = rank;
            v.address = address;
            v.write = write;
        }
    }

    private void onUserspaceExit(Vcpu v, Event e, int reason, int errno, long ts) {
        userspaceReturns++;
        if (insideTruncated(v)) return;
        if (errno < 0) reason = errno == -4 ? KvmTables.KVM_EXIT_INTR : reason;
        if (v.paired) {
            if (v.open && !v.inUserspace) {
                v.inUserspace = true;
                v.userspaceTs = ts;
                v.userspaceReason = reason;
            }
            return;
        }
        if (v.open && !v.inUserspace && reason == KvmTables.KVM_EXIT_INTR && v.subkeyRank > 0) {
            // KVM_RUN returned for a signal, not for the pending child exit: that one stayed in the kernel
            emit(v, -1, notUserspace, Measure.COUNT_ONLY, -1, -1);
            v.reset();
        }
        if (!v.open) {
            v.start(ts, e.cpu(), Arch.UNKNOWN, reason, KvmTables.userspaceExit(reason));
            v.blocking = reason == KvmTables.KVM_EXIT_HLT;
        } else if (v.reasonCode < 0 && v.subkeyRank == 0) {
            v.reason = KvmTables.userspaceExit(reason);
            v.reasonCode = reason;
        }
        if (!v.inUserspace) {
            v.inUserspace = true;
            v.userspaceTs = ts;
            v.userspaceReason = reason;
        }
    }

    /** The thread is back in KVM_RUN ({@code kvm_fpu} load, or an entry seen in child mode). */
    private void onReturnToKvmRun(Vcpu v, long ts) {
        if (v.paired) {
            if (v.open && v.inUserspace && v.userspaceEndTs < 0) v.userspaceEndTs = ts;
            return;
        }
        if (!v.open) return;
        if (v.inUserspace) {
            long rt = ts - v.userspaceTs;
            emit(v, ts, ExitClass.USERSPACE, Measure.USERSPACE_ROUND_TRIP, rt, rt);
        } else {
            emit(v, -1, notUserspace, Measure.COUNT_ONLY, -1, -1);
        }
        v.reset();
    }

    private void flushChildMode(Vcpu v) {
        if (v.open && !v.paired) {
            if (v.inUserspace) countIncomplete(v, Incomplete.NO_ENTRY);
            else emit(v, -1, notUserspace, Measure.COUNT_ONLY, -1, -1);
        }
        v.reset();
    }

    private void emit(Vcpu v, long endTs, ExitClass cls, Measure m, long latency, long userspace) {
        ExitRecord r = new ExitRecord(v.exitTs, endTs, v.tid, v.exitCpu, v.vcpuId, v.vm, v.arch, v.reasonCode, v.reason,
                v.subkey, v.address, v.write, cls, v.blocking, m, latency, userspace, v.requests, v.userspaceReason,
                v.kernelHandler);
        if (v.held != null) {
            v.held.add(r);
            if (v.held.size() >= HELD_PER_THREAD) release(v);
            return;
        }
        deliver(r);
    }

    private void deliver(ExitRecord r) {
        exits++;
        measures.add(r.measure());
        sink.accept(r);
    }

    private void countIncomplete(Vcpu v, Incomplete why) {
        incomplete[why.ordinal()]++;
        String r = v.reason == null ? "unknown" : v.reason;
        long[] c = incompleteByReason.get(r);
        if (c == null) {
            if (incompleteByReason.size() >= MAX_INCOMPLETE_REASONS) r = "other";
            c = incompleteByReason.computeIfAbsent(r, k -> new long[1]);
        }
        c[0]++;
    }

    private void onLost(int cpu, long count) {
        if (count > 0) lostByCpu.merge(cpu, count, Long::sum);
        else lostUnknownPages++;
        threads.forEachValue(v -> {
            if (v.paired && (v.lastCpu == cpu || v.open && v.exitCpu == cpu)) v.lostSince = true;
            if (v.open && (v.lastCpu == cpu || v.exitCpu == cpu)) {
                if (!v.paired && !v.inUserspace) {
                    // child-mode kernel exit: it was complete (count only) before the loss
                    emit(v, -1, notUserspace, Measure.COUNT_ONLY, -1, -1);
                } else {
                    countIncomplete(v, Incomplete.LOST_EVENTS);
                }
                v.reset();
            }
        });
    }

    /** The trace ended: exits still open are incomplete (child-mode kernel exits are complete). */
    public void finish() {
        threads.forEachValue(v -> {
            if (v.held != null) release(v);
            if (v.open) {
                if (!v.paired && !v.inUserspace) emit(v, -1, notUserspace, Measure.COUNT_ONLY, -1, -1);
                else countIncomplete(v, Incomplete.TRACE_END);
                v.reset();
            }
        });
    }

    private EventDecoder decoder(EventFormat f) {
        int id = f.id;
        if (id >= 0 && id < decoders.length) {
            if (decoderFormats[id] == f) return decoders[id];
            EventDecoder d = EventBindings.bind(f);
            if (d == null) d = UNBOUND;
            decoders[id] = d;
            decoderFormats[id] = f;
            return d;
        }
        if (id >= 0 && id < 65536) {
            int n = Math.max(id + 1, decoders.length * 2);
            decoders = java.util.Arrays.copyOf(decoders, n);
            decoderFormats = java.util.Arrays.copyOf(decoderFormats, n);
            return decoder(f);
        }
        return otherDecoders.computeIfAbsent(f, k -> {
            EventDecoder d = EventBindings.bind(k);
            return d == null ? UNBOUND : d;
        });
    }

    // ---------------------------------------------------------------- results

    public long events() { return events; }
    public long exits() { return exits; }
    public long incomplete() { long s = 0; for (long x : incomplete) s += x; return s; }
    public long incomplete(Incomplete why) { return incomplete[why.ordinal()]; }
    /** Incomplete exits by the reason of the exit (a copy). */
    public Map<String, Long> incompleteByReason() {
        Map<String, Long> m = new TreeMap<>();
        incompleteByReason.forEach((k, v) -> m.put(k, v[0]));
        return m;
    }
    public long orphanEntries() { return orphanEntries; }
    /** Threads (and resumptions after a loss) whose first events were inside an exit already under way. */
    public long truncatedAtStart() { return truncatedAtStart; }
    /** Events of a bound kind whose fields could not be read (a text line cut short, a form of no known kernel). */
    public long unreadableEvents() { return unreadable; }
    public long lostEvents() { return lostByCpu.values().stream().mapToLong(Long::longValue).sum(); }
    public long lostUnknownPages() { return lostUnknownPages; }
    public Map<Integer, Long> lostByCpu() { return java.util.Collections.unmodifiableMap(lostByCpu); }
    public long fpuLoads() { return fpuLoads; }
    public long fpuUnloads() { return fpuUnloads; }
    public long userspaceReturns() { return userspaceReturns; }
    public Set<Measure> measures() { return java.util.Collections.unmodifiableSet(measures); }
    public Set<Arch> arches() { return java.util.Collections.unmodifiableSet(arches); }
    public long firstTimestamp() { return firstTs == Long.MIN_VALUE ? 0 : firstTs; }
    public long lastTimestamp() { return lastTs; }
}
