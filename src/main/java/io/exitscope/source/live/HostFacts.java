package io.exitscope.source.live;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What this host says about KVM, read from /proc and /sys (nothing is written). */
public final class HostFacts {
    private HostFacts() {}

    /** KVM as a module (true), built in (false), or absent (null), with the evidence. */
    public record KvmModule(Boolean module, String evidence) {}

    public static KvmModule kvmModule() {
        try {
            for (String line : TracefsFiles.read(Path.of("/proc/modules")).lines().toList()) {
                if (line.startsWith("kvm ")) return new KvmModule(true, "/proc/modules lists kvm");
            }
        } catch (IOException ignored) {
            // kernels without module support have no /proc/modules
        }
        if (Files.isDirectory(Path.of("/sys/module/kvm"))) {
            boolean initstate = Files.exists(Path.of("/sys/module/kvm/initstate"));
            return initstate ? new KvmModule(true, "/sys/module/kvm/initstate present")
                    : new KvmModule(false, "/sys/module/kvm without initstate and not in /proc/modules");
        }
        return new KvmModule(null, "no /sys/module/kvm: KVM not loaded");
    }

    /** A running VMM: a process with /dev/kvm open. */
    public record Vmm(long pid, String comm, String guestName, String cmdline) {}

    public static List<Vmm> vmms() {
        List<Vmm> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : ds) {
                if (!hasKvmOpen(p)) continue;
                long pid = Long.parseLong(p.getFileName().toString());
                String comm = read(p.resolve("comm"));
                String cmd = read(p.resolve("cmdline")).replace('\0', ' ').strip();
                out.add(new Vmm(pid, comm, guestName(cmd), cmd));
            }
        } catch (IOException ignored) {
            // no /proc
        }
        return out;
    }

    /** QEMU's {@code -name NAME} or {@code -name guest=NAME,...}; null when absent. */
    public static String guestName(String cmdline) {
        String[] a = cmdline.split("\\s+");
        for (int i = 0; i + 1 < a.length; i++) {
            if (a[i].equals("-name")) {
                String v = a[i + 1];
                for (String part : v.split(",")) {
                    if (part.startsWith("guest=")) return part.substring(6);
                }
                return v.split(",")[0];
            }
        }
        return null;
    }

    private static boolean hasKvmOpen(Path proc) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("/dev/kvm")) return true;
                } catch (IOException ignored) {
                    // fd closed meanwhile
                }
            }
        } catch (IOException | SecurityException ignored) {
            // not ours to look at
        }
        return false;
    }

    /** Thread ids of a process (all its tasks). */
    public static List<Integer> threads(long pid) {
        List<Integer> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : ds) out.add(Integer.parseInt(t.getFileName().toString()));
        } catch (IOException | NumberFormatException ignored) {
            // process gone
        }
        return out;
    }

    // ------------------------------------------------------------------ host facts for `exitscope info`

    /** A tracefs mount from {@code /proc/mounts}. */
    public record Mount(Path path, String type) {}

    /** Where tracefs is mounted (and debugfs's {@code tracing} when debugfs is), from {@code /proc/mounts}. */
    public static List<Mount> tracefsMounts() {
        List<Mount> out = new ArrayList<>();
        try {
            for (String line : TracefsFiles.read(Path.of("/proc/mounts")).lines().toList()) {
                String[] f = line.split(" ");
                if (f.length < 3) continue;
                Path p = Path.of(f[1].replace("\\040", " "));
                if (f[2].equals("tracefs")) out.add(new Mount(p, "tracefs"));
                else if (f[2].equals("debugfs")) out.add(new Mount(p.resolve("tracing"), "debugfs"));
            }
        } catch (IOException ignored) {
            // no /proc/mounts
        }
        return out;
    }

    /** The tracefs directory to read host facts from: a mounted one, preferring the standard path; null if none. */
    public static Path tracefsForFacts() {
        List<Mount> m = tracefsMounts();
        for (Path want : List.of(Tracefs.PRIMARY, Tracefs.DEBUGFS)) {
            for (Mount x : m) if (x.path().equals(want)) return want;
        }
        for (Mount x : m) if (x.type().equals("tracefs")) return x.path();
        return null;
    }

    /** A fact that may be unreadable: {@code value} or, when null, {@code problem} says why. */
    public record Fact(String value, String problem) {
        public static Fact of(String v) {
            return new Fact(v, null);
        }

        public static Fact missing(String why) {
            return new Fact(null, why);
        }

        public boolean known() {
            return value != null;
        }

        /** The value, or "unknown (why)". */
        public String text() {
            return value != null ? value : "unknown (" + problem + ")";
        }
    }

    /** Reads a pseudo-file, saying why not when it cannot. */
    public static Fact readFact(Path p) {
        try {
            return Fact.of(TracefsFiles.read(p).strip());
        } catch (java.nio.file.AccessDeniedException e) {
            return Fact.missing(p + ": permission denied" + (isRoot() ? "" : " (run as root)"));
        } catch (java.nio.file.NoSuchFileException e) {
            return Fact.missing(p + " does not exist");
        } catch (IOException e) {
            return Fact.missing(p + ": " + e.getMessage());
        }
    }

    /** The KVM tracepoints of this kernel ({@code events/kvm/*}, and s390's {@code kvm-s390}), sorted. */
    public static List<String> kvmEvents(Path tracefs) throws IOException {
        List<String> out = new ArrayList<>();
        for (String sys : List.of("kvm", "kvm-s390")) {
            Path d = tracefs.resolve("events").resolve(sys);
            if (!Files.isDirectory(d)) {
                if (!Files.exists(tracefs.resolve("events"))) throw new java.nio.file.AccessDeniedException(tracefs.resolve("events").toString());
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
                for (Path e : ds) if (Files.isDirectory(e)) out.add(sys + "/" + e.getFileName());
            }
        }
        out.sort(null);
        return out;
    }

    /** KVM's halt-polling module parameters ({@code /sys/module/kvm/parameters/halt_poll_ns*}), name to value. */
    public static java.util.Map<String, String> haltPolling() {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        Path d = Path.of("/sys/module/kvm/parameters");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d, "halt_poll_ns*")) {
            for (Path p : ds) {
                Fact f = readFact(p);
                out.put(p.getFileName().toString(), f.text());
            }
        } catch (IOException ignored) {
            // no kvm module parameters: KVM absent, or parameters not exported
        }
        return out;
    }

    /** The CPU model: {@code model name} from /proc/cpuinfo, else the vendor / machine / implementer line. */
    public static Fact cpuModel() {
        Fact f = readFact(Path.of("/proc/cpuinfo"));
        if (!f.known()) return f;
        String vendor = null, other = null;
        for (String line : f.value().lines().toList()) {
            int c = line.indexOf(':');
            if (c < 0) continue;
            String k = line.substring(0, c).strip(), v = line.substring(c + 1).strip();
            if (v.isEmpty()) continue;
            switch (k) {
                case "model name", "cpu model" -> { return Fact.of(v); }
                case "vendor_id", "vendor" -> { if (vendor == null) vendor = v; }
                case "machine", "CPU implementer", "cpu", "uarch" -> { if (other == null) other = k + " " + v; }
                default -> { }
            }
        }
        if (vendor != null) return Fact.of(vendor + (other != null ? " (" + other + ")" : ""));
        if (other != null) return Fact.of(other);
        return Fact.missing("no model name in /proc/cpuinfo");
    }

    /** {@code /dev/kvm}: absent, not accessible, or usable for opening (not proven to create a VM). */
    public static Fact devKvm() {
        Path p = Path.of("/dev/kvm");
        if (!Files.exists(p)) return Fact.missing("/dev/kvm does not exist (KVM not loaded or no hardware virtualization)");
        if (!Files.isReadable(p) || !Files.isWritable(p)) return Fact.missing("/dev/kvm is not accessible to this user (root or the kvm group)");
        return Fact.of("present, accessible to this user");
    }

    static boolean isRoot() {
        return Tracefs.isRoot();
    }

    /** Whether this process runs as root (uid 0). */
    public static boolean runningAsRoot() {
        return Tracefs.isRoot();
    }

    /** The clock exitscope's instance picks from a {@code trace_clock} listing (ordered across CPUs). */
    public static String orderedClock(String traceClockContent) {
        return TracefsInstance.pickClock(traceClockContent);
    }

    public static String read(Path p) {
        try {
            return TracefsFiles.read(p).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
