package io.exitscope.stats;

import java.util.EnumSet;
import java.util.Set;

/** Which dimensions a report groups exits by ({@code --by reason,class}). */
public final class GroupBy {
    public enum Dim { REASON, CLASS, SUBKEY, VCPU, VM }

    private final Set<Dim> dims;

    private GroupBy(Set<Dim> dims) {
        this.dims = dims;
    }

    public static final GroupBy REASON_CLASS = new GroupBy(EnumSet.of(Dim.REASON, Dim.CLASS));
    /** Every dimension: the finest groups, from which every other grouping is a merge. */
    public static final GroupBy FINE = new GroupBy(EnumSet.allOf(Dim.class));

    /**
     * Parses {@code reason}, {@code reason,class}, {@code subkey}, {@code vcpu}, {@code vm} and
     * combinations. A subkey is always shown with its reason.
     */
    public static GroupBy parse(String spec) {
        EnumSet<Dim> d = EnumSet.noneOf(Dim.class);
        for (String p : spec.split("[,+]")) {
            String s = p.strip().toLowerCase();
            if (s.isEmpty()) continue;
            switch (s) {
                case "reason" -> d.add(Dim.REASON);
                case "class" -> d.add(Dim.CLASS);
                case "subkey" -> { d.add(Dim.REASON); d.add(Dim.SUBKEY); }
                case "vcpu" -> d.add(Dim.VCPU);
                case "vm" -> d.add(Dim.VM);
                default -> throw new IllegalArgumentException("unknown grouping '" + p.strip() + "' (reason, class, subkey, vcpu, vm)");
            }
        }
        if (d.isEmpty()) throw new IllegalArgumentException("empty grouping");
        return new GroupBy(d);
    }

    public boolean has(Dim d) {
        return dims.contains(d);
    }

    public Set<Dim> dims() {
        return EnumSet.copyOf(dims);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Dim d : new Dim[]{Dim.REASON, Dim.SUBKEY, Dim.CLASS, Dim.VCPU, Dim.VM}) {
            if (!dims.contains(d) || (d == Dim.REASON && dims.contains(Dim.SUBKEY))) continue;
            if (sb.length() > 0) sb.append(',');
            sb.append(d.name().toLowerCase());
        }
        return sb.toString();
    }
}
