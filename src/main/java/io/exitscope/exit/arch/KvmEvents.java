package io.exitscope.exit.arch;

import io.exitscope.event.EventFormat;
import io.exitscope.event.FieldFormat;

import java.util.List;

/**
 * The architecture-neutral KVM events ({@code include/trace/events/kvm.h}):
 * {@code kvm_userspace_exit} (KVM_RUN returns to the VMM: the exit's class is userspace),
 * {@code kvm_fpu} (load: the thread is back in KVM_RUN), and {@code kvm_mmio} (the guest physical
 * address of an emulated access, traced on x86, arm64 and riscv alike).
 */
public final class KvmEvents implements ArchEvents {
    /** {@code KVM_TRACE_MMIO_READ_UNSATISFIED} 0, {@code READ} 1, {@code WRITE} 2. */
    private static final int MMIO_READ_UNSATISFIED = 0, MMIO_WRITE = 2;

    @Override
    public EventDecoder bind(EventFormat f) {
        return switch (f.name) {
            case "kvm_userspace_exit" -> userspaceExit(f);
            case "kvm_fpu" -> fpu(f);
            case "kvm_mmio" -> mmio(f);
            default -> null;
        };
    }

    @Override
    public List<String> events() {
        return List.of("kvm_userspace_exit", "kvm_fpu", "kvm_mmio");
    }

    private static EventDecoder userspaceExit(EventFormat f) {
        FieldFormat reason = f.field("reason"), errno = f.field("errno");
        if (reason == null) return null;
        return (e, to) -> {
            int err = errno != null && e.has(errno) ? (int) e.getLong(errno) : 0;
            if (!e.has(reason) && err >= 0) return false;
            to.userspaceExit((int) e.getLong(reason), err);
            return true;
        };
    }

    private static EventDecoder fpu(EventFormat f) {
        FieldFormat load = f.field("load");
        if (load == null) return null;
        return (e, to) -> {
            if (!e.has(load)) return false;
            to.fpu(e.getLong(load) != 0);
            return true;
        };
    }

    private static EventDecoder mmio(EventFormat f) {
        FieldFormat type = f.field("type"), gpa = f.field("gpa");
        if (type == null || gpa == null) return null;
        return (e, to) -> {
            if (!e.has(gpa)) return false;
            long t = e.getLong(type);
            long a = e.getLong(gpa);
            boolean write = t == MMIO_WRITE;
            to.refine("MMIO", write ? ExitSteps.Subkey.GPA_WRITE
                    : t == MMIO_READ_UNSATISFIED ? ExitSteps.Subkey.GPA_READ_UNSATISFIED : ExitSteps.Subkey.GPA_READ, a, 2, a, write);
            return true;
        };
    }
}
