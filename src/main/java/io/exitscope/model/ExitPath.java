package io.exitscope.model;

import io.exitscope.exit.ExitClass;

import java.util.ArrayList;
import java.util.List;

/**
 * One exit as a sequence of stages in execution order, under one switch set. The traced stages
 * sum to the exit latency a trace shows; all stages sum to the round trip the guest sees.
 */
public record ExitPath(ExitKind kind, boolean toUserspace, List<StageCost> stages) {

    public ExitPath {
        stages = List.copyOf(stages);
    }

    public ExitClass exitClass() {
        return toUserspace ? ExitClass.USERSPACE : ExitClass.KERNEL;
    }

    public List<StageCost> traced() {
        return at(Position.TRACED);
    }

    public List<StageCost> hidden() {
        List<StageCost> out = new ArrayList<>(at(Position.EXIT_TRANSIT));
        out.addAll(at(Position.ENTRY_TRANSIT));
        return out;
    }

    public List<StageCost> at(Position p) {
        List<StageCost> out = new ArrayList<>();
        for (StageCost s : stages) if (s.at() == p) out.add(s);
        return out;
    }

    public StageCost stage(Stage id) {
        for (StageCost s : stages) if (s.stage() == id) return s;
        return null;
    }

    public boolean has(Stage id) {
        return stage(id) != null;
    }

    public double tracedMean() {
        return mean(traced());
    }

    public double hiddenMean() {
        return mean(hidden());
    }

    public double roundTripMean() {
        return mean(stages);
    }

    /** Median exit latency (what a trace's p50 approximates). */
    public double tracedMedian() {
        return Lognormal.medianOfSum(traced());
    }

    /** Median of the hidden part, as a whole. */
    public double hiddenMedian() {
        return Lognormal.medianOfSum(hidden());
    }

    /** Median round trip: the guest's view of one exit. */
    public double roundTripMedian() {
        return Lognormal.medianOfSum(stages);
    }

    static double mean(List<StageCost> l) {
        double s = 0;
        for (StageCost c : l) s += c.mean();
        return s;
    }
}
