package io.exitscope.exit.arch;

import io.exitscope.source.live.TracefsInstance;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Live tracing enables exactly the events the per-architecture bindings give a meaning. */
class LiveEventsTest {
    @Test
    void liveEnablesEveryBoundEvent() {
        Set<String> bound = new TreeSet<>();
        for (ArchEvents a : EventBindings.ALL) for (String e : a.events()) bound.add("kvm/" + e);
        assertEquals(bound, new TreeSet<>(TracefsInstance.KVM_EVENTS));
    }
}
