package io.exitscope.stats;

import io.exitscope.exit.ExitClass;

import java.util.Objects;

/**
 * A statistics key: the dimensions an exit is grouped by. Dimensions not grouped on are null
 * (or -1 for the reason code / vCPU). {@code vcpu} is a label: {@code "3"} for a vCPU id,
 * {@code "tid 1234"} when the events do not carry the id.
 */
public record ExitKey(String reason, long reasonCode, ExitClass exitClass, String subkey, String vcpu, String vm,
                      boolean blocking) {

    // equals and hashCode written out: a record's generated ones link through method handles at
    // first use, and on Java 17 that spun 33 classes (for this key and the others on the exit path)
    // whose bytecode generation C2 then compiled: 0.15 CPU-s of a 1.9 CPU-s report.
    @Override
    public boolean equals(Object o) {
        return o instanceof ExitKey k && reasonCode == k.reasonCode && blocking == k.blocking && exitClass == k.exitClass
                && Objects.equals(reason, k.reason) && Objects.equals(subkey, k.subkey) && Objects.equals(vcpu, k.vcpu)
                && Objects.equals(vm, k.vm);
    }

    @Override
    public int hashCode() {
        int h = Objects.hashCode(reason);
        h = 31 * h + Long.hashCode(reasonCode);
        h = 31 * h + Objects.hashCode(exitClass);
        h = 31 * h + Objects.hashCode(subkey);
        h = 31 * h + Objects.hashCode(vcpu);
        h = 31 * h + Objects.hashCode(vm);
        return 31 * h + Boolean.hashCode(blocking);
    }

    /**
     * The key this one falls under in grouping {@code by}: the dimensions {@code by} does not
     * group on become null. Blocking stays: idle time never mixes with overhead.
     */
    public ExitKey under(GroupBy by) {
        boolean r = by.has(GroupBy.Dim.REASON);
        return new ExitKey(r ? reason : null, r ? reasonCode : -1,
                by.has(GroupBy.Dim.CLASS) ? exitClass : null,
                by.has(GroupBy.Dim.SUBKEY) ? subkey : null,
                by.has(GroupBy.Dim.VCPU) ? vcpu : null,
                by.has(GroupBy.Dim.VM) ? vm : null,
                blocking);
    }

    /** A compact one-line label, e.g. {@code IO_INSTRUCTION port 0x500 out [userspace]}. */
    public String label() {
        StringBuilder sb = new StringBuilder();
        if (reason != null) sb.append(reason);
        if (subkey != null) sb.append(sb.length() > 0 ? " " : "").append(subkey);
        if (vm != null) sb.append(sb.length() > 0 ? " " : "").append("vm ").append(vm);
        if (vcpu != null) sb.append(sb.length() > 0 ? " " : "").append("vcpu ").append(vcpu);
        if (exitClass != null) sb.append(sb.length() > 0 ? " " : "").append('[').append(exitClass.label).append(']');
        return sb.toString();
    }
}
