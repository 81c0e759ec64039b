package io.exitscope.model;

import io.exitscope.exit.decode.S390Tables;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an s390 exit was, as far as the model cares: intercept code, and for instructions the
 * DIAG code, SIGP order, or instruction key (the kernel's {@code icpt_insn_decoder} value).
 */
public record ExitKind(Family family, int icptcode, long code) {

    // equals and hashCode written out, as in StageCost: no method handles spun at first use
    @Override
    public boolean equals(Object o) {
        return o instanceof ExitKind k && family == k.family && icptcode == k.icptcode && code == k.code;
    }

    @Override
    public int hashCode() {
        return (31 * java.util.Objects.hashCode(family) + icptcode) * 31 + Long.hashCode(code);
    }

    public enum Family { DIAG, SIGP, INSTRUCTION, PROGRAM, WAIT, EXTERNAL_REQUEST, IO_REQUEST, HOST_INTERRUPTION, OTHER }

    public static final int ICPT_HOST = 0x00, ICPT_INST = 0x04, ICPT_PROG = 0x08, ICPT_EXTREQ = 0x10, ICPT_IOREQ = 0x18,
            ICPT_WAIT = 0x1c;
    public static final int OPCODE_DIAG = 0x83, OPCODE_SIGP = 0xae;

    public static ExitKind diag(long code) {
        return new ExitKind(Family.DIAG, ICPT_INST, code);
    }

    public static ExitKind sigp(long order) {
        return new ExitKind(Family.SIGP, ICPT_INST, order);
    }

    public static ExitKind instruction(long key) {
        return new ExitKind(Family.INSTRUCTION, ICPT_INST, key);
    }

    public static ExitKind program(long code) {
        return new ExitKind(Family.PROGRAM, ICPT_PROG, code);
    }

    public static final ExitKind WAIT = new ExitKind(Family.WAIT, ICPT_WAIT, -1);
    public static final ExitKind EXTERNAL_REQUEST = new ExitKind(Family.EXTERNAL_REQUEST, ICPT_EXTREQ, -1);
    public static final ExitKind IO_REQUEST = new ExitKind(Family.IO_REQUEST, ICPT_IOREQ, -1);
    public static final ExitKind HOST_INTERRUPTION = new ExitKind(Family.HOST_INTERRUPTION, ICPT_HOST, -1);

    private static final Pattern DIAG_SUBKEY = Pattern.compile("DIAG \\((0x[0-9a-fA-F]+)\\)");

    /**
     * From an exit's intercept code and the subkey the assembler gave it ("DIAG (0x500) KVM
     * virtio functions", "SIGP emergency signal", "SSCH", "Prog Page translation").
     */
    public static ExitKind of(long icptcode, String subkey) {
        int icpt = (int) icptcode;
        if (subkey != null) {
            Matcher m = DIAG_SUBKEY.matcher(subkey);
            if (m.find()) return diag(Long.decode(m.group(1)));
            long sigp = S390Tables.table().code("sigp", subkey);
            if (sigp >= 0 || subkey.startsWith("SIGP")) return sigp(sigp);
            long prog = S390Tables.table().code("prog", subkey);
            if (prog >= 0 || subkey.startsWith("Prog")) return new ExitKind(Family.PROGRAM, icpt, prog);
            long insn = S390Tables.table().code("instruction", subkey);
            if (insn >= 0) {
                if (insn == OPCODE_DIAG) return diag(-1);
                if (insn == OPCODE_SIGP) return sigp(-1);
                return new ExitKind(Family.INSTRUCTION, icpt, insn);
            }
        }
        return switch (icpt) {
            case ICPT_WAIT -> WAIT;
            case ICPT_EXTREQ -> EXTERNAL_REQUEST;
            case ICPT_IOREQ -> IO_REQUEST;
            case ICPT_HOST -> HOST_INTERRUPTION;
            case ICPT_PROG -> program(-1);
            case ICPT_INST -> instruction(-1);
            default -> new ExitKind(Family.OTHER, icpt, -1);
        };
    }

    /** Parses the config's {@code diag 0x500} / {@code sigp 0x03} / {@code insn 0xb233}. */
    public static ExitKind parse(String s) {
        String[] p = s.strip().toLowerCase().split("\\s+");
        if (p.length != 2) throw new IllegalArgumentException("exit '" + s + "': expected e.g. 'diag 0x500'");
        long code = Long.decode(p[1]);
        return switch (p[0]) {
            case "diag" -> diag(code);
            case "sigp" -> sigp(code);
            case "insn" -> instruction(code);
            case "prog" -> program(code);
            default -> throw new IllegalArgumentException("exit '" + s + "': kind must be diag, sigp, insn or prog");
        };
    }

    public boolean isDiag(long c) {
        return family == Family.DIAG && code == c;
    }

    public String label() {
        return switch (family) {
            case DIAG -> "DIAG 0x" + Long.toHexString(code);
            case SIGP -> "SIGP 0x" + Long.toHexString(code);
            case INSTRUCTION -> code < 0 ? "instruction" : "instruction 0x" + Long.toHexString(code);
            case PROGRAM -> "program interruption" + (code < 0 ? "" : " 0x" + Long.toHexString(code));
            case WAIT -> "wait state";
            case EXTERNAL_REQUEST -> "external request";
            case IO_REQUEST -> "I/O request";
            case HOST_INTERRUPTION -> "host interruption";
            case OTHER -> "intercept 0x" + Integer.toHexString(icptcode);
        };
    }
}
