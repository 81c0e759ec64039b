package io.exitscope.event;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The event formats of one trace, looked up by id on the hot path and by name elsewhere. */
public final class EventFormats {
    private EventFormat[] byId = new EventFormat[256];
    private final Map<String, EventFormat> byName = new HashMap<>();
    private final List<EventFormat> all = new ArrayList<>();

    public void add(EventFormat f) {
        if (f.id < 0 || f.id > 0xffff) throw new FormatParser.FormatException("event id " + f.id + " out of range");
        if (f.id >= byId.length) byId = Arrays.copyOf(byId, Math.max(f.id + 1, byId.length * 2));
        byId[f.id] = f;
        byName.put(f.name, f);
        byName.put(f.system + ":" + f.name, f);
        all.add(f);
    }

    /** The format with this id, or null. */
    public EventFormat byId(int id) {
        return id >= 0 && id < byId.length ? byId[id] : null;
    }

    /** By {@code name} or {@code system:name}, or null. */
    public EventFormat byName(String name) {
        return byName.get(name);
    }

    public Collection<EventFormat> all() {
        return all;
    }

    public int size() {
        return all.size();
    }
}
