package io.exitscope.source;

import io.exitscope.testutil.FuzzHarness;
import io.exitscope.testutil.FuzzSeeds;
import io.exitscope.testutil.Mutator;
import io.exitscope.testutil.SharedTraces;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutation fuzzing of the trace readers, in the normal test run, for
 * {@code -Dexitscope.fuzz.inputs} inputs per target (pom: about 20 s each here), or, when that is 0,
 * for {@code -Dexitscope.fuzz.seconds}. See {@link FuzzHarness} for what is checked. Properties:
 * {@code exitscope.fuzz.seed} (master seed; default {@link #FIXED_SEED} so the normal test run and CI
 * run the same inputs and give the same verdict, {@code random} for an exploring campaign; always printed),
 * {@code exitscope.fuzz.replay} (run one input seed from a failure message),
 * {@code exitscope.fuzz.realFiles=false} (only the small seeds), {@code exitscope.fuzz.text=false}
 * (skip the text target).
 *
 * <p>Exploring campaign (new inputs each run; a failure names the seed to replay):
 * {@code mvn test -Dtest=ReaderFuzzTest -Dexitscope.fuzz.inputs=0 -Dexitscope.fuzz.seconds=300 -Dexitscope.fuzz.seed=random}.
 * Every failure a campaign finds becomes a named regression test (BadInputTest, the text reader
 * tests), so the fixed run keeps what the random runs learned.
 */
class ReaderFuzzTest {

    /**
     * The normal run's master seed. A random default found a real bug in CI once, and failed a
     * submission for a change that had nothing to do with the readers: exploring belongs in
     * campaigns, the test run has to give the same verdict on the same code.
     */
    static final long FIXED_SEED = 0x6578_6974_7363_6f70L; // "exitscop"

    /** Inputs per target; 0 = run for {@link #seconds()} instead. */
    static long inputs() {
        return Long.parseLong(System.getProperty("exitscope.fuzz.inputs", "0"));
    }

    static double seconds() {
        return Double.parseDouble(System.getProperty("exitscope.fuzz.seconds", "20"));
    }

    static long masterSeed() {
        if ("random".equals(System.getProperty("exitscope.fuzz.seed"))) return new SplittableRandom().nextLong();
        Long s = FuzzHarness.longProperty("exitscope.fuzz.seed");
        return s != null ? s : FIXED_SEED;
    }

    static void fuzz(String target, List<Mutator.Seed> seeds, Path work, String ext) throws Exception {
        fuzz(target, seeds, work, ext, 1);
    }

    /** {@code share}: this target runs inputs()/share inputs (or seconds()/share). */
    static void fuzz(String target, List<Mutator.Seed> seeds, Path work, String ext, int share) throws Exception {
        FuzzHarness h = new FuzzHarness(target, new Mutator(seeds), work, Path.of("target", "fuzz-failures"), ext);
        for (String d : h.checkSeeds()) System.out.println("[fuzz " + target + "] seed dropped: " + d);
        long seed = masterSeed();
        Long replay = FuzzHarness.longProperty("exitscope.fuzz.replay");
        System.out.printf("[fuzz %s] master seed 0x%x (rerun with -Dexitscope.fuzz.seed=0x%x), %s, %d seeds%n",
                target, seed, seed, inputs() > 0 ? inputs() + " inputs" : String.format("%.0f s", seconds()), seeds.size());
        FuzzHarness.Report r = h.run(inputs() / share, seconds() / share, seed, replay);
        System.out.print(r.summary(target));
        assertTrue(r.failures.isEmpty(), () -> r.summary(target) + r.failureText());
        if (replay == null) assertTrue(r.inputs > 0, "no input was run");
    }

    @Test
    void traceDat(@TempDir Path work) throws Exception {
        Assumptions.assumeTrue(FuzzSeeds.available(), "real traces not present in " + SharedTraces.ROOT + ": no trace.dat seeds");
        boolean real = !"false".equals(System.getProperty("exitscope.fuzz.realFiles"));
        fuzz("tracedat", FuzzSeeds.traceDat(work, real), work, ".dat");
    }

    /** The perf.data reader (file layout with rounds, -z, pipe layout). */
    @Test
    void perfData(@TempDir Path work) throws Exception {
        Assumptions.assumeTrue(FuzzSeeds.perfDataAvailable(), "shared perf.data files not present in " + SharedTraces.ROOT + ": no perf.data seeds");
        // a fortieth of the others' share: every input runs the whole file through the CLI (27 ms each here)
        fuzz("perfdata", FuzzSeeds.perfData(work), work, ".perf.data", 40);
    }

    /** The text readers (ftrace, trace-cmd report, perf script; plain or gzipped). */
    @Test
    void text(@TempDir Path work) throws Exception {
        Assumptions.assumeFalse("false".equals(System.getProperty("exitscope.fuzz.text")), "text fuzzing switched off with -Dexitscope.fuzz.text=false");
        Assumptions.assumeTrue(FuzzSeeds.textAvailable(), "real text traces not present in " + SharedTraces.ROOT + ": no text seeds");
        fuzz("text", FuzzSeeds.text(), work, ".txt");
    }
}
