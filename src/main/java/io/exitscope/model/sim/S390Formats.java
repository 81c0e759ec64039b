package io.exitscope.model.sim;

import io.exitscope.event.EventFormat;
import io.exitscope.event.FormatParser;
import io.exitscope.exit.decode.KvmTables;
import io.exitscope.exit.decode.S390Tables;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tracefs format files of the s390 KVM tracepoints the simulator writes, as a 64-bit s390
 * kernel prints them: TRACE_SYSTEM {@code kvm}, the common vCPU fields {@code id, pswmask,
 * pswaddr} (VCPU_FIELD_COMMON in {@code arch/s390/kvm/trace.h}), and print formats with the
 * symbolic tables expanded the way the preprocessor leaves them (s390.md Appendix A).
 */
public final class S390Formats {
    private S390Formats() {}

    public static final String SYSTEM = "kvm";
    public static final int ID_USERSPACE_EXIT = 42, ID_SIE_ENTER = 1634, ID_SIE_EXIT = 1636, ID_INTERCEPT_INSTRUCTION = 1637,
            ID_INTERCEPT_PROG = 1638, ID_HANDLE_SIGP = 1641, ID_HANDLE_DIAG = 1643;

    private static final String COMMON = """
            \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
            \tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
            \tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
            \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

            """;
    private static final String VCPU = """
            \tfield:int id;\toffset:8;\tsize:4;\tsigned:1;
            \tfield:unsigned long pswmask;\toffset:16;\tsize:8;\tsigned:0;
            \tfield:unsigned long pswaddr;\toffset:24;\tsize:8;\tsigned:0;
            """;
    private static final String VCPU_PRINT = "\"%02d[%016lx-%016lx]: ";
    private static final String VCPU_ARGS = "REC->id, REC->pswmask, REC->pswaddr";

    /** Every format text, in the order the simulator registers them. */
    public static List<String> texts() {
        List<String> out = new ArrayList<>();
        out.add(format("kvm_userspace_exit", ID_USERSPACE_EXIT, """
                \tfield:__u32 reason;\toffset:8;\tsize:4;\tsigned:0;
                \tfield:int errno;\toffset:12;\tsize:4;\tsigned:1;
                """, "\"reason %s (%d)\", REC->errno < 0 ? (REC->errno == -4 ? \"restart\" : \"error\") : __print_symbolic(REC->reason, "
                + userspaceExitTable() + "), REC->errno < 0 ? -REC->errno : REC->reason"));
        out.add(format("kvm_s390_sie_enter", ID_SIE_ENTER, VCPU + "\tfield:int cpuflags;\toffset:32;\tsize:4;\tsigned:1;\n",
                VCPU_PRINT + "entering sie flags %x\", " + VCPU_ARGS + ", REC->cpuflags"));
        out.add(format("kvm_s390_sie_exit", ID_SIE_EXIT, VCPU + "\tfield:u8 icptcode;\toffset:32;\tsize:1;\tsigned:0;\n",
                VCPU_PRINT + "exit sie icptcode %d (%s)\", " + VCPU_ARGS + ", REC->icptcode, __print_symbolic(REC->icptcode, "
                        + table("intercept", "0x%02x", 0x48) + ")"));
        out.add(format("kvm_s390_intercept_instruction", ID_INTERCEPT_INSTRUCTION, VCPU + "\tfield:__u64 instruction;\toffset:32;\tsize:8;\tsigned:0;\n",
                VCPU_PRINT + "intercepted instruction %016llx (%s)\", " + VCPU_ARGS + ", REC->instruction, __print_symbolic("
                        + insnDecoder() + ", " + instructionTable() + ")"));
        out.add(format("kvm_s390_intercept_prog", ID_INTERCEPT_PROG, VCPU + "\tfield:__u16 code;\toffset:32;\tsize:2;\tsigned:0;\n",
                VCPU_PRINT + "intercepted program interruption %04x (%s)\", " + VCPU_ARGS + ", REC->code, __print_symbolic(REC->code, "
                        + table("prog", "0x%04X", Long.MAX_VALUE) + ")"));
        out.add(format("kvm_s390_handle_sigp", ID_HANDLE_SIGP, VCPU + """
                \tfield:__u8 order_code;\toffset:32;\tsize:1;\tsigned:0;
                \tfield:__u16 cpu_addr;\toffset:34;\tsize:2;\tsigned:0;
                \tfield:__u32 parameter;\toffset:36;\tsize:4;\tsigned:0;
                """, VCPU_PRINT + "handle sigp order %02x (%s), cpu address %04x, parameter %08x\", " + VCPU_ARGS
                + ", REC->order_code, __print_symbolic(REC->order_code, " + table("sigp", "0x%02x", Long.MAX_VALUE)
                + "), REC->cpu_addr, REC->parameter"));
        out.add(format("kvm_s390_handle_diag", ID_HANDLE_DIAG, VCPU + "\tfield:__u16 code;\toffset:32;\tsize:2;\tsigned:0;\n",
                VCPU_PRINT + "handle diagnose call %04x (%s)\", " + VCPU_ARGS + ", REC->code, __print_symbolic(REC->code, "
                        + table("diag", "0x%x", Long.MAX_VALUE) + ")"));
        return out;
    }

    /** The formats parsed, by event name. */
    public static Map<String, EventFormat> parsed() {
        Map<String, EventFormat> m = new TreeMap<>();
        for (String t : texts()) {
            EventFormat f = FormatParser.parseEvent(SYSTEM, t);
            m.put(f.name, f);
        }
        return m;
    }

    private static String format(String name, int id, String fields, String print) {
        return "name: " + name + "\nID: " + id + "\nformat:\n" + COMMON + fields + "\nprint fmt: " + print + "\n";
    }

    /** {@code { 0x1c, "Wait state" }, ...} from our decode tables (the kernel's uapi sie.h). */
    private static String table(String section, String codeFormat, long maxCode) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Long, String> e : new TreeMap<>(S390Tables.table().section(section)).entrySet()) {
            if (e.getKey() > maxCode) continue;
            if (sb.length() > 0) sb.append(", ");
            sb.append("{ ").append(String.format(codeFormat, e.getKey())).append(", \"").append(e.getValue()).append("\" }");
        }
        return sb.toString();
    }

    private static String userspaceExitTable() {
        StringBuilder sb = new StringBuilder();
        for (long code = 0; code <= 30; code++) {
            String n = KvmTables.userspaceExit(code);
            if (sb.length() > 0) sb.append(", ");
            sb.append("{ ").append(code).append(", \"KVM_EXIT_\" \"").append(n.substring("KVM_EXIT_".length())).append("\" }");
        }
        return sb.toString();
    }

    /** {@code icpt_insn_decoder(REC->instruction)} after macro expansion. */
    private static String insnDecoder() {
        String[][] ipa0 = {{"0x01", "48", "0xff"}, {"0xaa", "48", "0x0f"}, {"0xb2", "48", "0xff"}, {"0xb9", "48", "0xff"},
                {"0xe3", "48", "0xff"}, {"0xe5", "48", "0xff"}, {"0xeb", "16", "0xff"}, {"0xc8", "48", "0x0f"}};
        StringBuilder sb = new StringBuilder("(");
        for (String[] d : ipa0) {
            sb.append("(REC->instruction >> 56) == (").append(d[0]).append(") ? ((").append(d[0]).append(" << 8) | ((REC->instruction >> ")
                    .append(d[1]).append(") & ").append(d[2]).append(")) : ");
        }
        return sb.append("(REC->instruction >> 56))").toString();
    }

    /** {@code icpt_insn_codes}: two-byte opcodes as {@code exit_code_ipa0}, the rest as {@code exit_code}. */
    private static String instructionTable() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Long, String> e : new TreeMap<>(S390Tables.table().section("instruction")).entrySet()) {
            long k = e.getKey();
            if (sb.length() > 0) sb.append(", ");
            if (k > 0xff) {
                String ipa0 = String.format("0x%02X", k >> 8);
                sb.append("{ (").append(ipa0).append(" << 8 | ").append(String.format("0x%02x", k & 0xff)).append("), \"")
                        .append(ipa0).append("\" \" \" \"").append(e.getValue()).append("\" }");
            } else {
                sb.append("{ ").append(String.format("0x%02x", k)).append(", \"").append(e.getValue()).append("\" }");
            }
        }
        return sb.toString();
    }
}
