package io.exitscope.exit.decode;

import io.exitscope.event.DecodeTable;

/** Architecture-neutral KVM codes: why KVM_RUN returned to userspace ({@code KVM_EXIT_*}). */
public final class KvmTables {
    public static final int KVM_EXIT_IO = 2, KVM_EXIT_HLT = 5, KVM_EXIT_MMIO = 6, KVM_EXIT_INTR = 10;

    private static final DecodeTable TABLE = DecodeTable.load("kvm.tables");

    private KvmTables() {}

    public static String userspaceExit(long reason) {
        return TABLE.name("userspace_exit", reason);
    }

    public static long userspaceExitCode(String name) {
        return TABLE.code("userspace_exit", name);
    }
}
