package io.exitscope.model;

import io.exitscope.util.EnumSets;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** An immutable set of switches that are on; every other switch is off. */
public final class SwitchSet {
    private final Set<Switch> on;

    private SwitchSet(Set<Switch> on) {
        this.on = on;
    }

    public static SwitchSet of(Set<Switch> on) {
        return new SwitchSet(EnumSets.copy(on, Switch.class));
    }

    public static SwitchSet none() {
        return new SwitchSet(EnumSet.noneOf(Switch.class));
    }

    /** The set as bits by ordinal: the same in every run (seeds the projection's draws). */
    public long bits() {
        long b = 0;
        for (Switch s : on) b |= 1L << s.ordinal();
        return b;
    }

    public boolean on(Switch s) {
        return on.contains(s);
    }

    public SwitchSet with(Switch s, boolean value) {
        EnumSet<Switch> n = EnumSets.copy(on, Switch.class);
        if (value) n.add(s); else n.remove(s);
        return new SwitchSet(n);
    }

    public SwitchSet flip(Switch s) {
        return with(s, !on(s));
    }

    /**
     * Applies {@code NAME=on|off} settings (also {@code NAME} alone for on, and comma lists)
     * in order.
     */
    public SwitchSet apply(List<String> settings) {
        SwitchSet s = this;
        for (String setting : settings) {
            for (String part : setting.split(",")) {
                if (part.isBlank()) continue;
                int eq = part.indexOf('=');
                Switch sw = Switch.parse(eq < 0 ? part : part.substring(0, eq));
                s = s.with(sw, eq < 0 || parseValue(part.substring(eq + 1)));
            }
        }
        return s;
    }

    static boolean parseValue(String v) {
        return switch (v.strip().toLowerCase()) {
            case "on", "true", "yes", "1" -> true;
            case "off", "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("switch value must be on or off, got '" + v.strip() + "'");
        };
    }

    /** Switches whose value differs between the two sets. */
    public Set<Switch> differences(SwitchSet other) {
        EnumSet<Switch> d = EnumSet.noneOf(Switch.class);
        for (Switch s : Switch.values()) if (on(s) != other.on(s)) d.add(s);
        return d;
    }

    /** {@code ioeventfd=on,request-early-exit=off,...} for every switch, in declaration order. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Switch s : Switch.values()) {
            if (sb.length() > 0) sb.append(',');
            sb.append(s.cliName).append('=').append(on(s) ? "on" : "off");
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SwitchSet s && s.on.equals(on);
    }

    @Override
    public int hashCode() {
        return on.hashCode();
    }

    @Override
    public String toString() {
        return describe();
    }
}
