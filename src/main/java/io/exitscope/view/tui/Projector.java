package io.exitscope.view.tui;

import io.exitscope.view.tui.feed.Side;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The hook for an exit-path model (the s390 core) on the optimizations screen: it may add the
 * model's own switches as findings and fill the PROJECTED column ("what if this optimization were
 * on/off") for any finding. Register an implementation with
 * {@code META-INF/services/io.exitscope.view.tui.Projector}, or pass one to {@link TuiOptions}.
 * Called on the UI thread with immutable data; keep it cheap or cache per {@link Side}.
 */
public interface Projector {
    /** Short name shown in the screen title, e.g. {@code s390 exit-path core}. */
    String name();

    /** The switch set the side was recorded with, as the header shows it, e.g. {@code ioeventfd=on early-exit=off}; null if none. */
    default String switchSet(Side side) {
        return null;
    }

    /** Rows the model adds (its switches), computed from the side's statistics. */
    default List<Optimizations.Row> rows(Side side) {
        return List.of();
    }

    /**
     * The projected shift of the exits a finding affects, e.g. {@code p50 1.40us->410ns (-71%)}, or
     * null when the model cannot project it.
     */
    String projectedShift(Optimizations.Row finding, Side side);

    /** The first registered projector, or null when no model is on the class path. */
    static Projector discover() {
        try {
            for (Projector p : ServiceLoader.load(Projector.class)) return p;
        } catch (java.util.ServiceConfigurationError e) {
            return null;
        }
        return null;
    }
}
