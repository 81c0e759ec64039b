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
    /**
     * Deferred formats by id (parsers, and the names they were announced with); entries leave
     * when parsed. Arrays indexed by id, not maps: opening a trace.dat announces thousands of
     * formats, and boxing, hashing and name concatenation for each were a third of the open.
     */
    private Supplier<EventFormat>[] deferred = newSuppliers(256);
    private String[] deferredSystem = new String[256], deferredName = new String[256];
    /** Order of announcement: of two deferred formats with one name, the later one is found. */
    private int[] deferredSeq = new int[256];
    private int deferredCount, seq;
    private int size;

    @SuppressWarnings("unchecked")
    private static Supplier<EventFormat>[] newSuppliers(int n) {
        return (Supplier<EventFormat>[]) new Supplier<?>[n];
    }

    public void add(EventFormat f) {
        checkId(f.id);
        size++;
        dropDeferred(f.id);   // the last format with an id wins, as in trace-cmd
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
        if (id < byId.length && byId[id] != null) {
            // the last format with an id wins: the parsed one it replaces leaves the name index
            EventFormat old = byId[id];
            byId[id] = null;
            byName.remove(old.name, old);
            byName.remove(old.system + ":" + old.name, old);
        }
        if (!byName.isEmpty()) {
            // and a parsed format of another id with this name no longer answers for it
            byName.remove(name);
            byName.remove(system + ":" + name);
        }
        if (id >= deferred.length) {
            int n = Math.max(id + 1, deferred.length * 2);
            deferred = Arrays.copyOf(deferred, n);
            deferredSystem = Arrays.copyOf(deferredSystem, n);
            deferredName = Arrays.copyOf(deferredName, n);
            deferredSeq = Arrays.copyOf(deferredSeq, n);
        }
        if (deferred[id] == null) deferredCount++;
        deferred[id] = parse;
        deferredSystem[id] = system;
        deferredName[id] = name;
        deferredSeq[id] = ++seq;
    }

    private void dropDeferred(int id) {
        if (id < deferred.length && deferred[id] != null) {
            deferred[id] = null;
            deferredSystem[id] = deferredName[id] = null;
            deferredCount--;
        }
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
        return deferredCount == 0 ? null : resolve(id);
    }

    private synchronized EventFormat resolve(int id) {
        Supplier<EventFormat> s = id >= 0 && id < deferred.length ? deferred[id] : null;
        if (s == null) return id >= 0 && id < byId.length ? byId[id] : null;
        EventFormat f = s.get();
        if (f.id != id) throw new IllegalStateException("deferred format " + id + " parsed as id " + f.id);
        dropDeferred(id);
        put(f);
        return f;
    }

    /**
     * By {@code name} or {@code system:name}, or null. Deferred formats are searched by the name
     * they were announced with (a scan: names are looked up a few times per run, ids per event).
     */
    public EventFormat byName(String name) {
        EventFormat f = byName.get(name);
        if (f != null || deferredCount == 0) return f;
        int best = -1;
        for (int id = 0; id < deferred.length; id++) {
            if (deferred[id] == null || best >= 0 && deferredSeq[id] < deferredSeq[best]) continue;
            String n = deferredName[id], sys = deferredSystem[id];
            if (name.equals(n) || name.length() == sys.length() + 1 + n.length()
                    && name.startsWith(sys) && name.charAt(sys.length()) == ':' && name.endsWith(n)) best = id;
        }
        if (best < 0) return null;
        f = byId(best);
        return f != null && (name.equals(f.name) || name.equals(f.system + ":" + f.name)) ? f : byName.get(name);
    }

    /** Every format; parses the deferred ones (their errors surface here). */
    public synchronized Collection<EventFormat> all() {
        for (int id = 0; id < deferred.length; id++) if (deferred[id] != null) resolve(id);
        return all;
    }

    /** Formats added, parsed or not. */
    public int size() {
        return size;
    }
}
