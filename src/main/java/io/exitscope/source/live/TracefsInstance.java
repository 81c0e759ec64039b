package io.exitscope.source.live;

import io.exitscope.event.EventFormat;
import io.exitscope.event.EventFormats;
import io.exitscope.event.FormatParser;
import io.exitscope.event.HeaderPage;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * exitscope's private tracefs instance, {@code instances/exitscope-<pid>}: everything exitscope
 * changes lives inside it, and removing it (rmdir) restores the host. Created with tracing off,
 * configured (clock, no-overwrite, buffer size, wake-up on any data, events, pid filter), then
 * switched on.
 */
public final class TracefsInstance implements AutoCloseable {
    public static final String PREFIX = "exitscope-";

    /**
     * Events the analysis uses, by system; those the host lacks are skipped. The same set the
     * per-architecture bindings ({@code io.exitscope.exit.arch}) give a meaning (LiveEventsTest).
     */
    public static final List<String> KVM_EVENTS = List.of(
            "kvm/kvm_exit", "kvm/kvm_entry", "kvm/kvm_pio", "kvm/kvm_mmio", "kvm/kvm_fast_mmio", "kvm/kvm_msr",
            "kvm/kvm_cr", "kvm/kvm_hypercall", "kvm/kvm_nested_vmexit", "kvm/kvm_avic_unaccelerated_access",
            "kvm/kvm_userspace_exit", "kvm/kvm_fpu",
            "kvm/kvm_s390_sie_enter", "kvm/kvm_s390_sie_exit", "kvm/kvm_s390_intercept_instruction",
            "kvm/kvm_s390_handle_diag", "kvm/kvm_s390_handle_sigp", "kvm/kvm_s390_intercept_prog",
            "kvm/kvm_wfx_arm64", "kvm/kvm_hvc_arm64", "kvm/kvm_handle_sys_reg", "kvm/kvm_sys_access", "kvm/kvm_guest_fault");

    /** Clocks ordered across CPUs, best first; {@code local} is not. */
    static final List<String> ORDERED_CLOCKS = List.of("mono", "global", "boot");

    private final Path tracefs;
    private final Path dir;
    private final String clock;
    private final List<String> enabled;
    private volatile boolean removed;

    /** See {@link #create}; the test tree's CPU-cost harness (LiveCostHarness) adopts a directory laid out as an instance. */
    TracefsInstance(Path tracefs, Path dir, String clock, List<String> enabled) {
        this.tracefs = tracefs;
        this.dir = dir;
        this.clock = clock;
        this.enabled = enabled;
    }

    /** Settings of a new instance. */
    public record Config(int bufferKb, Collection<Integer> pids, Collection<String> events) {
        public static Config defaults() {
            return new Config(0, List.of(), KVM_EVENTS);
        }
    }

    /** Creates and starts an instance named after this process. */
    public static TracefsInstance create(Path tracefs, Config cfg) throws IOException, Tracefs.UnavailableException {
        Path dir = tracefs.resolve("instances").resolve(PREFIX + ProcessHandle.current().pid());
        try {
            Files.createDirectory(dir);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new Tracefs.UnavailableException("cannot create a tracefs instance in " + dir.getParent() + ": permission denied (run as root)");
        }
        TracefsInstance inst = null;
        try {
            write(dir.resolve("tracing_on"), "0");
            String clock = pickClock(TracefsFiles.read(dir.resolve("trace_clock")));
            write(dir.resolve("trace_clock"), clock);
            write(dir.resolve("options/overwrite"), "0");     // drop new events when full: losses are counted
            if (Files.exists(dir.resolve("buffer_percent"))) write(dir.resolve("buffer_percent"), "0"); // wake readers on any data
            if (cfg.bufferKb() > 0) write(dir.resolve("buffer_size_kb"), Integer.toString(cfg.bufferKb()));
            if (!cfg.pids().isEmpty()) {
                if (Files.exists(dir.resolve("options/event-fork"))) write(dir.resolve("options/event-fork"), "1");
                StringBuilder sb = new StringBuilder();
                for (int p : cfg.pids()) sb.append(p).append(' ');
                write(dir.resolve("set_event_pid"), sb.toString().strip());
            }
            List<String> on = new ArrayList<>();
            for (String ev : cfg.events()) {
                Path enable = dir.resolve("events").resolve(ev).resolve("enable");
                if (Files.exists(enable)) {
                    write(enable, "1");
                    on.add(ev);
                }
            }
            if (on.isEmpty()) {
                throw new Tracefs.UnavailableException("this host has none of the KVM tracepoints exitscope uses (is KVM loaded? see " + tracefs.resolve("events/kvm") + ")");
            }
            inst = new TracefsInstance(tracefs, dir, clock, List.copyOf(on));
            write(dir.resolve("tracing_on"), "1");
            return inst;
        } catch (IOException | Tracefs.UnavailableException | RuntimeException e) {
            removeQuietly(dir);
            throw e;
        }
    }

    static String pickClock(String available) {
        Set<String> clocks = new TreeSet<>();
        for (String c : available.strip().split("\\s+")) clocks.add(c.replace("[", "").replace("]", ""));
        for (String c : ORDERED_CLOCKS) if (clocks.contains(c)) return c;
        return "global";
    }

    private static void write(Path file, String value) throws IOException {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new IOException("cannot write '" + value + "' to " + file + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Path tracefs() {
        return tracefs;
    }

    public String clock() {
        return clock;
    }

    public List<String> enabledEvents() {
        return enabled;
    }

    /** Header page layout of this kernel's ring buffer. */
    public HeaderPage headerPage() throws IOException {
        return FormatParser.parseHeaderPage(TracefsFiles.read(tracefs.resolve("events/header_page")));
    }

    /** The formats of the enabled events. */
    public EventFormats formats() throws IOException {
        EventFormats f = new EventFormats();
        for (String ev : enabled) {
            String sys = ev.substring(0, ev.indexOf('/'));
            EventFormat fmt = FormatParser.parseEvent(sys, TracefsFiles.read(dir.resolve("events").resolve(ev).resolve("format")));
            f.add(fmt);
        }
        return f;
    }

    /** CPU numbers that have a per-CPU buffer in this instance (all possible CPUs). */
    public List<Integer> cpus() throws IOException {
        List<Integer> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.resolve("per_cpu"), "cpu*")) {
            for (Path p : ds) {
                try {
                    out.add(Integer.parseInt(p.getFileName().toString().substring(3)));
                } catch (NumberFormatException ignored) {
                    // not a cpuN directory
                }
            }
        }
        out.sort(null);
        return out;
    }

    public Path rawPipe(int cpu) {
        return dir.resolve("per_cpu").resolve("cpu" + cpu).resolve("trace_pipe_raw");
    }

    /** The kernel's own count of events dropped on a CPU (no-overwrite mode), -1 if unknown. */
    public long droppedEvents(int cpu) {
        try {
            for (String line : TracefsFiles.read(dir.resolve("per_cpu").resolve("cpu" + cpu).resolve("stats")).lines().toList()) {
                if (line.startsWith("dropped events:")) return Long.parseLong(line.substring(15).strip());
            }
        } catch (IOException | NumberFormatException ignored) {
            // instance gone or format changed
        }
        return -1;
    }

    public String cpuStats(int cpu) {
        try {
            return TracefsFiles.read(dir.resolve("per_cpu").resolve("cpu" + cpu).resolve("stats"));
        } catch (IOException e) {
            return "";
        }
    }

    /** Stops tracing and removes the instance. Safe to call more than once, from any thread. */
    @Override
    public synchronized void close() {
        if (removed) return;
        removed = true;
        try {
            Files.writeString(dir.resolve("tracing_on"), "0");
        } catch (IOException ignored) {
            // removal below is what matters
        }
        removeQuietly(dir);
        if (!Files.isRegularFile(tracefs.resolve("trace_clock"))) {
            // our tracefs mount went away (umount -l) while the instance lived on: instances are
            // one set per kernel, so remove it through whatever tracefs is mounted now
            Path other = Tracefs.findMounted();
            if (other != null && !other.equals(tracefs)) removeQuietly(other.resolve("instances").resolve(dir.getFileName()));
        }
    }

    public boolean removed() {
        return removed;
    }

    /** rmdir, retried briefly: the kernel refuses while a reader still has a file open. */
    static boolean removeQuietly(Path dir) {
        for (int i = 0; i < 50; i++) {
            try {
                Files.delete(dir);
                return true;
            } catch (NoSuchFileException e) {
                return true;
            } catch (IOException e) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    /**
     * Removes instances {@code exitscope-<pid>} left by processes that are gone (killed with
     * SIGKILL, say). Reports each on {@code log}. Returns how many were removed.
     */
    public static int removeStale(Path tracefs, PrintWriter log) {
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tracefs.resolve("instances"), PREFIX + "*")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                long pid;
                try {
                    pid = Long.parseLong(name.substring(PREFIX.length()));
                } catch (NumberFormatException e) {
                    continue; // not ours (e.g. exitscope-rec-..., made by a script)
                }
                if (pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
                if (removeQuietly(p)) {
                    n++;
                    if (log != null) log.println("exitscope: removed stale tracefs instance " + name + " (process " + pid + " is gone)");
                }
            }
        } catch (IOException ignored) {
            // no instances directory: nothing stale
        }
        return n;
    }
}
