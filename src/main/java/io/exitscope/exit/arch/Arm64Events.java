package io.exitscope.exit.arch;

import io.exitscope.event.DecodeTable;
import io.exitscope.event.EventFormat;
import io.exitscope.event.FieldFormat;
import io.exitscope.exit.Arch;

import java.util.List;

/**
 * arm64 KVM events ({@code arch/arm64/kvm/trace_arm.h}, {@code trace_handle_exit.h}; before 5.10
 * {@code virt/kvm/arm/trace.h}): {@code kvm_exit} (ret = exception type, {@code esr_ec} = ESR
 * exception class for traps) begins an exit, {@code kvm_entry} ends it. Refining events:
 * {@code kvm_wfx_arm64} (WFI/WFE: the exit is blocking, the guest idles in it),
 * {@code kvm_hvc_arm64} (HVC immediate), {@code kvm_handle_sys_reg} / {@code kvm_sys_access}
 * (the system register of a SYS64 trap), {@code kvm_guest_fault} (faulting IPA), and the
 * neutral {@code kvm_mmio} ({@link KvmEvents}).
 *
 * <p>Text forms: {@code "%s: HSR_EC: 0x%04x (%s), PC: 0x%08lx"} (4.x to 5.9) and {@code ..PC: 0x%016lx}
 * (5.10 on); {@code kvm_entry} {@code "PC: 0x%08lx"} / {@code "PC: 0x%016lx"}. Fields {@code ret},
 * {@code esr_ec}, {@code vcpu_pc} in all of them; the vCPU id is not traced (threads tell vCPUs apart).
 * Names: {@code arm64.tables} (ESR_ELx_EC_* of {@code arch/arm64/include/asm/esr.h}, ARM_EXCEPTION_*
 * of {@code kvm_asm.h}).
 */
public final class Arm64Events implements ArchEvents {
    public static final int EXCEPTION_TRAP = 2;
    public static final int EC_WFX = 0x01, EC_SYS64 = 0x18;

    private static final DecodeTable TABLE = DecodeTable.load("arm64.tables");

    /** Reason code: the ESR class for traps, else 0x100 + exception type (IRQ, SERROR, ...). */
    public static long reasonCode(long ret, long esrEc) {
        return (ret & 0xff) == EXCEPTION_TRAP ? esrEc : 0x100 + (ret & 0xff);
    }

    public static String name(long reasonCode) {
        if (reasonCode >= 0x100) return TABLE.name("exception_type", reasonCode - 0x100);
        return TABLE.name("esr_ec", reasonCode);
    }

    public static boolean isBlocking(long reasonCode) {
        return reasonCode == EC_WFX;
    }

    @Override
    public EventDecoder bind(EventFormat f) {
        return switch (f.name) {
            case "kvm_exit" -> exit(f);
            case "kvm_entry" -> f.field("vcpu_pc") == null ? null : X86Events.entry(null);
            case "kvm_wfx_arm64" -> wfx(f);
            case "kvm_hvc_arm64" -> hvc(f);
            case "kvm_handle_sys_reg" -> handleSysReg(f);
            case "kvm_sys_access" -> sysAccess(f);
            case "kvm_guest_fault" -> guestFault(f);
            default -> null;
        };
    }

    @Override
    public List<String> events() {
        return List.of("kvm_exit", "kvm_entry", "kvm_wfx_arm64", "kvm_hvc_arm64", "kvm_handle_sys_reg", "kvm_sys_access", "kvm_guest_fault");
    }

    private static EventDecoder exit(EventFormat f) {
        FieldFormat ret = f.field("ret"), ec = f.field("esr_ec");
        if (ec == null) return null;
        return (e, to) -> {
            if (!e.has(ec)) return false;
            // a line without the exception type is a trap: the kernel sets the EC for traps only
            long type = ret != null && e.has(ret) ? e.getLong(ret) : EXCEPTION_TRAP;
            long code = reasonCode(type, e.getLong(ec));
            to.exit(Arch.ARM64, code, name(code), isBlocking(code), ExitSteps.NO_VCPU, ExitSteps.NO_REQUESTS);
            return true;
        };
    }

    private static EventDecoder wfx(EventFormat f) {
        FieldFormat wfe = f.field("is_wfe");
        if (wfe == null) return null;
        return (e, to) -> {
            if (!e.has(wfe)) return false;
            to.refine("WFx", e.getLong(wfe) != 0 ? "wfe" : "wfi", 1, -1, false);
            return true;
        };
    }

    private static EventDecoder hvc(EventFormat f) {
        FieldFormat imm = f.field("imm");
        if (imm == null) return null;
        return (e, to) -> {
            if (!e.has(imm)) return false;
            to.refine("HVC", ExitSteps.Subkey.HVC_IMM, e.getLong(imm), 2, -1, false);
            return true;
        };
    }

    /** {@code sysreg (Op0,Op1,CRn,CRm,Op2) read|write}, in the order {@code kvm_sys_access} prints. */
    static String sysreg(long op0, long op1, long crn, long crm, long op2, boolean write) {
        return "sysreg (" + op0 + "," + op1 + "," + crn + "," + crm + "," + op2 + ")" + (write ? " write" : " read");
    }

    /** ESR ISS of a SYS64 trap ({@code esr.h ESR_ELx_SYS64_ISS_*}): Op0 21:20, Op2 19:17, Op1 16:14, CRn 13:10, CRm 4:1, Dir 0 (1 = read). */
    private static EventDecoder handleSysReg(EventFormat f) {
        FieldFormat hsr = f.field("hsr");
        if (hsr == null) return null;
        return (e, to) -> {
            if (!e.has(hsr)) return false;
            long s = e.getLong(hsr);
            boolean write = (s & 1) == 0;
            to.refine("SYS64", sysreg(s >>> 20 & 3, s >>> 14 & 7, s >>> 10 & 0xf, s >>> 1 & 0xf, s >>> 17 & 7, write), 1, -1, write);
            return true;
        };
    }

    private static EventDecoder sysAccess(EventFormat f) {
        FieldFormat op0 = f.field("Op0"), op1 = f.field("Op1"), crn = f.field("CRn"), crm = f.field("CRm"), op2 = f.field("Op2"),
                write = f.field("is_write");
        if (op0 == null || op1 == null || crn == null || crm == null || op2 == null || write == null) return null;
        return (e, to) -> {
            if (!e.has(op2)) return false;
            boolean w = e.getLong(write) != 0;
            to.refine("SYS64", sysreg(e.getLong(op0), e.getLong(op1), e.getLong(crn), e.getLong(crm), e.getLong(op2), w), 2, -1, w);
            return true;
        };
    }

    private static EventDecoder guestFault(EventFormat f) {
        FieldFormat ipa = f.field("ipa");
        if (ipa == null) return null;
        return (e, to) -> {
            if (!e.has(ipa)) return false;
            to.refine("ABORT", ExitSteps.Subkey.IPA, e.getLong(ipa) & ~0xfffL, 1, -1, false);
            return true;
        };
    }
}
