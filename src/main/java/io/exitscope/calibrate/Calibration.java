package io.exitscope.calibrate;

import io.exitscope.event.Event;
import io.exitscope.event.EventFormat;
import io.exitscope.event.FieldFormat;
import io.exitscope.exit.ExitAssembler;
import io.exitscope.exit.ExitClass;
import io.exitscope.exit.ExitRecord;
import io.exitscope.exit.decode.KvmTables;
import io.exitscope.source.live.HostFacts;
import io.exitscope.source.live.LivePump;
import io.exitscope.source.live.LiveSource;
import io.exitscope.source.live.Tracefs;
import io.exitscope.source.live.TracefsInstance;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code exitscope calibrate}: for each exit kind, trace the KVM exerciser live (a private tracefs
 * instance filtered to the exerciser's pid, started before the exerciser runs its first guest
 * instruction), then set what the trace shows next to the exerciser's own exact counts.
 */
public final class Calibration {

    /** Calibration cannot run here; the message is one sentence for the user. */
    public static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        public RefusedException(String message) {
            super(message);
        }
    }

    /**
     * @param seconds    exerciser run time per kind (ignored when iterations > 0)
     * @param iterations guest loop passes per kind (0: use seconds)
     * @param cpu        CPU to pin the exerciser to (-1: not pinned)
     * @param bufferKb   ring buffer per CPU of the tracing instance
     */
    public record Options(List<Kind> kinds, double seconds, long iterations, int cpu, int bufferKb, long slackNs) {}

    private final Path exerciser;
    private final Options opt;
    private final PrintWriter log;

    private Calibration(Path exerciser, Options opt, PrintWriter log) {
        this.exerciser = exerciser;
        this.opt = opt;
        this.log = log;
    }

    /**
     * Checks that calibration can run (exerciser built, /dev/kvm usable, tracefs and privileges)
     * without touching tracing state beyond a probe of the exerciser.
     */
    public static Calibration prepare(Options opt, PrintWriter log) throws RefusedException {
        Exerciser.Found f = Exerciser.find();
        if (!f.found()) {
            throw new RefusedException("the KVM exerciser is not built (looked for " + join(f.searched()) + "); " + Exerciser.HOW_TO_BUILD);
        }
        HostFacts.Fact kvm = HostFacts.devKvm();
        if (!kvm.known()) throw new RefusedException("calibrate needs a usable /dev/kvm: " + kvm.problem());
        // a one-pass probe: the exerciser says in one sentence (exit 2) when KVM cannot run a guest here
        try {
            Process p = new ProcessBuilder(f.path().toString(), "--mode", "pio", "--iterations", "1").start();
            byte[] err = p.getErrorStream().readAllBytes();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RefusedException("the KVM exerciser did not finish a one-pass probe within 30 s (" + f.path() + ")");
            }
            if (p.exitValue() != 0) {
                String msg = new String(err, java.nio.charset.StandardCharsets.UTF_8).strip().lines().reduce((a, b) -> b).orElse("");
                if (msg.startsWith("kvm-exerciser: ")) msg = msg.substring("kvm-exerciser: ".length());
                throw new RefusedException(p.exitValue() == 2 ? "/dev/kvm is not usable: " + msg
                        : "the KVM exerciser failed a one-pass probe (exit " + p.exitValue() + "): " + msg);
            }
        } catch (IOException e) {
            throw new RefusedException("cannot run the KVM exerciser " + f.path() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RefusedException("interrupted");
        }
        return new Calibration(f.path(), opt, log);
    }

    private static String join(List<Path> ps) {
        List<String> s = new ArrayList<>();
        for (Path p : ps) s.add(p.toString());
        return s.isEmpty() ? "nowhere: set EXITSCOPE_HOME or -Dexitscope.native.dir" : String.join(", ", s);
    }

    public Path exerciser() {
        return exerciser;
    }

    /** Runs every kind in order; the ioeventfd A/B is attached to the pio-ioeventfd result when mixed ran too. */
    public List<KindResult> run(java.util.function.Consumer<KindResult> each) throws IOException, RefusedException {
        List<KindResult> out = new ArrayList<>();
        KindResult mixed = null;
        List<Kind> order = new ArrayList<>(opt.kinds());
        // the A side first, so the B side can carry the comparison
        if (order.contains(Kind.MIXED) && order.contains(Kind.PIO_IOEVENTFD) && order.indexOf(Kind.MIXED) > order.indexOf(Kind.PIO_IOEVENTFD)) {
            order.remove(Kind.MIXED);
            order.add(order.indexOf(Kind.PIO_IOEVENTFD), Kind.MIXED);
        }
        for (Kind k : order) {
            KindResult r = runKind(k);
            if (k == Kind.MIXED) mixed = r;
            if (k == Kind.PIO_IOEVENTFD && mixed != null) r = withAb(r, mixed);
            out.add(r);
            if (each != null) each.accept(r);
        }
        return out;
    }

    static KindResult withAb(KindResult b, KindResult a) {
        int port = Kind.PORT;
        double secA = a.ex().elapsedNs() / 1e9, secB = b.ex().elapsedNs() / 1e9;
        double nA = secA > 0 ? a.ex().guestWrites(port) / secA : 0, nB = secB > 0 ? b.ex().guestWrites(port) / secB : 0;
        int ratio = Math.max(1, b.ex().ratio());
        double passA = a.ex().iterations() > 0 ? (double) a.ex().elapsedNs() / a.ex().iterations() : 0;
        double passB = b.ex().iterations() > 0 ? (double) b.ex().elapsedNs() / b.ex().iterations() : 0;
        double u = passA / (Math.max(1, a.ex().ratio()) + 1);
        double k = (passB - u) / ratio;
        KindResult.AB ab = new KindResult.AB(port, nA, nB, a.userspaceShare(), b.userspaceShare(),
                a.measured() > 0 ? a.p50Ns() : 0, u, k > 0 ? k : Double.NaN, passA, passB);
        return new KindResult(b.kind(), b.exerciserArgs(), b.ex(), b.exits(), b.expectedExits(), b.classCounts(), b.measure(),
                b.measured(), b.p50Ns(), b.p99Ns(), b.maxNs(), b.meanUserspaceNs(), b.allExits(), b.incompleteExits(),
                b.userspaceExits(), b.interruptedExits(), b.events(), b.lostEvents(), b.spanNs(), b.clock(), b.groups(), ab);
    }

    /** One kind: exerciser started stopped, tracing filtered to its pid, exerciser resumed, drained, compared. */
    public KindResult runKind(Kind kind) throws IOException, RefusedException {
        List<String> args = kind.args(opt.seconds(), opt.iterations(), opt.cpu());
        try (ExerciserRun run = ExerciserRun.startStopped(exerciser, args)) {
            int tid = (int) run.pid();
            LiveSource src;
            try {
                src = LiveSource.start(new TracefsInstance.Config(opt.bufferKb(), List.of(tid), TracefsInstance.KVM_EVENTS), opt.slackNs(), log);
            } catch (Tracefs.UnavailableException e) {
                throw new RefusedException(e.getMessage());
            }
            Collector c = new Collector(kind, tid, src.recordsUserspaceExits());
            try (src) {
                LiveSource.LiveStream s = src.events();
                run.resume();
                long limit = opt.iterations() > 0 ? 120_000_000_000L : (long) (opt.seconds() * 1e9) + 30_000_000_000L;
                long hardDeadline = System.nanoTime() + limit;
                LivePump pump = new LivePump(src, Long.MAX_VALUE, Long.MAX_VALUE, 50_000_000L);
                boolean[] interrupted = {false};
                pump.run(s, new LivePump.Handler() {
                    @Override
                    public void event(Event e) {
                        c.accept(e);
                    }

                    @Override
                    public void check(long now) {
                        if (pump.stopping()) return;
                        if (!run.isAlive()) {
                            // every event of the exerciser is in the ring buffer: stop and drain
                            pump.stopTracing();
                        } else if (!interrupted[0] && now - hardDeadline > 0) {
                            log.println("exitscope: the exerciser (" + kind.label + ") runs too long; interrupting it");
                            run.interrupt();
                            interrupted[0] = true;
                        }
                    }
                });
                c.finish();
            }
            int code;
            try {
                code = run.waitFor(30_000_000_000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            if (code == 2) throw new RefusedException("/dev/kvm is not usable: " + run.stderrText());
            ExerciserRun.Result ex = run.result();
            if (code != 0) throw new IOException("the exerciser failed (" + kind.label + ", exit " + code + "): " + run.stderrText());
            return c.result(args, ex, src.instance().enabledEvents(), src.instance().clock());
        }
    }

    /** Consumes the live events of the exerciser's thread. */
    static final class Collector {
        private final Kind kind;
        private final int tid;
        private final ExitAssembler asm;
        private final ExitStats stats = new ExitStats();
        private final Histogram latency = ExitStats.newHistogram();
        private final Map<ExitClass, Long> classCounts = new EnumMap<>(ExitClass.class);
        private final Map<String, Long> eventCounts = new LinkedHashMap<>();
        private final Map<EventFormat, Fields> fields = new java.util.IdentityHashMap<>();
        private String measure;
        private long targetEvents, userspaceExits, lost, other, usMeasured, usTotal, interrupted;
        private long firstTs = Long.MIN_VALUE, lastTs;
        private EventFormat lastFormat;
        private Fields lastFields;

        /** Per format: its counter slot and the fields the target needs. */
        private static final class Fields {
            final String name;
            final FieldFormat a, b;
            long count;

            Fields(EventFormat f) {
                name = f.name;
                switch (f.name) {
                    case "kvm_pio" -> { a = f.field("rw"); b = f.field("port"); }
                    case "kvm_mmio" -> { a = f.field("type"); b = f.field("gpa"); }
                    case "kvm_userspace_exit" -> { a = f.field("reason"); b = f.field("errno"); }
                    default -> { a = null; b = null; }
                }
            }
        }

        Collector(Kind kind, int tid, boolean userspaceExitsRecorded) {
            this.kind = kind;
            this.tid = tid;
            this.asm = new ExitAssembler(this::onExit, io.exitscope.exit.VmName::of, userspaceExitsRecorded);
        }

        void accept(Event e) {
            if (e.kind() == Event.Kind.LOST) {
                if (e.lostCount() > 0) lost += e.lostCount();
                asm.accept(e);
                return;
            }
            if (e.pid() != tid) {
                other++;
                return;
            }
            asm.accept(e);
            long ts = e.timestamp();
            if (firstTs == Long.MIN_VALUE) firstTs = ts;
            lastTs = ts;
            EventFormat f = e.format();
            Fields x;
            if (f == lastFormat) {
                x = lastFields;
            } else {
                x = fields.computeIfAbsent(f, Fields::new);
                lastFormat = f;
                lastFields = x;
            }
            x.count++;
            switch (kind.target) {
                case PIO -> {
                    if (x.b != null && x.name.equals("kvm_pio") && e.getLong(x.a) != 0 && e.getLong(x.b) == Kind.PORT) targetEvents++;
                }
                case MMIO -> {
                    // KVM_TRACE_MMIO_WRITE = 2
                    if (x.b != null && x.name.equals("kvm_mmio") && e.getLong(x.a) == 2 && e.getLong(x.b) == Kind.MMIO_ADDR) targetEvents++;
                }
                case HLT -> {
                    if (x.a != null && x.name.equals("kvm_userspace_exit") && e.getLong(x.a) == KvmTables.KVM_EXIT_HLT
                            && (x.b == null || e.getLong(x.b) >= 0)) targetEvents++;
                }
            }
            if (x.name.equals("kvm_userspace_exit")) userspaceExits++;
        }

        private boolean isTarget(ExitRecord r) {
            return switch (kind.target) {
                case PIO -> r.address() == Kind.PORT && r.write() && r.subkey() != null && r.subkey().startsWith("port");
                case MMIO -> r.address() == Kind.MMIO_ADDR && r.write() && r.subkey() != null && r.subkey().startsWith("gpa");
                case HLT -> r.blocking() && (r.userspaceReason() == KvmTables.KVM_EXIT_HLT || r.reason().contains("HLT"));
            };
        }

        private void onExit(ExitRecord r) {
            if (r.tid() != tid) return;
            stats.accept(r);
            if (!isTarget(r)) return;
            if (r.userspaceReason() == KvmTables.KVM_EXIT_INTR) {
                // KVM_RUN returned because of a signal (the --seconds timer) right after this exit, not to
                // handle it: without kvm_exit/kvm_entry the return is attributed to the open exit
                interrupted++;
                return;
            }
            classCounts.merge(r.exitClass(), 1L, Long::sum);
            if (measure == null || r.hasLatency()) measure = r.measure().label;
            if (r.hasLatency()) latency.recordValue(r.latencyNs());
            if (r.userspaceNs() >= 0) {
                usMeasured++;
                usTotal += r.userspaceNs();
            }
        }

        void finish() {
            asm.finish();
        }

        KindResult result(List<String> args, ExerciserRun.Result ex, List<String> enabled, String clock) {
            long expected = switch (kind.target) {
                case PIO -> ex.guestWrites(Kind.PORT);
                case MMIO -> ex.guestMmioWrites();
                case HLT -> ex.guestHlts();
            };
            Map<String, long[]> events = new LinkedHashMap<>();
            long allWrites = 0;
            for (long v : ex.guestWritesByPort().values()) allWrites += v;
            for (String ev : enabled) {
                String name = ev.substring(ev.indexOf('/') + 1);
                long traced = 0;
                for (Fields f : fields.values()) if (f.name.equals(name)) traced += f.count;
                long exp = switch (name) {
                    case "kvm_pio" -> allWrites;
                    case "kvm_mmio" -> ex.guestMmioWrites();
                    case "kvm_userspace_exit" -> ex.userspaceExits();
                    // one load when KVM_RUN starts, one unload when it returns: two per return to userspace
                    case "kvm_fpu" -> 2 * ex.userspaceExits();
                    default -> -1;
                };
                if (traced == 0 && exp <= 0) continue; // an event this run never hits (kvm_msr, kvm_cr ...)
                events.put(name, new long[]{traced, exp});
            }
            List<KindResult.Group> groups = new ArrayList<>();
            for (StatsSnapshot.Group g : stats.snapshot(GroupBy.parse("subkey,class")).groups()) {
                groups.add(new KindResult.Group(g.key().reason(), g.key().subkey(), g.key().exitClass() == null ? "-" : g.key().exitClass().label,
                        g.count(), g.measured(), g.percentile(50), g.percentile(99), g.max()));
            }
            long measured = latency.getTotalCount();
            return new KindResult(kind, args, ex, targetEvents, expected, new EnumMap<>(classCounts), measure, measured,
                    measured > 0 ? latency.getValueAtPercentile(50) : 0, measured > 0 ? latency.getValueAtPercentile(99) : 0,
                    measured > 0 ? latency.getMaxValue() : 0, usMeasured > 0 ? usTotal / usMeasured : 0, asm.exits(), asm.incomplete(),
                    userspaceExits, interrupted, events, lost, firstTs == Long.MIN_VALUE ? 0 : lastTs - firstTs, clock, groups, null);
        }
    }
}
