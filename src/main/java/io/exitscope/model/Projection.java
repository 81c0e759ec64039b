package io.exitscope.model;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.exit.Arch;
import io.exitscope.exit.ExitClass;
import io.exitscope.stats.ExitKey;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Projects a recorded trace's exits from the switch set it was recorded with onto another: every
 * exit's measured latency is re-timed, giving a projected histogram per key beside the measured
 * one. Works on the analysis result's histograms (each exit is its histogram value, 3 significant
 * digits), so it needs no second pass over the trace and no memory per exit. Deterministic: the
 * random draws (stages the recording did not have) come from a seed.
 */
public final class Projection {
    private Projection() {}

    public static ProjectionResult run(AnalysisResult r, ExitPathModel model, SwitchSet recorded, SwitchSet target, GroupBy by, long seed) {
        return run(ModelInput.of(r), model, recorded, target, by, seed);
    }

    public static ProjectionResult run(ModelInput r, ExitPathModel model, SwitchSet recorded, SwitchSet target, GroupBy by, long seed) {
        boolean s390 = r.s390();
        FineGroups fine = new FineGroups(r.fine());
        Map<ExitKey, Acc> accs = new LinkedHashMap<>();
        List<String> projected = new ArrayList<>(), notProjected = new ArrayList<>();
        NotificationSources notes = s390 ? null : new NotificationSources(r, model.config(), fine.groups);
        double wake = model.config().number("model.wake_probability", 1.0);
        for (StatsSnapshot.Group g : fine.groups) {
            ExitKey k = g.key();
            GroupProjection gp;
            if (s390) {
                gp = new S390GroupProjection(model, ExitKind.of(k.reasonCode(), k.subkey()), k.exitClass(), fine.vcpus(k.vm()),
                        recorded, target, wake);
            } else {
                gp = notes.projection(g, recorded, target);
            }
            Acc a = accs.computeIfAbsent(k.under(by), Acc::new);
            a.add(g, gp, new SplittableRandom(seed ^ stableHash(k) * 0x9E3779B97F4A7C15L ^ target.bits()));
        }
        if (s390) {
            projected.add("every s390 exit, stage by stage: the traced stages are re-timed under the target switch set; "
                    + "round_trip adds the model's hidden stages (SIE transit, sie64a, time accounting, irq toggles)");
            notProjected.add("a wait's idle time is kept as measured");
            notProjected.add("irq-disable, irq-toggle-removal, sie64a-shortcut (and the signal check of c-fastpath) change stages outside "
                    + "the traced interval: they move the modelled round trip, never the exit latency");
            notProjected.add("exits whose intercept the model does not know are re-timed with a generic handler");
        } else {
            projected.add("ioeventfd: guest writes to PIO ports and MMIO addresses (" + notes.describe() + ")");
            StringBuilder others = new StringBuilder();
            for (Switch s : Switch.values()) if (s != Switch.IOEVENTFD) others.append(others.length() == 0 ? "" : ", ").append(s.cliName);
            notProjected.add(others + ": the stage model is s390's; on " + archLabel(r) + " these switches are not modelled");
            notProjected.add("exits other than notification writes keep their measured latency");
        }
        List<KeyProjection> keys = new ArrayList<>();
        for (StatsSnapshot.Group g : r.grouped(by)) {
            Acc a = accs.get(g.key());
            if (a != null) keys.add(a.build(g));
        }
        return new ProjectionResult(s390 ? "s390" : archLabel(r), recorded, target, by, keys, projected, notProjected);
    }

    static String archLabel(ModelInput r) {
        if (r.arches().contains(Arch.X86_VMX) || r.arches().contains(Arch.X86_SVM)) return "x86";
        if (r.arches().contains(Arch.ARM64)) return "arm64";
        // without exit events the arch is not told; port I/O exists on x86 only
        for (StatsSnapshot.Group g : r.fine()) if (g.key().subkey() != null && g.key().subkey().startsWith("port ")) return "x86";
        return r.arches().isEmpty() || r.arches().equals(Set.of(Arch.UNKNOWN)) ? "unknown (no exit events)" : r.arches().toString();
    }

    /** The fine groups and what they say about the VMs. */
    static final class FineGroups {
        final List<StatsSnapshot.Group> groups;
        final Map<String, Set<String>> vcpusByVm = new HashMap<>();

        FineGroups(List<StatsSnapshot.Group> groups) {
            this.groups = new ArrayList<>(groups);
            for (StatsSnapshot.Group g : groups) {
                vcpusByVm.computeIfAbsent(String.valueOf(g.key().vm()), v -> new HashSet<>()).add(String.valueOf(g.key().vcpu()));
            }
        }

        int vcpus(String vm) {
            Set<String> s = vcpusByVm.get(String.valueOf(vm));
            return s == null ? 1 : Math.max(1, s.size());
        }
    }

    /**
     * A hash of a key that is the same in every JVM: the draws of a key must not depend on
     * identity hash codes (an enum's {@code hashCode}, in {@code ExitKey}'s), which change with
     * whatever else the process happened to hash first, so the same projection came out
     * differently from {@code model} and from {@code triage}.
     */
    static long stableHash(ExitKey k) {
        return (k.label() + '|' + k.reasonCode() + '|' + k.blocking()).hashCode();
    }

    /** Accumulates the projected exits of one output key. */
    private static final class Acc {
        final ExitKey key;
        final Histogram projected = ExitStats.newHistogram();
        final Histogram measuredRt = ExitStats.newHistogram(), projectedRt = ExitStats.newHistogram();
        final Map<ExitClass, Long> classes = new EnumMap<>(ExitClass.class);
        final Map<Stage, double[]> stages = new EnumMap<>(Stage.class);
        final Map<Stage, StageCost> stageInfo = new EnumMap<>(Stage.class);
        long projectedSum, equivalentSum, timed;
        double roundTripDelta;
        boolean modelled, roundTrip;

        Acc(ExitKey key) {
            this.key = key;
        }

        void add(StatsSnapshot.Group g, GroupProjection gp, SplittableRandom rng) {
            modelled |= gp.modelled();
            boolean rt = gp instanceof S390GroupProjection;
            roundTrip |= rt;
            classes.merge(gp.projectedClass(), g.count(), Long::sum);
            double hiddenA = gp.measuredHiddenNs(), hiddenB = gp.projectedHiddenNs();
            if (g.measured() > 0 && gp.identity()) {
                // nothing changes for these exits: take the histogram as it is
                projected.add(g.histogram());
                for (HistogramIterationValue v : g.histogram().recordedValues()) {
                    long value = g.histogram().medianEquivalentValue(v.getValueIteratedTo());
                    long n = v.getCountAtValueIteratedTo();
                    if (rt) {
                        measuredRt.recordValueWithCount(Math.round(value + hiddenA), n);
                        projectedRt.recordValueWithCount(Math.round(value + hiddenB), n);
                        roundTripDelta += (hiddenB - hiddenA) * n;
                    }
                    gp.explainUnchanged(value, n);
                }
                timed += g.measured();
            } else if (g.measured() > 0) {
                for (HistogramIterationValue v : g.histogram().recordedValues()) {
                    long value = g.histogram().medianEquivalentValue(v.getValueIteratedTo());
                    for (long i = 0; i < v.getCountAtValueIteratedTo(); i++) {
                        double p = gp.project(value, rng);
                        long pl = Math.max(0, Math.round(p));
                        projected.recordValue(pl);
                        projectedSum += pl;
                        equivalentSum += value;
                        if (rt) {
                            measuredRt.recordValue(Math.round(value + hiddenA));
                            projectedRt.recordValue(Math.round(pl + hiddenB));
                            roundTripDelta += pl + hiddenB - value - hiddenA;
                        }
                    }
                }
                timed += g.measured();
            }
            gp.stageSums.forEach((s, a) -> {
                double[] t = stages.computeIfAbsent(s, k -> new double[2]);
                t[0] += a[0];
                t[1] += a[1];
            });
            if (gp instanceof S390GroupProjection sp) sp.hiddenStages(stages, g.measured(), stageInfo);
        }

        KeyProjection build(StatsSnapshot.Group measured) {
            List<StageShare> shares = new ArrayList<>();
            for (Map.Entry<Stage, double[]> e : stages.entrySet()) {
                StageCost info = stageInfo.get(e.getKey());
                shares.add(new StageShare(e.getKey(), info == null ? ExitClass.KERNEL : info.exitClass(),
                        info == null ? Position.TRACED : info.at(), timed == 0 ? 0 : e.getValue()[0] / timed,
                        timed == 0 ? 0 : e.getValue()[1] / timed));
            }
            // histogram values stand for the exits (3 significant digits): apply the change, keep the exact total
            long total = measured.measured() == 0 ? 0 : measured.totalNs() + projectedSum - equivalentSum;
            return new KeyProjection(key, measured, projected, total, java.util.Collections.unmodifiableMap(new EnumMap<>(classes)), roundTrip ? measuredRt : null,
                    roundTrip ? projectedRt : null, Math.round(roundTripDelta), List.copyOf(shares), modelled);
        }
    }
}
