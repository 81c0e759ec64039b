package io.exitscope.model;

import io.exitscope.exit.ExitClass;

/**
 * One stage of one exit path with its cost distribution: lognormal with median {@code medianNs}
 * and sigma {@code spread}, happening with {@code probability} on a given exit.
 *
 * @param absorbs the stage takes whatever an observed latency leaves over (a wait's idle time),
 *                instead of a share in proportion to its cost
 */
public record StageCost(Stage stage, double medianNs, double spread, double probability, ExitClass exitClass,
                        Position at, boolean absorbs) {

    // equals and hashCode written out (the record's, doubles by Double.compare): the generated ones
    // link through method handles at first use, 19 classes spun in every model run on Java 17.
    @Override
    public boolean equals(Object o) {
        return o instanceof StageCost c && stage == c.stage && Double.compare(medianNs, c.medianNs) == 0
                && Double.compare(spread, c.spread) == 0 && Double.compare(probability, c.probability) == 0
                && exitClass == c.exitClass && at == c.at && absorbs == c.absorbs;
    }

    @Override
    public int hashCode() {
        int h = java.util.Objects.hashCode(stage);
        h = 31 * h + Double.hashCode(medianNs);
        h = 31 * h + Double.hashCode(spread);
        h = 31 * h + Double.hashCode(probability);
        h = 31 * h + java.util.Objects.hashCode(exitClass);
        h = 31 * h + java.util.Objects.hashCode(at);
        return 31 * h + Boolean.hashCode(absorbs);
    }

    /** Expected ns when it happens. */
    public double meanIfPresent() {
        return medianNs * Math.exp(spread * spread / 2);
    }

    /** Expected ns per exit (probability included). */
    public double mean() {
        return probability * meanIfPresent();
    }

    /** Variance per exit (a Bernoulli mixture of a lognormal). */
    public double variance() {
        double m2 = medianNs * medianNs * Math.exp(2 * spread * spread);
        double m = meanIfPresent();
        return probability * m2 - probability * probability * m * m;
    }

    public boolean traced() {
        return at == Position.TRACED;
    }

    public boolean optional() {
        return probability < 1;
    }

    StageCost withProbability(double p) {
        return new StageCost(stage, medianNs, spread, p, exitClass, at, absorbs);
    }

    StageCost withMedian(double ns) {
        return new StageCost(stage, ns, spread, probability, exitClass, at, absorbs);
    }
}
