package io.exitscope.exit.arch;

import io.exitscope.event.Event;

/** One event format bound to its meaning, its fields resolved once. */
@FunctionalInterface
public interface EventDecoder {
    /**
     * Reports what {@code e} says to {@code to}; false when this event does not carry the fields
     * the binding needs (a text line of another architecture's form, a cut line), so another
     * binding of the same event name may try.
     */
    boolean decode(Event e, ExitSteps to);
}
