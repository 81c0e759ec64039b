package io.exitscope.util;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Copies of enum sets that iterate in declaration order. {@code Set.copyOf} iterates in an order
 * that changes from run to run, and {@code EnumSet.copyOf} refuses an empty collection that is
 * not an EnumSet; what is printed from these sets must read the same every time.
 */
public final class EnumSets {
    private EnumSets() {}

    /** A mutable copy in declaration order. */
    public static <E extends Enum<E>> EnumSet<E> copy(Collection<E> c, Class<E> type) {
        return c.isEmpty() ? EnumSet.noneOf(type) : EnumSet.copyOf(c);
    }

    /** An unmodifiable copy in declaration order. */
    public static <E extends Enum<E>> Set<E> frozenCopy(Collection<E> c, Class<E> type) {
        return Collections.unmodifiableSet(copy(c, type));
    }
}
