package io.exitscope.exit.decode;

/** arm64 exits: the {@code kvm_exit.ret} exception type, and for traps the ESR exception class. */
public final class Arm64Tables {
    public static final int EXCEPTION_TRAP = 2;
    public static final int EC_WFX = 0x01;

    private static final DecodeTable TABLE = DecodeTable.load("arm64.tables");

    private Arm64Tables() {}

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
}
