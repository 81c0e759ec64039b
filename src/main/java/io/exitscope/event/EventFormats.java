package io.exitscope.event;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The event formats of one trace, looked up by id on the hot path and by name elsewhere.
 *
 * <p>A format may be added parsed, or deferred: known by id and name, parsed on first use. A
 * trace.dat carries every format of the recording kernel (2323 on the development host) but
 * its events use a handful; parsing them all took ≈ 100 ms of a one-second run. A deferred
 * format that fails to parse fails where it is first needed, with the error its supplier
 * throws (which names the file and byte offset of the format text).
 */
public final class EventFormats {
    private EventFormat[] byId = new EventFormat[256];
    private final Map<String, EventFormat> byName = new HashMap<>();
    private final List<EventFormat> all = new ArrayList<>();
    /** Deferred formats by id and by name; entries leave when parsed. */
    private final Map<Integer, Supplier<EventFormat>> deferredById = new HashMap<>();
    private final Map<String, Integer> deferredByName = new HashMap<>();
    private int size;

    public void add(EventFormat f) {
        checkId(f.id);
        size++;
        deferredById.remove(f.id);   // the last format with an id wins, as in trace-cmd
        put(f);
    }

    private void put(EventFormat f) {
        if (f.id >= byId.length) byId = Arrays.copyOf(byId, Math.max(f.id + 1, byId.length * 2));
        byId[f.id] = f;
        byName.put(f.name, f);
        byName.put(f.system + ":" + f.name, f);
        all.add(f);
    }

    /**
     * Adds a format known by id, system and name, parsed by {@code parse} on first use. The
     * parsed format must have this id and name.
     */
    public void addDeferred(int id, String system, String name, Supplier<EventFormat> parse) {
        checkId(id);
        size++;
        if (id < byId.length) byId[id] = null;   // the last format with an id wins
        byName.remove(name);
        byName.remove(system + ":" + name);
        deferredById.put(id, parse);
        deferredByName.put(name, id);
        deferredByName.put(system + ":" + name, id);
    }

    private static void checkId(int id) {
        if (id < 0 || id > 0xffff) throw new FormatParser.FormatException("event id " + id + " out of range");
    }

    /** The format with this id, or null. */
    public EventFormat byId(int id) {
        if (id >= 0 && id < byId.length) {
            EventFormat f = byId[id];
            if (f != null) return f;
        }
        return deferredById.isEmpty() ? null : resolve(id);
    }

    private synchronized EventFormat resolve(int id) {
        Supplier<EventFormat> s = deferredById.get(id);
        if (s == null) return id >= 0 && id < byId.length ? byId[id] : null;
        EventFormat f = s.get();
        if (f.id != id) throw new IllegalStateException("deferred format " + id + " parsed as id " + f.id);
        deferredById.remove(id);
        put(f);
        return f;
    }

    /** By {@code name} or {@code system:name}, or null. */
    public EventFormat byName(String name) {
        EventFormat f = byName.get(name);
        if (f != null || deferredByName.isEmpty()) return f;
        Integer id = deferredByName.get(name);
        if (id == null) return null;
        f = byId(id);
        return f != null && (name.equals(f.name) || name.equals(f.system + ":" + f.name)) ? f : byName.get(name);
    }

    /** Every format; parses the deferred ones (their errors surface here). */
    public synchronized Collection<EventFormat> all() {
        for (Integer id : new ArrayList<>(deferredById.keySet())) resolve(id);
        return all;
    }

    /** Formats added, parsed or not. */
    public int size() {
        return size;
    }
}
