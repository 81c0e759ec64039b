package io.exitscope.source;

/**
 * Whether KVM ran as a loadable module or built into the kernel on the host a trace comes from,
 * and what says so (a trace's kallsyms, or the live host's /sys/module). One verdict that the
 * report, triage, the model's recorded switches and the TUI all read.
 *
 * @param module   true module, false built in, null unknown
 * @param evidence what the verdict rests on, in words
 */
public record KvmBuild(Boolean module, String evidence) {
    /** A trace without kallsyms (text traces, trace.dat files recorded without it). */
    public static final KvmBuild NO_KALLSYMS = new KvmBuild(null, "no kallsyms in the trace");

    /** The kallsyms verdict: module markers on KVM's symbols, or core KVM symbols without one. */
    public static KvmBuild ofKallsyms(Boolean kvmIsModule, java.util.Set<String> modules) {
        if (kvmIsModule == null) return new KvmBuild(null, "kallsyms present but no KVM symbols");
        return kvmIsModule ? new KvmBuild(true, "kallsyms: KVM symbols carry module markers " + modules)
                : new KvmBuild(false, "kallsyms: KVM symbols without module markers (built in)");
    }
}
