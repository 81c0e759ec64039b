package io.exitscope.exit;

import io.exitscope.event.Event;
import io.exitscope.event.EventFormat;
import io.exitscope.event.FieldFormat;
import io.exitscope.exit.decode.Arm64Tables;
import io.exitscope.exit.decode.KvmTables;
import io.exitscope.exit.decode.S390Tables;
import io.exitscope.exit.decode.X86Tables;
import io.exitscope.util.LongMap;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Turns a timestamp-ordered event stream into {@link ExitRecord}s, one vCPU thread at a time.
 *
 * <p>With exit/entry events (x86 {@code kvm_exit→kvm_entry}, s390 {@code kvm_s390_sie_exit→
 * kvm_s390_sie_enter}, arm64 {@code kvm_exit→kvm_entry}) an exit's latency runs from the exit
 * event to the thread's next entry event; child events in between refine the key and
 * {@code kvm_userspace_exit} makes it a userspace exit. Where a thread never shows exit events
 * (KVM on PVM, or tracing without them) the child events themselves mark exits and the userspace
 * round trip ({@code kvm_userspace_exit} → {@code kvm_fpu} load or next entry) is measured.
 *
 * <p>Incomplete exits (no entry before the next exit, lost events on the thread's CPU, trace end)
 * are counted, never measured. After events are lost on a CPU, open exits seen on that CPU are
 * dropped rather than paired with an entry that may belong to a later exit.
 */
public final class ExitAssembler {

    /** What happened to exits that were not measured. */
    public enum Incomplete { NO_ENTRY, LOST_EVENTS, TRACE_END }

    private enum Kind {
        IGNORE, X86_EXIT, ARM64_EXIT, S390_EXIT, ENTRY, S390_ENTRY, PIO, MMIO, FAST_MMIO, MSR, CR, HYPERCALL,
        S390_INSN, S390_DIAG, S390_SIGP, S390_PROG, USERSPACE_EXIT, FPU, KERNEL_DEVICE
    }

    /** Per event format: its role and the fields used, resolved once. */
    private static final class Handler {
        final EventFormat format;
        final Kind kind;
        final FieldFormat f1, f2, f3, f4, vcpu;

        Handler(EventFormat format, Kind kind, FieldFormat f1, FieldFormat f2, FieldFormat f3, FieldFormat f4, FieldFormat vcpu) {
            this.format = format;
            this.kind = kind;
            this.f1 = f1;
            this.f2 = f2;
            this.f3 = f3;
            this.f4 = f4;
            this.vcpu = vcpu;
        }
    }

    /** State of one vCPU thread. */
    private static final class Vcpu {
        final int tid;
        final String vm;
        int lastCpu = -1;
        boolean paired;           // has shown exit events: exit→entry mode
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
        KernelHandler kernelHandler = KernelHandler.UNSEEN;

        Vcpu(int tid, String vm) {
            this.tid = tid;
            this.vm = vm;
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
    private final LongMap<Vcpu> threads = new LongMap<>();
    private Handler[] handlers = new Handler[512];
    private final Map<EventFormat, Handler> otherHandlers = new HashMap<>();
    @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array: made raw, filled with LongMap<String> below
    private final LongMap<String>[] subkeyCache = new LongMap[SUBKEY_WHAT.length];

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
    private final Map<Integer, Long> lostByCpu = new TreeMap<>();
    private long lostUnknownPages;
    private long fpuLoads, fpuUnloads, userspaceReturns;
    private final Set<Measure> measures = EnumSet.noneOf(Measure.class);
    private final Set<Arch> arches = EnumSet.noneOf(Arch.class);
    private long firstTs = Long.MIN_VALUE, lastTs;

    /**
     * @param sink receives every completed exit
     * @param vmOf names the VM of the thread of an event (guest name, VMM process or comm); asked once per thread
     */
    public ExitAssembler(Consumer<ExitRecord> sink, Function<Event, String> vmOf) {
        this.sink = sink;
        this.vmOf = vmOf;
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
        Handler h = handler(e.format());
        if (h.kind == Kind.IGNORE) {
            Vcpu v = threads.get(e.pid());
            if (v != null) v.lastCpu = e.cpu();
            return;
        }
        int tid = e.pid();
        Vcpu v = threads.get(tid);
        if (h.kind == Kind.KERNEL_DEVICE) {
            // an in-kernel device acting inside the thread's open exit; it never opens one (it follows the access)
            // and other threads (a VMM raising an IRQ line) are not vCPUs
            if (v != null) {
                v.lastCpu = e.cpu();
                if (v.open && !v.inUserspace && v.kernelHandler == KernelHandler.UNSEEN) v.kernelHandler = KernelHandler.ofEvent(h.format.name);
            }
            return;
        }
        if (v == null) {
            v = new Vcpu(tid, vmOf.apply(e));
            threads.put(tid, v);
        }
        v.lastCpu = e.cpu();
        switch (h.kind) {
            case X86_EXIT -> {
                long raw = e.getLong(h.f1);
                int isa = h.f2 != null ? (int) e.getLong(h.f2) : X86Tables.ISA_VMX;
                Arch a = isa == X86Tables.ISA_SVM ? Arch.X86_SVM : Arch.X86_VMX;
                openExit(v, e, a, X86Tables.basicReason(raw, isa), X86Tables.name(raw, isa), X86Tables.isBlocking(raw, isa), h);
                if (h.f3 != null) v.requests = e.getLong(h.f3);
            }
            case ARM64_EXIT -> {
                long code = Arm64Tables.reasonCode(e.getLong(h.f1), e.getLong(h.f2));
                openExit(v, e, Arch.ARM64, code, Arm64Tables.name(code), Arm64Tables.isBlocking(code), h);
            }
            case S390_EXIT -> {
                long icpt = e.getLong(h.f1) & 0xff;
                openExit(v, e, Arch.S390, icpt, S390Tables.intercept(icpt), S390Tables.isBlocking(icpt), h);
            }
            case ENTRY, S390_ENTRY -> onEntry(v, e, h);
            case PIO -> {
                boolean write = e.getLong(h.f1) != 0;
                long port = e.getLong(h.f2);
                child(v, e, ts, "PIO", subkey(write ? PORT_OUT : PORT_IN, port), 2, port, write);
            }
            case MMIO -> {
                long type = e.getLong(h.f1);
                long gpa = e.getLong(h.f2);
                // KVM_TRACE_MMIO_READ_UNSATISFIED 0, READ 1, WRITE 2
                boolean write = type == 2;
                child(v, e, ts, "MMIO", subkey(write ? GPA_WRITE : type == 0 ? GPA_READ_UNSATISFIED : GPA_READ, gpa), 2, gpa, write);
            }
            case FAST_MMIO -> {
                long gpa = e.getLong(h.f1);
                child(v, e, ts, "MMIO", subkey(GPA_WRITE, gpa), 2, gpa, true);
                if (v.open) v.kernelHandler = KernelHandler.FAST_MMIO;
            }

            case MSR -> {
                boolean write = e.getLong(h.f1) != 0;
                long msr = e.getLong(h.f2);
                child(v, e, ts, "MSR", subkey(write ? MSR_WRITE : MSR_READ, msr), 2, -1, write);
            }
            case CR -> {
                boolean write = e.getLong(h.f1) != 0;
                long cr = e.getLong(h.f2);
                child(v, e, ts, "CR", "cr" + cr + (write ? " write" : " read"), 1, -1, write);
            }
            case HYPERCALL -> child(v, e, ts, "HYPERCALL", subkey(HCALL_NR, e.getLong(h.f1)), 2, -1, false);
            case S390_INSN -> child(v, e, ts, "Instruction", S390Tables.instruction(e.getLong(h.f1)), 1, -1, false);
            case S390_DIAG -> {
                long code = e.getLong(h.f1) & 0xffff;
                child(v, e, ts, "DIAG", S390Tables.diag(code), 2, code == 0x500 ? 0x500 : -1, code == 0x500);
            }
            case S390_SIGP -> child(v, e, ts, "SIGP", S390Tables.sigp(e.getLong(h.f1) & 0xff), 2, -1, false);
            case S390_PROG -> child(v, e, ts, "Program interruption", S390Tables.prog(e.getLong(h.f1) & 0xffff), 2, -1, false);
            case USERSPACE_EXIT -> onUserspaceExit(v, e, h, ts);
            case FPU -> {
                if (e.getLong(h.f1) != 0) {
                    fpuLoads++;
                    onReturnToKvmRun(v, ts);
                } else {
                    fpuUnloads++;
                }
            }
            default -> { }
        }
    }

    /** Subkey kinds: what the value is and the access direction. */
    private static final int PORT_OUT = 0, PORT_IN = 1, GPA_WRITE = 2, GPA_READ = 3, GPA_READ_UNSATISFIED = 4,
            MSR_WRITE = 5, MSR_READ = 6, HCALL_NR = 7;
    private static final String[] SUBKEY_WHAT = {"port", "port", "gpa", "gpa", "gpa", "msr", "msr", "nr"};
    private static final String[] SUBKEY_DIR = {" out", " in", " write", " read", " read-unsatisfied", " write", " read", ""};

    /**
     * The subkey text for (kind, value), built once: the same few subkeys repeat millions of
     * times, so the hot path is one primitive-keyed lookup and no string work.
     */
    private String subkey(int kind, long value) {
        LongMap<String> byValue = subkeyCache[kind];
        String s = byValue.get(value);
        if (s == null) {
            s = SUBKEY_WHAT[kind] + " 0x" + Long.toHexString(value) + SUBKEY_DIR[kind];
            if (byValue.size() < 100_000) byValue.put(value, s);
        }
        return s;
    }

    private void openExit(Vcpu v, Event e, Arch arch, long code, String reason, boolean blocking, Handler h) {
        if (!v.paired) {
            // first exit event on this thread: leave child-event mode
            flushChildMode(v);
            v.paired = true;
        }
        if (v.open) countIncomplete(v, Incomplete.NO_ENTRY);
        v.reset();
        v.open = true;
        v.exitTs = e.timestamp();
        v.exitCpu = e.cpu();
        v.arch = arch;
        arches.add(arch);
        v.reasonCode = code;
        v.reason = reason;
        v.blocking = blocking;
        if (h.vcpu != null) v.vcpuId = (int) e.getLong(h.vcpu);
    }

    private void onEntry(Vcpu v, Event e, Handler h) {
        long ts = e.timestamp();
        if (h.vcpu != null) v.vcpuId = (int) e.getLong(h.vcpu);
        if (!v.paired) {
            // an entry before any exit on this thread: the end of a child-mode userspace leg
            onReturnToKvmRun(v, ts);
            orphanEntries++;
            return;
        }
        if (!v.open) {
            orphanEntries++;
            return;
        }
        long us = -1;
        if (v.inUserspace) us = (v.userspaceEndTs >= 0 ? v.userspaceEndTs : ts) - v.userspaceTs;
        emit(v, ts, v.inUserspace ? ExitClass.USERSPACE : ExitClass.KERNEL, Measure.EXIT_TO_ENTRY, ts - v.exitTs, us);
        v.reset();
    }

    private void child(Vcpu v, Event e, long ts, String childReason, String subkey, int rank, long address, boolean write) {
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
            emit(v, -1, ExitClass.KERNEL, Measure.COUNT_ONLY, -1, -1);
            v.reset();
        }
        if (!v.open) {
            v.reset();
            v.open = true;
            v.exitTs = ts;
            v.exitCpu = e.cpu();
            v.arch = Arch.UNKNOWN;
            v.reasonCode = -1;
            v.reason = childReason;
        }
        if (rank > v.subkeyRank) {
            v.reason = childReason;
            v.subkey = subkey;
            v.subkeyRank = rank;
            v.address = address;
            v.write = write;
        }
    }

    private void onUserspaceExit(Vcpu v, Event e, Handler h, long ts) {
        userspaceReturns++;
        int reason = (int) e.getLong(h.f1);
        int errno = h.f2 != null ? (int) e.getLong(h.f2) : 0;
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
            emit(v, -1, ExitClass.KERNEL, Measure.COUNT_ONLY, -1, -1);
            v.reset();
        }
        if (!v.open) {
            v.reset();
            v.open = true;
            v.exitTs = ts;
            v.exitCpu = e.cpu();
            v.arch = Arch.UNKNOWN;
            v.reasonCode = reason;
            v.reason = KvmTables.userspaceExit(reason);
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
            emit(v, -1, ExitClass.KERNEL, Measure.COUNT_ONLY, -1, -1);
        }
        v.reset();
    }

    private void flushChildMode(Vcpu v) {
        if (v.open && !v.paired) {
            if (v.inUserspace) countIncomplete(v, Incomplete.NO_ENTRY);
            else emit(v, -1, ExitClass.KERNEL, Measure.COUNT_ONLY, -1, -1);
        }
        v.reset();
    }

    private void emit(Vcpu v, long endTs, ExitClass cls, Measure m, long latency, long userspace) {
        exits++;
        measures.add(m);
        sink.accept(new ExitRecord(v.exitTs, endTs, v.tid, v.exitCpu, v.vcpuId, v.vm, v.arch, v.reasonCode, v.reason,
                v.subkey, v.address, v.write, cls, v.blocking, m, latency, userspace, v.requests, v.userspaceReason, v.kernelHandler));
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
            if (v.open && (v.lastCpu == cpu || v.exitCpu == cpu)) {
                if (!v.paired && !v.inUserspace) {
                    // child-mode kernel exit: it was complete (count only) before the loss
                    emit(v, -1, ExitClass.KERNEL, Measure.COUNT_ONLY, -1, -1);
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
            if (v.open) {
                if (!v.paired && !v.inUserspace) emit(v, -1, ExitClass.KERNEL, Measure.COUNT_ONLY, -1, -1);
                else countIncomplete(v, Incomplete.TRACE_END);
                v.reset();
            }
        });
    }

    private Handler handler(EventFormat f) {
        int id = f.id;
        if (id >= 0 && id < handlers.length) {
            Handler h = handlers[id];
            if (h != null && h.format == f) return h;
            h = makeHandler(f);
            handlers[id] = h;
            return h;
        }
        if (id >= 0 && id < 65536) {
            handlers = java.util.Arrays.copyOf(handlers, Math.max(id + 1, handlers.length * 2));
            return handler(f);
        }
        return otherHandlers.computeIfAbsent(f, ExitAssembler::makeHandler);
    }

    private static Handler makeHandler(EventFormat f) {
        String n = f.name;
        Kind k = Kind.IGNORE;
        FieldFormat a = null, b = null, c = null, d = null, vcpu = null;
        switch (n) {
            case "kvm_exit", "kvm_x86_exit" -> {
                if (f.field("esr_ec") != null) {
                    k = Kind.ARM64_EXIT;
                    a = f.field("ret");
                    b = f.field("esr_ec");
                } else if (f.field("exit_reason") != null) {
                    k = Kind.X86_EXIT;
                    a = f.field("exit_reason");
                    b = f.field("isa");
                    c = f.field("requests");
                    vcpu = f.field("vcpu_id");
                }
            }
            case "kvm_entry", "kvm_x86_entry" -> {
                k = Kind.ENTRY;
                vcpu = f.field("vcpu_id");
            }
            case "kvm_s390_sie_exit" -> {
                k = Kind.S390_EXIT;
                a = f.field("icptcode");
                vcpu = f.field("id");
            }
            case "kvm_s390_sie_enter" -> {
                k = Kind.S390_ENTRY;
                vcpu = f.field("id");
            }
            case "kvm_pio", "kvm_x86_pio" -> {
                k = Kind.PIO;
                a = f.field("rw");
                b = f.field("port");
            }
            case "kvm_mmio" -> {
                k = Kind.MMIO;
                a = f.field("type");
                b = f.field("gpa");
            }
            case "kvm_fast_mmio" -> {
                k = Kind.FAST_MMIO;
                a = f.field("gpa");
            }
            case "kvm_msr", "kvm_x86_msr" -> {
                k = Kind.MSR;
                a = f.field("write");
                b = f.field("ecx");
            }
            case "kvm_cr", "kvm_x86_cr" -> {
                k = Kind.CR;
                a = f.field("rw");
                b = f.field("cr");
            }
            case "kvm_hypercall", "kvm_x86_hypercall" -> {
                k = Kind.HYPERCALL;
                a = f.field("nr");
            }
            case "kvm_s390_intercept_instruction" -> {
                k = Kind.S390_INSN;
                a = f.field("instruction");
            }
            case "kvm_s390_handle_diag" -> {
                k = Kind.S390_DIAG;
                a = f.field("code");
            }
            case "kvm_s390_handle_sigp" -> {
                k = Kind.S390_SIGP;
                a = f.field("order_code");
            }
            case "kvm_s390_intercept_prog" -> {
                k = Kind.S390_PROG;
                a = f.field("code");
            }
            case "kvm_userspace_exit" -> {
                k = Kind.USERSPACE_EXIT;
                a = f.field("reason");
                b = f.field("errno");
            }
            case "kvm_fpu" -> {
                k = Kind.FPU;
                a = f.field("load");
            }
            default -> {
                if (KernelHandler.ofEvent(n) != null) k = Kind.KERNEL_DEVICE;
            }
        }
        // an event without the fields its role needs (odd kernel, partial text) is ignored, not guessed
        if (k != Kind.IGNORE && k != Kind.ENTRY && k != Kind.S390_ENTRY && k != Kind.KERNEL_DEVICE && a == null) k = Kind.IGNORE;
        if ((k == Kind.PIO || k == Kind.MMIO || k == Kind.MSR || k == Kind.CR || k == Kind.ARM64_EXIT) && b == null) k = Kind.IGNORE;
        return new Handler(f, k, a, b, c, d, vcpu);
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
