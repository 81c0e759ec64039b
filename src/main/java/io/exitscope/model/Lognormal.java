package io.exitscope.model;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Lognormal helpers: sampling a stage's cost, and the Fenton-Wilkinson approximation of the
 * median of a sum of stages (a sum of lognormals is close to lognormal with matched mean and
 * variance), used where the model states an expected percentile without simulating.
 */
public final class Lognormal {
    private Lognormal() {}

    /** One draw: median x e^(sigma x N(0,1)). */
    public static double sample(double median, double sigma, SplittableRandom rng) {
        if (sigma <= 0 || median <= 0) return Math.max(0, median);
        return median * Math.exp(sigma * gaussian(rng));
    }

    /** Standard normal (Box-Muller, one of the pair; the generator is cheap). */
    public static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        if (u1 < 1e-300) u1 = 1e-300;
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    public static double medianOfSum(List<StageCost> stages) {
        double mean = 0, var = 0;
        for (StageCost s : stages) {
            mean += s.mean();
            var += s.variance();
        }
        if (mean <= 0) return 0;
        return mean / Math.sqrt(1 + var / (mean * mean));
    }
}
