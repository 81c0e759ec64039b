package io.exitscope.testutil;

import io.exitscope.cli.Main;
import io.exitscope.event.Event;
import io.exitscope.event.EventFormat;
import io.exitscope.event.EventStream;
import io.exitscope.event.FieldFormat;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceFormatException;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.TraceSource;
import io.exitscope.view.DumpFormatter;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A bounded-time mutation fuzzer for trace readers. Each input is read completely through the
 * public API ({@link TraceFiles#open}, {@link TraceSource#info()}, every event formatted with
 * {@link DumpFormatter} and every field read, kallsyms for trace.dat) in a worker thread with a
 * timeout; every 8th input also goes through the CLI ({@code info}, {@code dump --count}).
 *
 * <p>Allowed outcomes: success, or {@link TraceFormatException} whose message names the file and
 * an offset inside it. Failures: any other exception or error (including OutOfMemoryError and
 * StackOverflowError), a hang, a CLI "internal error" or multi-line error, and an input that
 * made the reader allocate more than {@link #allocationLimit} bytes (measured per thread with
 * {@code ThreadMXBean.getThreadAllocatedBytes}) — the reader must bound its own allocations.
 *
 * <p>Deterministic: input {@code i} of a run uses {@code inputSeed = mix(masterSeed, i)}; a
 * failure prints the input seed, the seed file and the mutations, writes the input to
 * {@code target/fuzz-failures/}, and replays with {@code -Dexitscope.fuzz.replay=0x...}.
 */
public final class FuzzHarness {

    /** Per-input timeout; a reader that needs longer for a file of a few MB is hung. */
    public static final long TIMEOUT_SECONDS = 10;

    public record Failure(String key, Mutator.Input input, String message, Path saved) {}

    public static final class Report {
        public long inputs, ok, formatErrors, cliRuns;
        public double seconds;
        public long masterSeed;
        public long maxAllocated, mutateNanos, writeNanos, readNanos;
        public String maxAllocatedInput = "";
        public final Map<String, Failure> failures = new LinkedHashMap<>();
        public final Map<String, Long> errorKinds = new TreeMap<>();
        public final Map<String, long[]> perSeed = new TreeMap<>();

        public String summary(String target) {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("[fuzz %s] master seed 0x%x: %d inputs in %.1f s (%.0f/s): %d read fine, %d TraceFormatException, %d CLI runs, %d distinct failures; max allocation %d KB (%s); time: mutate %.1f s, write %.1f s, read %.1f s%n",
                    target, masterSeed, inputs, seconds, inputs / Math.max(seconds, 1e-9), ok, formatErrors, cliRuns,
                    failures.size(), maxAllocated >> 10, maxAllocatedInput, mutateNanos / 1e9, writeNanos / 1e9, readNanos / 1e9));
            for (Map.Entry<String, long[]> e : perSeed.entrySet()) {
                sb.append(String.format("  seed %-28s %7d inputs, %6.2f ms each%n", e.getKey(), e.getValue()[0], e.getValue()[1] / 1e6 / Math.max(1, e.getValue()[0])));
            }
            return sb.toString();
        }

        public String failureText() {
            StringBuilder sb = new StringBuilder();
            int i = 0;
            for (Failure f : failures.values()) {
                if (i++ >= 10) { sb.append("... and ").append(failures.size() - 10).append(" more\n"); break; }
                sb.append("FAILURE ").append(f.key).append("\n  ").append(f.input.describe())
                        .append("\n  input saved to ").append(f.saved)
                        .append("\n  replay: mvn test -Dtest=ReaderFuzzTest -Dexitscope.fuzz.replay=0x").append(Long.toHexString(f.input.inputSeed()))
                        .append("\n  ").append(f.message.replace("\n", "\n  ")).append('\n');
            }
            return sb.toString();
        }
    }

    /** What one input did. */
    record Outcome(boolean ok, TraceFormatException error, long allocated, long events, long fields) {}

    private final String target;
    private Mutator mutator;
    private final Path work;
    private final Path failureDir;
    private final String extension;
    private volatile Thread workerThread;
    private ExecutorService worker = newWorker();
    private final Map<String, Long> baseline = new LinkedHashMap<>();
    private int fileSlot;

    public FuzzHarness(String target, Mutator mutator, Path work, Path failureDir, String extension) {
        this.target = target;
        this.mutator = mutator;
        this.work = work;
        this.failureDir = failureDir;
        this.extension = extension;
    }

    private ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-worker");
            t.setDaemon(true);
            workerThread = t;
            return t;
        });
    }

    /**
     * Stops a hung worker. Interrupting does not stop a CPU-bound loop, and a runaway thread
     * would eat a core for the rest of the test run (slowing every later test), so the
     * deprecated Thread.stop is used where the JVM still has it (Java 17; gone from 20 on).
     */
    @SuppressWarnings({"removal", "deprecation"})
    private void killWorker() {
        worker.shutdownNow();
        Thread t = workerThread;
        if (t != null) {
            try {
                t.stop();
            } catch (UnsupportedOperationException e) {
                // newer JVMs: the daemon thread runs on until the JVM exits
            }
        }
    }

    static long mix(long master, long i) {
        return new SplittableRandom(master ^ (i * 0x9E3779B97F4A7C15L)).nextLong();
    }

    /** Property {@code name} as a long (decimal or 0x hex), or null. */
    public static Long longProperty(String name) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) return null;
        return Long.parseUnsignedLong(v.startsWith("0x") ? v.substring(2) : v, v.startsWith("0x") ? 16 : 10);
    }

    /**
     * The allocation bound for one input of {@code seed}: generous against what reading the
     * unmutated seed takes, plus 512 bytes per field value formatted (a mutated format with a
     * thousand fields legitimately churns through strings), far below what would threaten a
     * 1 GB heap. What it catches is the reader allocating from a size it has not checked.
     */
    long allocationLimit(Mutator.Seed seed, long fields) {
        long base = baseline.getOrDefault(seed.name(), 0L);
        return Math.max(96L << 20, 3 * base + (32L << 20)) + 512 * fields;
    }

    /**
     * Reads every seed unmutated and records what it allocates. Binary seeds must all read
     * without error (else the seeds are wrong); text seeds the text readers refuse are dropped
     * (returned, for the log) — at least one must read.
     */
    public List<String> checkSeeds() throws Exception {
        List<String> dropped = new ArrayList<>();
        List<Mutator.Seed> kept = new ArrayList<>();
        for (Mutator.Seed s : mutator.seeds()) {
            Path p = work.resolve("seed-" + s.name() + extension);
            Files.write(p, s.data());
            Outcome o = runOne(p, false);
            String problem = !o.ok ? "does not read cleanly: " + o.error.getMessage() : o.events == 0 ? "has no events" : null;
            if (problem != null && !s.text()) throw new AssertionError("seed " + s.name() + " " + problem);
            if (problem != null) {
                dropped.add(s.name() + " " + problem);
                continue;
            }
            kept.add(s);
            baseline.put(s.name(), o.allocated);
        }
        if (kept.isEmpty()) throw new AssertionError("no seed reads cleanly: " + dropped);
        if (!dropped.isEmpty()) mutator = new Mutator(kept);
        return dropped;
    }

    public Map<String, Long> baselines() {
        return baseline;
    }

    /**
     * Fuzzes {@code inputs} inputs when it is positive, else for {@code seconds} (or replays one
     * input when {@code replay} is set). A count gives the same inputs, hence the same verdict, on
     * a fast machine and a slow one; a time budget is for exploring campaigns.
     */
    public Report run(long inputs, double seconds, long masterSeed, Long replay) throws Exception {
        Report rep = new Report();
        rep.masterSeed = masterSeed;
        long t0 = System.nanoTime();
        long deadline = t0 + (long) (seconds * 1e9);
        for (long i = 0; replay != null ? i < 1 : inputs > 0 ? i < inputs : System.nanoTime() < deadline; i++) {
            long inputSeed = replay != null ? replay : mix(masterSeed, i);
            long m0 = System.nanoTime();
            Mutator.Input in = mutator.mutate(inputSeed);
            rep.mutateNanos += System.nanoTime() - m0;
            String ext = extension + (in.gzip() ? ".gz" : "");
            Path p = work.resolve("input-" + fileSlot + ext);
            long w0 = System.nanoTime();
            Files.write(p, in.data());
            boolean cli = (inputSeed & 7) == 0;
            long s0 = System.nanoTime();
            rep.writeNanos += s0 - w0;
            String failure = null;
            String key = null;
            try {
                Outcome o = runOne(p, cli);
                if (cli) rep.cliRuns++;
                if (o.ok) rep.ok++;
                else {
                    rep.formatErrors++;
                    String problem = o.error.problem().replaceAll("[0-9]+", "N");
                    rep.errorKinds.merge(problem.length() > 70 ? problem.substring(0, 70) : problem, 1L, Long::sum);
                    String err = checkError(o.error, p, in.data().length, in.gzip());
                    if (err != null) {
                        failure = err;
                        String pr = o.error.problem().replaceAll("[0-9]+", "N");
                        key = "bad error message (" + err.substring(0, err.indexOf(':')) + "): " + pr.substring(0, Math.min(30, pr.length()));
                    }
                }
                if (o.allocated > rep.maxAllocated) {
                    rep.maxAllocated = o.allocated;
                    rep.maxAllocatedInput = in.seed().name() + " 0x" + Long.toHexString(inputSeed);
                }
                long limit = allocationLimit(in.seed(), o.fields);
                if (failure == null && o.allocated > limit) {
                    failure = "reading allocated " + (o.allocated >> 20) + " MB (limit " + (limit >> 20) + " MB for this seed)"
                            + (o.error != null ? "; ended with: " + o.error.getMessage() : "");
                    key = "allocation " + (o.error != null ? o.error.problem().replaceAll("[0-9]+", "N") : "(read fine)");
                }
            } catch (TimeoutException e) {
                failure = "hang: no result after " + TIMEOUT_SECONDS + " s\n" + stackOf(e);
                key = "hang " + in.seed().name();
                killWorker();
                worker = newWorker();
                fileSlot++;
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                failure = stackOf(c);
                key = c.getClass().getSimpleName() + " at " + firstOwnFrame(c);
            }
            long dt = System.nanoTime() - s0;
            rep.readNanos += dt;
            long[] ps = rep.perSeed.computeIfAbsent(in.seed().name(), k -> new long[2]);
            ps[0]++;
            ps[1] += dt;
            rep.inputs++;
            if (failure != null && !rep.failures.containsKey(key)) {
                Files.createDirectories(failureDir);
                Path saved = failureDir.resolve(target + "-" + in.seed().name() + "-0x" + Long.toHexString(inputSeed) + ext);
                Files.write(saved, in.data());
                Files.writeString(failureDir.resolve(saved.getFileName() + ".failure"), key + "\n" + in.describe() + "\n" + failure + "\n");
                rep.failures.put(key, new Failure(key, in, failure, saved));
            }
        }
        rep.seconds = (System.nanoTime() - t0) / 1e9;
        return rep;
    }

    /**
     * A TraceFormatException must name this file and an offset inside it (of the decompressed
     * text for a gzipped input), on one line without control characters.
     */
    static String checkError(TraceFormatException e, Path p, long size, boolean gzip) {
        String m = e.getMessage();
        if (!m.startsWith(p.toString() + ": at byte ")) return "no path and offset: " + m;
        if (e.offset() < 0 || !gzip && e.offset() > size) return "offset outside the file: " + e.offset() + " (" + size + " bytes): " + m;
        if (m.chars().anyMatch(c -> c < 0x20 && c != '\t')) return "control characters in the message (a second line on the terminal): " + m;
        return null;
    }

    static String stackOf(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        String s = sw.toString();
        return s.length() > 4000 ? s.substring(0, 4000) + "..." : s;
    }

    static String firstOwnFrame(Throwable t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("io.exitscope") && !e.getClassName().startsWith("io.exitscope.testutil")) {
                return e.getClassName().replace("io.exitscope.", "") + "." + e.getMethodName() + ":" + e.getLineNumber();
            }
        }
        return t.getStackTrace().length > 0 ? t.getStackTrace()[0].toString() : "?";
    }

    private Outcome runOne(Path p, boolean cli) throws Exception {
        Future<Outcome> f = worker.submit(() -> exercise(p, cli));
        try {
            return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw e;
        }
    }

    private static long allocated() {
        java.lang.management.ThreadMXBean b = ManagementFactory.getThreadMXBean();
        if (b instanceof com.sun.management.ThreadMXBean sb) return sb.getThreadAllocatedBytes(Thread.currentThread().getId());
        return 0;
    }

    /** Reads everything the public API offers; TraceFormatException is the allowed failure. */
    static Outcome exercise(Path p, boolean cli) throws Exception {
        long a0 = allocated();
        long events = 0;
        long[] fields = new long[1];
        TraceFormatException error = null;
        try {
            events = readAll(p, fields);
        } catch (TraceFormatException e) {
            error = e;
        }
        long a1 = allocated();
        if (cli) {
            for (String[] args : new String[][]{{"info", p.toString()}, {"dump", "--count", p.toString()}}) {
                StringWriter out = new StringWriter(), err = new StringWriter();
                int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
                String e = err.toString();
                if (code != 0 && code != Main.EXIT_BAD_INPUT) throw new AssertionError("exitscope " + String.join(" ", args) + " exited " + code + ": " + e);
                if (code == Main.EXIT_BAD_INPUT && (e.lines().count() != 1 || e.contains("internal error") || e.contains("Exception"))) {
                    throw new AssertionError("exitscope " + String.join(" ", args) + ": bad error output: " + e);
                }
            }
        }
        return new Outcome(error == null, error, a1 - a0, events, fields[0]);
    }

    static long readAll(Path p, long[] fieldCount) throws IOException {
        long n = 0;
        try (TraceSource src = TraceFiles.open(p, InputFormat.AUTO)) {
            TraceInfo info = src.info();
            info.toString();
            DumpFormatter fmt = new DumpFormatter(info.nanosecondClock(), info.details().layout() == null ? 0 : info.details().layout().kernelLongSize());
            try (EventStream s = src.events()) {
                while (s.advance()) {
                    Event e = s.current();
                    fmt.format(e);
                    EventFormat f = e.format();
                    if (f != null) {
                        for (FieldFormat field : f.fields) {
                            if (!e.has(field)) continue;
                            if (field.isArray()) {
                                e.getBytes(field);
                                e.getString(field);
                            } else {
                                e.getLong(field);
                            }
                        }
                        if ((n & 63) == 0) e.copy().toString();
                    }
                    e.comm();
                    n++;
                    if (f != null) fieldCount[0] += f.fields.size();
                }
                s.position();
                s.damagedLines();
            }
            src.kvmBuild();
            src.recordsUserspaceExits();
        }
        return n;
    }

    /** Text of an input for messages about text traces. */
    public static String preview(byte[] d) {
        String s = new String(d, 0, Math.min(d.length, 200), StandardCharsets.ISO_8859_1);
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }

    public static List<String> lines(Report r) {
        return new ArrayList<>(r.failures.keySet());
    }
}
