package io.exitscope.exit;

/** The architecture an exit came from, as told by the events that describe it. */
public enum Arch {
    X86_VMX, X86_SVM, S390, ARM64, RISCV, UNKNOWN
}
