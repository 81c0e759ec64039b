package io.exitscope.exit.arch;

import io.exitscope.event.DecodeTable;
import io.exitscope.event.EventFormat;
import io.exitscope.event.FieldFormat;
import io.exitscope.exit.Arch;

import java.util.List;

/**
 * RISC-V KVM events ({@code arch/riscv/kvm/trace.h}, since Linux 6.13): {@code kvm_exit} (the trap:
 * {@code sepc scause stval htval htinst}, printed {@code "SEPC:0x%lx, SCAUSE:0x%lx, STVAL:0x%lx,
 * HTVAL:0x%lx, HTINST:0x%lx"}) begins an exit, {@code kvm_entry} ({@code pc}, {@code "PC: 0x%016lx"})
 * ends it; MMIO addresses come from the neutral {@code kvm_mmio} ({@link KvmEvents}). Reason =
 * {@code scause}: exception codes, or 0x100 + the interrupt number when the top bit is set
 * ({@code CAUSE_IRQ_FLAG}); names from {@code riscv.tables} ({@code arch/riscv/include/asm/csr.h}).
 * Earlier kernels trace no exits.
 */
public final class RiscvEvents implements ArchEvents {
    private static final DecodeTable TABLE = DecodeTable.load("riscv.tables");

    /** Reason code of a {@code scause}: the exception code, or 0x100 + the interrupt number. */
    public static long reasonCode(long scause) {
        return scause < 0 ? 0x100 + (scause & 0xff) : scause;
    }

    public static String name(long reasonCode) {
        return reasonCode >= 0x100 ? TABLE.name("interrupt", reasonCode - 0x100) : TABLE.name("exception", reasonCode);
    }

    @Override
    public EventDecoder bind(EventFormat f) {
        return switch (f.name) {
            case "kvm_exit" -> exit(f);
            case "kvm_entry" -> f.field("pc") == null ? null : X86Events.entry(null);
            default -> null;
        };
    }

    @Override
    public List<String> events() {
        return List.of("kvm_exit", "kvm_entry");
    }

    private static EventDecoder exit(EventFormat f) {
        FieldFormat scause = f.field("scause");
        if (scause == null) return null;
        boolean rv32 = scause.size == 4;
        return (e, to) -> {
            if (!e.has(scause)) return false;
            long s = e.getLong(scause);
            if (rv32 && (s & 0x80000000L) != 0) s |= Long.MIN_VALUE;   // the IRQ flag is the top bit of an unsigned long
            long code = reasonCode(s);
            to.exit(Arch.RISCV, code, name(code), false, ExitSteps.NO_VCPU, ExitSteps.NO_REQUESTS);
            return true;
        };
    }
}
