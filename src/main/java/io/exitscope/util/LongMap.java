package io.exitscope.util;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Open-addressing map from long (or int) to object, for state keyed by thread id, port or address
 * on the event path, where boxing a key per event would dominate. Not thread safe.
 */
public final class LongMap<V> {
    private long[] keys = new long[16];
    private Object[] vals = new Object[16];
    private boolean[] used = new boolean[16];
    private int size;

    @SuppressWarnings("unchecked")
    public V get(long key) {
        int mask = keys.length - 1;
        int i = mix(key) & mask;
        while (used[i]) {
            if (keys[i] == key) return (V) vals[i];
            i = (i + 1) & mask;
        }
        return null;
    }

    public V computeIfAbsent(long key, java.util.function.LongFunction<V> make) {
        V v = get(key);
        if (v == null) {
            v = make.apply(key);
            put(key, v);
        }
        return v;
    }

    public void put(long key, V value) {
        if ((size + 1) * 2 > keys.length) grow();
        int mask = keys.length - 1;
        int i = mix(key) & mask;
        while (used[i]) {
            if (keys[i] == key) {
                vals[i] = value;
                return;
            }
            i = (i + 1) & mask;
        }
        used[i] = true;
        keys[i] = key;
        vals[i] = value;
        size++;
    }

    public int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    public void forEachValue(Consumer<V> c) {
        for (int i = 0; i < keys.length; i++) {
            if (used[i]) c.accept((V) vals[i]);
        }
    }

    /** Every (key, value) pair. */
    @SuppressWarnings("unchecked")
    public void forEachEntry(java.util.function.BiConsumer<Long, V> c) {
        for (int i = 0; i < keys.length; i++) {
            if (used[i]) c.accept(keys[i], (V) vals[i]);
        }
    }

    private void grow() {
        long[] ok = keys;
        Object[] ov = vals;
        boolean[] ou = used;
        keys = new long[ok.length * 2];
        vals = new Object[ok.length * 2];
        used = new boolean[ok.length * 2];
        size = 0;
        for (int i = 0; i < ok.length; i++) if (ou[i]) put(ok[i], cast(ov[i]));
    }

    @SuppressWarnings("unchecked")
    private static <V> V cast(Object o) {
        return (V) o;
    }

    private static int mix(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    public void clear() {
        Arrays.fill(used, false);
        Arrays.fill(vals, null);
        size = 0;
    }
}
