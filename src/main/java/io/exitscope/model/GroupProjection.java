package io.exitscope.model;

import io.exitscope.exit.ExitClass;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Re-times the exits of one fine group (one reason, subkey, class, vCPU, VM) under a target
 * switch set. The base class is the identity: exits the model knows nothing about keep their
 * measured latency.
 */
class GroupProjection {
    /** Per stage: {measured ns, projected ns} summed over the exits projected so far. */
    final Map<Stage, double[]> stageSums = new EnumMap<>(Stage.class);
    private final ExitClass measuredClass;

    GroupProjection(ExitClass measuredClass) {
        this.measuredClass = measuredClass;
    }

    /** The projected latency of one exit that took {@code latencyNs}. */
    double project(double latencyNs, SplittableRandom rng) {
        return latencyNs;
    }

    ExitClass projectedClass() {
        return measuredClass;
    }

    /** Expected ns outside the traced interval under the recorded set (0 when not modelled). */
    double measuredHiddenNs() {
        return 0;
    }

    /** Expected ns outside the traced interval under the target set. */
    double projectedHiddenNs() {
        return 0;
    }

    /** Whether every exit keeps its latency under the target (then the caller may skip {@link #project}). */
    boolean identity() {
        return true;
    }

    /** For an identity projection: records the stage breakdown of {@code count} exits of {@code latencyNs}. */
    void explainUnchanged(double latencyNs, long count) {
    }

    /** Whether the model re-times these exits (false: identity). */
    boolean modelled() {
        return false;
    }

    void addStage(Stage s, double measured, double projected) {
        double[] a = stageSums.computeIfAbsent(s, k -> new double[2]);
        a[0] += measured;
        a[1] += projected;
    }
}
