package io.exitscope.exit.decode;

import io.exitscope.event.DecodeTable;

/**
 * s390 intercept codes, intercepted instruction mnemonics, DIAG codes, SIGP orders and program
 * interruption codes ({@code arch/s390/include/uapi/asm/sie.h}).
 */
public final class S390Tables {
    public static final int ICPT_INST = 0x04, ICPT_PROGI = 0x08, ICPT_WAIT = 0x1c, ICPT_IOINST = 0x40;

    private static final DecodeTable TABLE = DecodeTable.load("s390.tables");

    private S390Tables() {}

    public static String intercept(long icptcode) {
        return TABLE.name("intercept", icptcode);
    }

    public static boolean isBlocking(long icptcode) {
        return icptcode == ICPT_WAIT;
    }

    /**
     * The kernel's {@code icpt_insn_decoder}: {@code instruction} is {@code ipa << 48 | ipb << 16};
     * two-byte opcodes combine the first byte with a second opcode from ipa or ipb.
     */
    public static long instructionKey(long instruction) {
        int ipa0 = (int) (instruction >>> 56) & 0xff;
        return switch (ipa0) {
            case 0x01, 0xb2, 0xb9, 0xe3, 0xe5 -> (ipa0 << 8) | ((instruction >>> 48) & 0xff);
            case 0xaa, 0xc8 -> (ipa0 << 8) | ((instruction >>> 48) & 0x0f);
            case 0xeb -> (ipa0 << 8) | ((instruction >>> 16) & 0xff);
            default -> ipa0;
        };
    }

    public static String instruction(long instruction) {
        long key = instructionKey(instruction);
        String n = TABLE.lookup("instruction", key);
        return n != null ? n : DecodeTable.unknown(key);
    }

    public static String diag(long code) {
        String n = TABLE.lookup("diag", code);
        return n != null ? n : "DIAG (0x" + Long.toHexString(code) + ") " + DecodeTable.unknown(code);
    }

    public static String sigp(long order) {
        String n = TABLE.lookup("sigp", order);
        return n != null ? n : "SIGP " + DecodeTable.unknown(order);
    }

    public static String prog(long code) {
        String n = TABLE.lookup("prog", code);
        return n != null ? n : "Prog " + DecodeTable.unknown(code);
    }

    public static DecodeTable table() {
        return TABLE;
    }
}
