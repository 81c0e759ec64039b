package io.exitscope.exit.arch;

import io.exitscope.event.EventFormat;
import io.exitscope.event.FieldFormat;
import io.exitscope.event.X86ExitReasons;
import io.exitscope.exit.Arch;
import io.exitscope.exit.KernelHandler;

import java.util.List;

/**
 * x86 KVM events ({@code arch/x86/kvm/trace.h}), shared by VMX and SVM: {@code kvm_exit} begins an
 * exit, {@code kvm_entry} ends it, {@code kvm_pio}, {@code kvm_fast_mmio}, {@code kvm_msr},
 * {@code kvm_cr}, {@code kvm_hypercall} and {@code kvm_nested_vmexit} refine it. {@code isa} picks
 * the reason table ({@link X86VmxEvents}, {@link X86SvmEvents}). The {@code kvm_x86_*} names are
 * what PVM-era out-of-tree kernels call the same events.
 *
 * <p>Fields by era: 4.x {@code exit_reason guest_rip isa info1 info2} (text {@code reason X rip 0x..
 * info A B}), 5.x adds {@code intr_info error_code} and, from 5.12, {@code vcpu_id}; 6.18 adds
 * {@code requests}. Text lines carry the reason as a name: the text source gives it back its code and
 * ISA; a name both ISAs spell the same way ({@code cpuid}) keeps the ISA this event last showed.
 */
public final class X86Events implements ArchEvents {

    @Override
    public EventDecoder bind(EventFormat f) {
        return switch (f.name) {
            case "kvm_exit", "kvm_x86_exit" -> exit(f);
            case "kvm_entry", "kvm_x86_entry" -> f.field("vcpu_id") == null && f.field("rip") == null ? null : entry(f.field("vcpu_id"));
            case "kvm_pio", "kvm_x86_pio" -> pio(f);
            case "kvm_fast_mmio" -> fastMmio(f);
            case "kvm_msr", "kvm_x86_msr" -> msr(f);
            case "kvm_cr", "kvm_x86_cr" -> cr(f);
            case "kvm_hypercall", "kvm_x86_hypercall" -> hypercall(f);
            case "kvm_nested_vmexit" -> nestedExit(f);
            // KVM's in-kernel devices acting inside an exit: evidence of who handled it (not enabled live: kvm_apic is busy)
            default -> {
                KernelHandler device = KernelHandler.ofEvent(f.name);
                yield device == null ? null : (e, to) -> {
                    to.handledBy(device);
                    return true;
                };
            }
        };
    }

    @Override
    public List<String> events() {
        return List.of("kvm_exit", "kvm_entry", "kvm_pio", "kvm_fast_mmio", "kvm_msr", "kvm_cr", "kvm_hypercall", "kvm_nested_vmexit");
    }

    /** The exit reason of one event: code, ISA and name; code -1 for a name no table has. */
    private record Reason(long raw, int isa, String printed) {}

    /** Resolves {@code exit_reason}/{@code isa}, or a printed name the text source could not place. */
    private static final class ReasonFields {
        final FieldFormat code, isa, name;
        int lastIsa = X86ExitReasons.SVM;   // lower-case names are SVM's since 2.6.3x; VMX's only in 2009-era traces

        ReasonFields(EventFormat f) {
            code = f.field("exit_reason");
            isa = f.field("isa");
            name = f.field("exit_reason_name");
        }

        boolean bound() {
            return code != null || name != null;
        }

        Reason read(io.exitscope.event.Event e) {
            if (code != null && e.has(code)) {
                int i = isa != null && e.has(isa) ? (int) e.getLong(isa) : X86ExitReasons.VMX;
                lastIsa = i;
                return new Reason(e.getLong(code), i, null);
            }
            if (name == null || !e.has(name)) return null;
            String n = e.getString(name);
            int i = lastIsa;
            long c = X86ExitReasons.code(i, n);
            if (c < 0) {
                long found = X86ExitReasons.lookup(n);
                if (found < 0) return new Reason(-1, i, n);            // no table has it: shown as printed, never code 0
                i = (int) (found >>> 32);
                c = found & 0xffffffffL;
            }
            return new Reason(c, i, null);
        }
    }

    private static EventDecoder exit(EventFormat f) {
        ReasonFields reason = new ReasonFields(f);
        if (!reason.bound()) return null;
        FieldFormat requests = f.field("requests"), vcpu = f.field("vcpu_id");
        return (e, to) -> {
            Reason r = reason.read(e);
            if (r == null) return false;
            long req = requests != null && e.has(requests) ? e.getLong(requests) : ExitSteps.NO_REQUESTS;
            int id = vcpu != null && e.has(vcpu) ? (int) e.getLong(vcpu) : ExitSteps.NO_VCPU;
            if (r.isa == X86ExitReasons.SVM) {
                long c = r.raw & 0xffffffffL;
                to.exit(Arch.X86_SVM, r.raw < 0 ? -1 : c, r.printed != null ? r.printed : X86SvmEvents.name(c),
                        r.raw >= 0 && X86SvmEvents.isBlocking(c), id, req);
            } else {
                to.exit(Arch.X86_VMX, r.raw < 0 ? -1 : X86VmxEvents.basicReason(r.raw),
                        r.printed != null ? r.printed : X86VmxEvents.name(r.raw), r.raw >= 0 && X86VmxEvents.isBlocking(r.raw), id, req);
            }
            return true;
        };
    }

    static EventDecoder entry(FieldFormat vcpu) {
        return (e, to) -> {
            to.entry(vcpu != null && e.has(vcpu) ? (int) e.getLong(vcpu) : ExitSteps.NO_VCPU);
            return true;
        };
    }

    private static EventDecoder pio(EventFormat f) {
        FieldFormat rw = f.field("rw"), port = f.field("port");
        if (rw == null || port == null) return null;
        return (e, to) -> {
            if (!e.has(port)) return false;
            boolean write = e.getLong(rw) != 0;
            long p = e.getLong(port);
            to.refine("PIO", write ? ExitSteps.Subkey.PORT_OUT : ExitSteps.Subkey.PORT_IN, p, 2, p, write);
            return true;
        };
    }

    private static EventDecoder fastMmio(EventFormat f) {
        FieldFormat gpa = f.field("gpa");
        if (gpa == null) return null;
        return (e, to) -> {
            if (!e.has(gpa)) return false;
            long a = e.getLong(gpa);
            to.refine("MMIO", ExitSteps.Subkey.GPA_WRITE, a, 2, a, true);
            to.handledBy(KernelHandler.FAST_MMIO);
            return true;
        };
    }

    private static EventDecoder msr(EventFormat f) {
        FieldFormat write = f.field("write"), index = f.field("ecx");
        if (write == null || index == null) return null;
        return (e, to) -> {
            if (!e.has(index)) return false;
            boolean w = e.getLong(write) != 0;
            to.refine("MSR", w ? ExitSteps.Subkey.MSR_WRITE : ExitSteps.Subkey.MSR_READ, e.getLong(index), 2, -1, w);
            return true;
        };
    }

    private static EventDecoder cr(EventFormat f) {
        FieldFormat rw = f.field("rw"), cr = f.field("cr");
        if (rw == null || cr == null) return null;
        return (e, to) -> {
            if (!e.has(cr)) return false;
            boolean write = e.getLong(rw) != 0;
            to.refine("CR", "cr" + e.getLong(cr) + (write ? " write" : " read"), 1, -1, write);
            return true;
        };
    }

    private static EventDecoder hypercall(EventFormat f) {
        FieldFormat nr = f.field("nr");
        if (nr == null) return null;
        return (e, to) -> {
            if (!e.has(nr)) return false;
            to.refine("HYPERCALL", ExitSteps.Subkey.HCALL_NR, e.getLong(nr), 2, -1, false);
            return true;
        };
    }

    /**
     * {@code kvm_nested_vmexit}: the exit came from an L2 guest; its L2 reason becomes the subkey
     * (less specific than the port or address a child event names). 6.x prints it like
     * {@code kvm_exit}; 4.x/5.x had {@code exit_code} with {@code isa} and no names.
     */
    private static EventDecoder nestedExit(EventFormat f) {
        ReasonFields reason = new ReasonFields(f);
        FieldFormat oldCode = f.field("exit_code"), isa = f.field("isa");
        if (!reason.bound() && oldCode == null) return null;
        return (e, to) -> {
            Reason r = reason.read(e);
            if (r == null && oldCode != null && e.has(oldCode)) {
                r = new Reason(e.getLong(oldCode), isa != null && e.has(isa) ? (int) e.getLong(isa) : X86ExitReasons.VMX, null);
            }
            if (r == null) return false;
            String n = r.printed != null ? r.printed
                    : r.isa == X86ExitReasons.SVM ? X86SvmEvents.name(r.raw & 0xffffffffL) : X86VmxEvents.name(r.raw);
            to.refine("NESTED", "L2 " + n, 1, -1, false);
            return true;
        };
    }
}
