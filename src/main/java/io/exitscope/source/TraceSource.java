package io.exitscope.source;

import io.exitscope.event.EventStream;

import java.io.Closeable;
import java.io.IOException;

/** Something that yields a trace's events: a trace.dat file, a text trace, a live tracefs instance. */
public interface TraceSource extends Closeable {
    TraceInfo info();

    /** A new stream over the events from the start (files) or from now (live). */
    EventStream events() throws IOException;

    /** KVM module or built in, as far as the source can tell (trace.dat: its kallsyms). */
    default KvmBuild kvmBuild() throws IOException {
        return KvmBuild.NO_KALLSYMS;
    }

    /**
     * {@code kvm_userspace_exit} is among the events this trace recorded, so exits not seen in
     * userspace were handled in the kernel ({@link UserspaceExitEvidence} gives the rule per
     * source); without it their class is unknown. Here: the event occurs (text traces).
     */
    default boolean recordsUserspaceExits() throws IOException {
        return UserspaceExitEvidence.occursIn(this);
    }

    /**
     * Says that {@link #kvmBuild()} will be asked for once the events are read: a source whose
     * answer takes reading may work it out meanwhile, on a thread of its own.
     */
    default void prepareKvmBuild() {}
}
