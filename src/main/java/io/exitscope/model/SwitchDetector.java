package io.exitscope.model;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.evidence.OptimizationEvidence;
import io.exitscope.exit.ExitClass;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.StatsSnapshot;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the switch set a trace was recorded with. In order of trust: what the user declares;
 * facts in the trace (DIAG 0x500 or PIO/MMIO notifications reaching userspace or not: ioeventfd;
 * kallsyms: KVM module or built in); for s390, a fit of the model to the measured group medians
 * over the switches that change some traced stage of the exits present, starting from the set the
 * file declares (simulated traces) or the default profile, and leaving that set only where the
 * data clearly says otherwise. Switches that only move hidden stages cannot be seen in exit
 * latencies and keep the assumed value (they do not change projected exit latencies either).
 */
public final class SwitchDetector {
    private final ExitPathModel model;

    public SwitchDetector(ExitPathModel model) {
        this.model = model;
    }

    /**
     * @param declaredProfile the user's profile for the recording, or null
     * @param declaredSwitches the user's NAME=on|off settings for the recording
     * @param useFile        trust the set a simulated file declares as the starting point
     */
    public RecordedSwitches detect(AnalysisResult r, String declaredProfile, List<String> declaredSwitches, boolean useFile) {
        return detect(ModelInput.of(r), declaredProfile, declaredSwitches, useFile);
    }

    public RecordedSwitches detect(ModelInput r, String declaredProfile, List<String> declaredSwitches, boolean useFile) {
        Map<Switch, RecordedSwitches.State> f = new EnumMap<>(Switch.class);
        SwitchSet prior;
        RecordedSwitches.How priorHow;
        String fileSet = useFile ? r.fileSwitches() : null;
        if (declaredProfile != null) {
            prior = model.config().profile(declaredProfile).switches();
            priorHow = RecordedSwitches.How.DECLARED;
        } else if (fileSet != null) {
            prior = SwitchSet.none().apply(List.of(fileSet));
            priorHow = RecordedSwitches.How.FILE;
        } else {
            prior = model.config().defaultProfile().switches();
            priorHow = RecordedSwitches.How.DEFAULT;
        }
        String priorDetail = declaredProfile != null ? "profile " + declaredProfile
                : fileSet != null ? "the file's SYNTHETIC option" : "profile " + model.config().defaultProfile().name();
        for (Switch s : Switch.values()) f.put(s, new RecordedSwitches.State(prior.on(s), priorHow, priorDetail));
        SwitchSet user = prior.apply(declaredSwitches == null ? List.of() : declaredSwitches);
        for (Switch s : Switch.values()) {
            if (declaredSwitches != null && !declaredSwitches.isEmpty() && mentions(declaredSwitches, s)) {
                f.put(s, new RecordedSwitches.State(user.on(s), RecordedSwitches.How.DECLARED, "--recorded-switch"));
            }
        }
        boolean s390 = r.s390();
        traceEvidence(r, f);
        double fitError = 0;
        if (s390) fitError = fit(r, f);
        EnumMap<Switch, Boolean> values = new EnumMap<>(Switch.class);
        f.forEach((s, x) -> values.put(s, x.value()));
        SwitchSet set = SwitchSet.none();
        for (Switch s : Switch.values()) set = set.with(s, values.get(s));
        return new RecordedSwitches(set, Map.copyOf(f), model.config().profileNamed(set), fitError);
    }

    private static boolean mentions(List<String> settings, Switch s) {
        for (String setting : settings) {
            for (String part : setting.split(",")) {
                String name = part.contains("=") ? part.substring(0, part.indexOf('=')) : part;
                if (name.strip().equalsIgnoreCase(s.cliName)) return true;
            }
        }
        return false;
    }

    private static boolean declared(Map<Switch, RecordedSwitches.State> f, Switch s) {
        return f.get(s).how() == RecordedSwitches.How.DECLARED;
    }

    /** The switches the trace shows itself ({@link OptimizationEvidence}): ioeventfd, and KVM built in. */
    private static void traceEvidence(ModelInput r, Map<Switch, RecordedSwitches.State> f) {
        if (!r.s390()) {
            for (Switch s : Switch.values()) {
                if (s != Switch.IOEVENTFD && !declared(f, s)) {
                    f.put(s, new RecordedSwitches.State(f.get(s).value(), RecordedSwitches.How.NOT_MODELLED, "the stage model is s390's"));
                }
            }
        }
        OptimizationEvidence.SwitchState io = r.evidence().ioeventfdSwitch(r.s390());
        if (io.on() != null && !declared(f, Switch.IOEVENTFD)) {
            f.put(Switch.IOEVENTFD, new RecordedSwitches.State(io.on(), RecordedSwitches.How.EVIDENCE, io.detail()));
        }
        // the trace's word on these holds on every architecture; only s390's stage model projects them
        RecordedSwitches.How seen = r.s390() ? RecordedSwitches.How.EVIDENCE : RecordedSwitches.How.SEEN_NOT_MODELLED;
        OptimizationEvidence.SwitchState kvm = r.evidence().kvmBuiltinSwitch();
        if (kvm.on() != null && !declared(f, Switch.KVM_BUILTIN)) {
            f.put(Switch.KVM_BUILTIN, new RecordedSwitches.State(kvm.on(), seen, kvm.detail()));
        }
        OptimizationEvidence.SwitchState fpu = r.evidence().lazyFpuSwitch();
        if (fpu.on() != null && !declared(f, Switch.LAZY_FPU)) {
            f.put(Switch.LAZY_FPU, new RecordedSwitches.State(fpu.on(), seen, fpu.detail()));
        }
    }

    // ---------------------------------------------------------------- fit

    /** One group of the trace that votes: its kind, class, vCPUs and median. */
    private record Vote(ExitKind kind, boolean userspace, int vcpus, double median, double weight) {}

    private double fit(ModelInput r, Map<Switch, RecordedSwitches.State> f) {
        List<Vote> votes = votes(r);
        if (votes.isEmpty()) return 0;
        SwitchSet prior = SwitchSet.none();
        for (Switch s : Switch.values()) prior = prior.with(s, f.get(s).value());
        List<Switch> free = new ArrayList<>();
        for (Switch s : Switch.values()) {
            RecordedSwitches.How h = f.get(s).how();
            if (h == RecordedSwitches.How.DECLARED || h == RecordedSwitches.How.EVIDENCE) continue;
            if (identifiable(votes, prior, s)) free.add(s);
            else f.put(s, new RecordedSwitches.State(prior.on(s), h, f.get(s).detail()
                    + "; not identifiable from exit latencies (changes no traced stage of the exits in this trace)"));
        }
        double penalty = model.config().number("model.fit_penalty", 0.0005);
        double priorError = error(votes, prior);
        SwitchSet best = prior;
        double bestScore = priorError;
        for (int mask = 1; mask < (1 << free.size()); mask++) {
            SwitchSet s = prior;
            for (int i = 0; i < free.size(); i++) if ((mask & (1 << i)) != 0) s = s.flip(free.get(i));
            double score = error(votes, s) + penalty * Integer.bitCount(mask);
            if (score < bestScore) {
                bestScore = score;
                best = s;
            }
        }
        double bestError = error(votes, best);
        for (Switch s : free) {
            boolean changed = best.on(s) != prior.on(s);
            String detail = String.format("%s; fit over %d groups: error %.4f -> %.4f", changed ? "differs from " + f.get(s).detail()
                    : "agrees with " + f.get(s).detail(), votes.size(), priorError, bestError);
            RecordedSwitches.How how = changed || f.get(s).how() == RecordedSwitches.How.DEFAULT ? RecordedSwitches.How.FIT : f.get(s).how();
            f.put(s, new RecordedSwitches.State(best.on(s), how, detail));
        }
        return bestError;
    }

    private List<Vote> votes(ModelInput r) {
        double min = model.config().number("model.min_exits_for_fit", 50);
        Map<String, Histogram> hist = new LinkedHashMap<>();
        Map<String, Vote> proto = new LinkedHashMap<>();
        Map<String, java.util.Set<String>> vcpus = new LinkedHashMap<>();
        for (StatsSnapshot.Group g : r.fine()) {
            vcpus.computeIfAbsent(String.valueOf(g.key().vm()), v -> new java.util.HashSet<>()).add(String.valueOf(g.key().vcpu()));
        }
        for (StatsSnapshot.Group g : r.fine()) {
            if (g.blocking() || g.measured() == 0) continue;
            ExitKind k = ExitKind.of(g.key().reasonCode(), g.key().subkey());
            boolean us = g.key().exitClass() == ExitClass.USERSPACE;
            // the kind's parts, not its record toString (which spins method handles at first use)
            String id = k.family() + "/" + k.icptcode() + "/" + k.code() + "/" + us;
            hist.computeIfAbsent(id, x -> ExitStats.newHistogram()).add(g.histogram());
            int v = vcpus.get(String.valueOf(g.key().vm())).size();
            Vote old = proto.get(id);
            proto.put(id, new Vote(k, us, Math.max(v, old == null ? 0 : old.vcpus()), 0, 0));
        }
        List<Vote> out = new ArrayList<>();
        for (Map.Entry<String, Histogram> e : hist.entrySet()) {
            long n = e.getValue().getTotalCount();
            if (n < min) continue;
            Vote p = proto.get(e.getKey());
            out.add(new Vote(p.kind(), p.userspace(), p.vcpus(), e.getValue().getValueAtPercentile(50), (double) n / (n + 100)));
        }
        return out;
    }

    private boolean identifiable(List<Vote> votes, SwitchSet prior, Switch s) {
        for (Vote v : votes) {
            for (double wake : wakes(v)) {
                double a = predict(v, prior, wake), b = predict(v, prior.flip(s), wake);
                if (Math.abs(a - b) > 0.005 * a) return true;
            }
        }
        return false;
    }

    private double error(List<Vote> votes, SwitchSet s) {
        double e = 0;
        for (Vote v : votes) {
            double best = Double.MAX_VALUE;
            for (double wake : wakes(v)) {
                double d = Math.log(v.median() / Math.max(1, predict(v, s, wake)));
                best = Math.min(best, d * d);
            }
            e += v.weight() * best;
        }
        return e;
    }

    /** An in-kernel DIAG 0x500 may or may not wake its consumer; the data decides which fits. */
    private static double[] wakes(Vote v) {
        return v.kind().isDiag(0x500) && !v.userspace() ? new double[]{0, 1} : new double[]{0};
    }

    private double predict(Vote v, SwitchSet s, double wake) {
        ExitContext c = ExitContext.of(v.kind(), v.userspace()).withVcpus(v.vcpus()).withWake(wake)
                .withInterrupt(v.kind().family() == ExitKind.Family.WAIT);
        return model.path(c, s).tracedMedian();
    }
}
