package io.exitscope.source.text;

import java.util.HashMap;
import java.util.Map;

/**
 * x86 exit reason names as text traces print them, mapped back to the numeric {@code exit_reason}
 * and {@code isa} the binary record holds, so text and binary sources give the same fields.
 *
 * <p>Four spellings exist: the kernel's print fmt (VMX upper case, SVM lower case, both from
 * Linux 6.18's {@code kvm_exit} format, plus names older kernels used) and libtraceevent's kvm
 * plugin ({@code plugin_kvm.c}: VMX upper case, SVM {@code EXIT_*}). Case alone tells VMX from
 * SVM, which is how {@code isa} is recovered from a line that does not print it.
 */
final class ExitReasons {
    static final int VMX = 1, SVM = 2;
    /** Bit 31 of a VMX exit reason, printed as a trailing {@code FAILED_VMENTRY} by the kernel. */
    static final long FAILED_VMENTRY = 0x80000000L;

    private ExitReasons() {}

    // code:name pairs, decimal for VMX, hex for SVM (as the kernel headers write them)
    private static final String VMX_KERNEL = "0:EXCEPTION_NMI,1:EXTERNAL_INTERRUPT,2:TRIPLE_FAULT,3:INIT_SIGNAL,"
            + "4:SIPI_SIGNAL,7:INTERRUPT_WINDOW,8:NMI_WINDOW,9:TASK_SWITCH,10:CPUID,12:HLT,13:INVD,14:INVLPG,15:RDPMC,"
            + "16:RDTSC,18:VMCALL,19:VMCLEAR,20:VMLAUNCH,21:VMPTRLD,22:VMPTRST,23:VMREAD,24:VMRESUME,25:VMWRITE,"
            + "26:VMOFF,27:VMON,28:CR_ACCESS,29:DR_ACCESS,30:IO_INSTRUCTION,31:MSR_READ,32:MSR_WRITE,33:INVALID_STATE,"
            + "34:MSR_LOAD_FAIL,36:MWAIT_INSTRUCTION,37:MONITOR_TRAP_FLAG,39:MONITOR_INSTRUCTION,40:PAUSE_INSTRUCTION,"
            + "41:MCE_DURING_VMENTRY,43:TPR_BELOW_THRESHOLD,44:APIC_ACCESS,45:EOI_INDUCED,46:GDTR_IDTR,47:LDTR_TR,"
            + "48:EPT_VIOLATION,49:EPT_MISCONFIG,50:INVEPT,51:RDTSCP,52:PREEMPTION_TIMER,53:INVVPID,54:WBINVD,"
            + "55:XSETBV,56:APIC_WRITE,57:RDRAND,58:INVPCID,59:VMFUNC,60:ENCLS,61:RDSEED,62:PML_FULL,63:XSAVES,"
            + "64:XRSTORS,67:UMWAIT,68:TPAUSE,74:BUS_LOCK,75:NOTIFY,77:TDCALL,84:MSR_READ_IMM,85:MSR_WRITE_IMM";
    /** Older spellings (kernels before ~5.x, libtraceevent's plugin) that map to the same codes. */
    private static final String VMX_OLD = "7:PENDING_INTERRUPT";

    private static final String SVM_KERNEL = "0:read_cr0,2:read_cr2,3:read_cr3,4:read_cr4,8:read_cr8,10:write_cr0,"
            + "12:write_cr2,13:write_cr3,14:write_cr4,18:write_cr8,20:read_dr0,21:read_dr1,22:read_dr2,23:read_dr3,"
            + "24:read_dr4,25:read_dr5,26:read_dr6,27:read_dr7,30:write_dr0,31:write_dr1,32:write_dr2,33:write_dr3,"
            + "34:write_dr4,35:write_dr5,36:write_dr6,37:write_dr7,40:DE excp,41:DB excp,43:BP excp,44:OF excp,"
            + "45:BR excp,46:UD excp,47:NM excp,48:DF excp,4a:TS excp,4b:NP excp,4c:SS excp,4d:GP excp,4e:PF excp,"
            + "50:MF excp,51:AC excp,52:MC excp,53:XF excp,60:interrupt,61:nmi,62:smi,63:init,64:vintr,"
            + "65:cr0_sel_write,66:read_idtr,67:read_gdtr,68:read_ldtr,69:read_rt,6a:write_idtr,6b:write_gdtr,"
            + "6c:write_ldtr,6d:write_rt,6e:rdtsc,6f:rdpmc,70:pushf,71:popf,72:cpuid,73:rsm,74:iret,75:swint,76:invd,"
            + "77:pause,78:hlt,79:invlpg,7a:invlpga,7b:io,7c:msr,7d:task_switch,7e:ferr_freeze,7f:shutdown,80:vmrun,"
            + "81:hypercall,82:vmload,83:vmsave,84:stgi,85:clgi,86:skinit,87:rdtscp,88:icebp,89:wbinvd,8a:monitor,"
            + "8b:mwait,8d:xsetbv,8f:write_efer_trap,90:write_cr0_trap,94:write_cr4_trap,98:write_cr8_trap,"
            + "a2:invpcid,a5:buslock,a6:idle-halt,400:npf,401:avic_incomplete_ipi,402:avic_unaccelerated_access,"
            + "403:vmgexit,80000001:vmgexit_mmio_read,80000002:vmgexit_mmio_write,80000003:vmgexit_nmi_complete,"
            + "80000004:vmgexit_ap_hlt_loop,80000005:vmgexit_ap_jump_table,80000010:vmgexit_page_state_change,"
            + "80000011:vmgexit_guest_request,80000012:vmgexit_ext_guest_request,80000013:vmgexit_ap_creation,"
            + "8000fffd:vmgexit_hypervisor_feature,ffffffff:invalid_guest_state";
    private static final String SVM_PLUGIN = "0:EXIT_READ_CR0,3:EXIT_READ_CR3,4:EXIT_READ_CR4,8:EXIT_READ_CR8,"
            + "10:EXIT_WRITE_CR0,13:EXIT_WRITE_CR3,14:EXIT_WRITE_CR4,18:EXIT_WRITE_CR8,20:EXIT_READ_DR0,"
            + "21:EXIT_READ_DR1,22:EXIT_READ_DR2,23:EXIT_READ_DR3,24:EXIT_READ_DR4,25:EXIT_READ_DR5,26:EXIT_READ_DR6,"
            + "27:EXIT_READ_DR7,30:EXIT_WRITE_DR0,31:EXIT_WRITE_DR1,32:EXIT_WRITE_DR2,33:EXIT_WRITE_DR3,"
            + "34:EXIT_WRITE_DR4,35:EXIT_WRITE_DR5,36:EXIT_WRITE_DR6,37:EXIT_WRITE_DR7,40:EXIT_EXCP_DE,41:EXIT_EXCP_DB,"
            + "43:EXIT_EXCP_BP,44:EXIT_EXCP_OF,45:EXIT_EXCP_BR,46:EXIT_EXCP_UD,47:EXIT_EXCP_NM,48:EXIT_EXCP_DF,"
            + "4a:EXIT_EXCP_TS,4b:EXIT_EXCP_NP,4c:EXIT_EXCP_SS,4d:EXIT_EXCP_GP,4e:EXIT_EXCP_PF,50:EXIT_EXCP_MF,"
            + "51:EXIT_EXCP_AC,52:EXIT_EXCP_MC,53:EXIT_EXCP_XF,60:EXIT_INTR,61:EXIT_NMI,62:EXIT_SMI,63:EXIT_INIT,"
            + "64:EXIT_VINTR,65:EXIT_CR0_SEL_WRITE,66:EXIT_IDTR_READ,67:EXIT_GDTR_READ,68:EXIT_LDTR_READ,"
            + "69:EXIT_TR_READ,6a:EXIT_IDTR_WRITE,6b:EXIT_GDTR_WRITE,6c:EXIT_LDTR_WRITE,6d:EXIT_TR_WRITE,"
            + "6e:EXIT_RDTSC,6f:EXIT_RDPMC,70:EXIT_PUSHF,71:EXIT_POPF,72:EXIT_CPUID,73:EXIT_RSM,74:EXIT_IRET,"
            + "75:EXIT_SWINT,76:EXIT_INVD,77:EXIT_PAUSE,78:EXIT_HLT,79:EXIT_INVLPG,7a:EXIT_INVLPGA,7b:EXIT_IOIO,"
            + "7c:EXIT_MSR,7d:EXIT_TASK_SWITCH,7e:EXIT_FERR_FREEZE,7f:EXIT_SHUTDOWN,80:EXIT_VMRUN,81:EXIT_VMMCALL,"
            + "82:EXIT_VMLOAD,83:EXIT_VMSAVE,84:EXIT_STGI,85:EXIT_CLGI,86:EXIT_SKINIT,87:EXIT_RDTSCP,88:EXIT_ICEBP,"
            + "89:EXIT_WBINVD,8a:EXIT_MONITOR,8b:EXIT_MWAIT,8c:EXIT_MWAIT_COND,8d:EXIT_XSETBV,400:EXIT_NPF,"
            + "401:EXIT_AVIC_INCOMPLETE_IPI,402:EXIT_AVIC_UNACCELERATED_ACCESS,ffffffff:EXIT_ERR";

    /** name → (isa << 32 | code); codes are u32. */
    private static final Map<String, Long> BY_NAME = new HashMap<>();
    /** Kernel names by code, for lines that print the number only ({@code trace-cmd report -R}). */
    private static final Map<Long, String> VMX_NAMES = new HashMap<>(), SVM_NAMES = new HashMap<>();

    static {
        load(VMX_OLD, 10, VMX, null);
        load(VMX_KERNEL, 10, VMX, VMX_NAMES);
        load(SVM_PLUGIN, 16, SVM, null);
        load(SVM_KERNEL, 16, SVM, SVM_NAMES);
    }

    private static void load(String table, int radix, int isa, Map<Long, String> names) {
        for (String pair : table.split(",")) {
            int colon = pair.indexOf(':');
            long code = Long.parseLong(pair.substring(0, colon), radix);
            String name = pair.substring(colon + 1);
            BY_NAME.put(name, ((long) isa << 32) | code);
            if (names != null) names.put(code, name);
        }
    }

    /** {@code isa << 32 | code} for a printed reason name, or -1 when the name is unknown. */
    static long lookup(String name) {
        Long v = BY_NAME.get(name);
        return v == null ? -1 : v;
    }

    /** The kernel's name for a code, or null; VMX names use the basic reason (low 16 bits). */
    static String name(int isa, long code) {
        return isa == VMX ? VMX_NAMES.get(code & 0xffff) : isa == SVM ? SVM_NAMES.get(code) : null;
    }
}
