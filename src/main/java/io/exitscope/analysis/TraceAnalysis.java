package io.exitscope.analysis;

import io.exitscope.event.Event;
import io.exitscope.event.EventStream;
import io.exitscope.exit.ExitAssembler;
import io.exitscope.exit.VmName;
import io.exitscope.exit.ExitRecord;
import io.exitscope.exit.Measure;
import io.exitscope.exit.Arch;
import io.exitscope.source.KvmBuild;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.TraceSource;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.FrozenStats;
import io.exitscope.stats.NotificationEvidence;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The replay pipeline: source → events → exit assembler → statistics and evidence. Each source
 * gets its own assembler (pairing never crosses files); all feed one set of statistics.
 */
public final class TraceAnalysis {
    private TraceAnalysis() {}

    public static AnalysisResult run(List<TraceSource> sources, AnalysisOptions opt) throws IOException {
        return run(sources, opt, null);
    }

    /**
     * @param extra also receives every kept exit (e.g. a model projection), may be null
     */
    public static AnalysisResult run(List<TraceSource> sources, AnalysisOptions opt, Consumer<ExitRecord> extra) throws IOException {
        ExitStats stats = new ExitStats();
        NotificationEvidence notes = new NotificationEvidence();
        List<TraceInfo> infos = new ArrayList<>();
        ExitCounters counters = ExitCounters.ZERO;
        Set<Measure> measures = EnumSet.noneOf(Measure.class);
        Set<Arch> arches = EnumSet.noneOf(Arch.class);
        Boolean module = null;
        String moduleEvidence = KvmBuild.NO_KALLSYMS.evidence();
        long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
        for (TraceSource src : sources) {
            long[] kept = new long[2]; // this source's kept exits with request evidence: known, pending
            TraceInfo info = src.info();
            infos.add(info);
            Map<Integer, String> guestOf = new HashMap<>();
            for (TraceInfo.Guest g : info.guests()) {
                if (g.name() == null || g.name().isBlank()) continue; // unnamed guest: the comm says more
                for (int pid : g.vcpuToHostPid().values()) guestOf.put(pid, g.name());
            }
            long[] window = {Long.MIN_VALUE};
            Consumer<ExitRecord> keep = r -> {
                long rel = r.exitTs() - window[0];
                if (rel < opt.fromNs() || rel > opt.toNs()) return;
                if (opt.tid() >= 0 && r.tid() != opt.tid()) return;
                if (opt.vcpu() >= 0 && r.vcpu() != opt.vcpu()) return;
                if (opt.vm() != null && !opt.vm().equals(r.vm())) return;
                stats.accept(r);
                notes.accept(r);
                if (r.requests() >= 0) {
                    kept[0]++;
                    if (r.requests() != 0) kept[1]++;
                }
                if (extra != null) extra.accept(r);
            };
            ExitAssembler asm = new ExitAssembler(keep, e -> VmName.of(e, guestOf), src.recordsUserspaceExits());
            long damaged, firstDamaged;
            src.prepareKvmBuild();
            try (EventStream s = src.events()) {
                while (s.advance()) {
                    Event e = s.current();
                    if (window[0] == Long.MIN_VALUE) window[0] = e.timestamp();
                    asm.accept(e);
                }
                damaged = s.damagedLines();
                firstDamaged = s.firstDamagedLine();
            }
            asm.finish();
            counters = counters.plus(ExitCounters.of(asm, kept[0], kept[1]).withDamagedLines(damaged, firstDamaged));
            measures.addAll(asm.measures());
            arches.addAll(asm.arches());
            if (asm.events() > 0) {
                first = Math.min(first, asm.firstTimestamp());
                last = Math.max(last, asm.lastTimestamp());
            }
            KvmBuild kb = src.kvmBuild();
            if (kb != KvmBuild.NO_KALLSYMS) { // a later file's kallsyms tells more than an earlier file without
                if (kb.module() != null) module = kb.module();
                moduleEvidence = kb.evidence();
            }
        }
        if (first == Long.MAX_VALUE) first = last = 0;
        return new AnalysisResult(infos, FrozenStats.of(stats), notes, counters, measures, arches, module, moduleEvidence, first, last);
    }
}
