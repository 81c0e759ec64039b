package io.exitscope.model;

import io.exitscope.exit.ExitClass;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Stage-by-stage projection of s390 exits. A measured exit latency is the sum of its path's traced
 * stages under the recorded switch set. Stages the target path has unchanged are kept: their part
 * of the measured latency is its conditional expectation given the measured total (each stage
 * takes a share of the deviation from the expected total in proportion to its variance), plus the
 * conditional spread, so the kept part has the measured exit's information and the right spread.
 * Stages the target adds or changes are drawn from their distributions; stages it drops go.
 * A projection onto the recorded set itself returns every exit unchanged.
 *
 * <p>Stages that happen only sometimes (the I/O bus binary search after a stale cookie; the
 * eventfd waking a sleeping consumer, whose odds depend on the workload) are resolved per exit
 * first: each exit takes one variant with the probability that variant explains its latency.
 */
final class S390GroupProjection extends GroupProjection {
    private final List<Variant> variants = new ArrayList<>();
    private final ExitClass targetClass;
    private final boolean same;

    /** One resolution of the optional stages: the recorded and the target path with them present or absent. */
    private static final class Variant {
        final ExitPath a, b;
        final double prior;
        final StageCost[] aTraced;
        final boolean[] kept;
        final StageCost[] added;        // target stages to draw
        final double mean, var, keptMean, keptVar, removedVar, lnMu, lnSigma;
        final int absorbing;

        Variant(ExitPath a, ExitPath b, double prior) {
            this.a = a;
            this.b = b;
            this.prior = prior;
            this.aTraced = a.traced().toArray(new StageCost[0]);
            this.kept = new boolean[aTraced.length];
            List<StageCost> bTraced = b.traced();
            List<StageCost> add = new ArrayList<>(bTraced);
            double m = 0, v = 0, km = 0, kv = 0, rv = 0;
            int abs = -1;
            for (int i = 0; i < aTraced.length; i++) {
                StageCost s = aTraced[i];
                kept[i] = bTraced.contains(s);
                if (kept[i]) add.remove(s);
                if (s.absorbs()) {
                    abs = i;
                    continue;
                }
                m += s.mean();
                v += s.variance();
                if (kept[i]) {
                    km += s.mean();
                    kv += s.variance();
                } else {
                    rv += s.variance();
                }
            }
            this.added = add.toArray(new StageCost[0]);
            this.absorbing = abs;
            this.mean = m;
            this.var = v;
            this.keptMean = km;
            this.keptVar = kv;
            this.removedVar = rv;
            double s2 = m > 0 ? Math.log(1 + v / (m * m)) : 0;
            this.lnSigma = Math.sqrt(s2);
            this.lnMu = m > 0 ? Math.log(m) - s2 / 2 : 0;
        }

        /** Prior times the lognormal (Fenton-Wilkinson) density of the traced sum at {@code latency}. */
        double weight(double latency) {
            if (absorbing >= 0 || lnSigma <= 0) return prior;
            double z = (Math.log(Math.max(1, latency)) - lnMu) / lnSigma;
            return prior * Math.exp(-z * z / 2) / lnSigma;
        }
    }

    S390GroupProjection(ExitPathModel model, ExitKind kind, ExitClass measuredClass, int vcpus, SwitchSet recorded,
                        SwitchSet target, double wakeProbability) {
        super(measuredClass);
        boolean usA = measuredClass == ExitClass.USERSPACE;
        boolean usB = ExitPathModel.toUserspace(kind, usA, target);
        ExitContext ca = ExitContext.of(kind, usA).withVcpus(vcpus).withInterrupt(kind.family() == ExitKind.Family.WAIT);
        // recorded in the kernel, a DIAG 0x500 may or may not have woken its consumer: the data decides;
        // newly in the kernel, it wakes one as often as the config says
        ExitContext cb = ca.withUserspace(usB).withWake(usA ? wakeProbability : 0.5);
        ExitPath a = model.path(ca.withWake(0.5), recorded);
        ExitPath b = model.path(cb, target);
        this.targetClass = usB ? ExitClass.USERSPACE : ExitClass.KERNEL;
        resolve(a, b, 0, 1.0);
        this.same = a.traced().equals(b.traced());   // hidden-only changes leave every exit latency as it is
    }

    /** Expands every optional traced stage of the recorded path into present/absent variants. */
    private void resolve(ExitPath a, ExitPath b, int from, double prior) {
        List<StageCost> st = a.stages();
        for (int i = from; i < st.size(); i++) {
            StageCost s = st.get(i);
            if (!s.optional() || !s.traced()) continue;
            StageCost present = s.withProbability(1);
            StageCost inB = b.stage(s.stage());
            boolean shared = s.equals(inB);
            resolve(replace(a, s, present), shared ? replace(b, s, present) : b, i + 1, prior * s.probability());
            resolve(replace(a, s, null), shared ? replace(b, s, null) : b, i, prior * (1 - s.probability()));
            return;
        }
        if (prior > 0) variants.add(new Variant(a, b, prior));
    }

    private static ExitPath replace(ExitPath p, StageCost old, StageCost with) {
        List<StageCost> l = new ArrayList<>(p.stages());
        int i = l.indexOf(old);
        if (with == null) l.remove(i); else l.set(i, with);
        return new ExitPath(p.kind(), p.toUserspace(), l);
    }

    @Override
    boolean modelled() {
        return true;
    }

    @Override
    ExitClass projectedClass() {
        return targetClass;
    }

    @Override
    double measuredHiddenNs() {
        return variants.get(0).a.hiddenMean();
    }

    @Override
    double projectedHiddenNs() {
        return variants.get(0).b.hiddenMean();
    }

    @Override
    boolean identity() {
        return same;
    }

    @Override
    void explainUnchanged(double latency, long count) {
        Variant best = variants.get(0);
        for (Variant v : variants) if (v.weight(latency) > best.weight(latency)) best = v;
        double[] alloc = explain(best, latency);
        for (int i = 0; i < alloc.length; i++) addStage(best.aTraced[i].stage(), alloc[i] * count, alloc[i] * count);
    }

    @Override
    double project(double latency, SplittableRandom rng) {
        Variant v = pick(latency, rng);
        double[] alloc = explain(v, latency);
        if (same) {
            for (int i = 0; i < alloc.length; i++) addStage(v.aTraced[i].stage(), alloc[i], alloc[i]);
            return latency;
        }
        double kept = 0;
        for (int i = 0; i < alloc.length; i++) if (v.kept[i]) kept += alloc[i];
        if (v.absorbing < 0 && v.var > 0 && v.removedVar > 0) {
            // the kept stages' spread that the dropped stages' share of the deviation took away
            kept += Lognormal.gaussian(rng) * Math.sqrt(v.keptVar * v.removedVar / v.var);
            kept = Math.max(0.2 * v.keptMean, kept);
        }
        double out = kept;
        for (StageCost s : v.added) {
            double x = s.probability() >= 1 || rng.nextDouble() < s.probability() ? Lognormal.sample(s.medianNs(), s.spread(), rng) : 0;
            out += x;
            addStage(s.stage(), 0, x);
        }
        for (int i = 0; i < alloc.length; i++) addStage(v.aTraced[i].stage(), alloc[i], v.kept[i] ? alloc[i] : 0);
        return out;
    }

    /** Each traced stage's expected share of a measured latency (a wait's idle takes the rest). */
    private static double[] explain(Variant v, double latency) {
        double[] alloc = new double[v.aTraced.length];
        if (v.absorbing >= 0) {
            double scale = v.mean > latency && v.mean > 0 ? latency / v.mean : 1;
            double used = 0;
            for (int i = 0; i < alloc.length; i++) {
                if (i == v.absorbing) continue;
                alloc[i] = v.aTraced[i].mean() * scale;
                used += alloc[i];
            }
            alloc[v.absorbing] = Math.max(0, latency - used);
            return alloc;
        }
        double dev = latency - v.mean;
        for (int i = 0; i < alloc.length; i++) {
            StageCost s = v.aTraced[i];
            alloc[i] = s.mean() + (v.var > 0 ? dev * s.variance() / v.var : dev / alloc.length);
        }
        return alloc;
    }

    private Variant pick(double latency, SplittableRandom rng) {
        if (variants.size() == 1) return variants.get(0);
        double[] w = new double[variants.size()];
        double total = 0;
        for (int i = 0; i < w.length; i++) total += w[i] = variants.get(i).weight(latency);
        if (!(total > 0)) return variants.get(0);
        double x = rng.nextDouble() * total;
        for (int i = 0; i < w.length; i++) if ((x -= w[i]) <= 0) return variants.get(i);
        return variants.get(w.length - 1);
    }

    /** Adds the hidden stages' expected cost for {@code n} exits, and every stage's class and position. */
    void hiddenStages(Map<Stage, double[]> sums, long n, Map<Stage, StageCost> info) {
        Variant v = variants.get(0);
        for (StageCost s : v.a.hidden()) sums.computeIfAbsent(s.stage(), k -> new double[2])[0] += s.mean() * n;
        for (StageCost s : v.b.hidden()) sums.computeIfAbsent(s.stage(), k -> new double[2])[1] += s.mean() * n;
        for (Variant x : variants) {
            for (StageCost s : x.a.stages()) info.putIfAbsent(s.stage(), s);
            for (StageCost s : x.b.stages()) info.putIfAbsent(s.stage(), s);
        }
    }
}
