package io.exitscope.model;

/** Where a stage lies relative to the exit/entry tracepoints, which decides what a trace sees. */
public enum Position {
    /** Between the SIE intercept and {@code kvm_s390_sie_exit}: hidden in the guest's time. */
    EXIT_TRANSIT("exit-transit"),
    /** Between {@code kvm_s390_sie_exit} and {@code kvm_s390_sie_enter}: part of the exit latency. */
    TRACED("traced"),
    /** Between {@code kvm_s390_sie_enter} and the guest running again: hidden. */
    ENTRY_TRANSIT("entry-transit");

    public final String label;

    Position(String label) {
        this.label = label;
    }

    static Position parse(String s) {
        for (Position p : values()) if (p.label.equals(s)) return p;
        throw new IllegalArgumentException("unknown stage position '" + s + "' (exit-transit, traced, entry-transit)");
    }
}
