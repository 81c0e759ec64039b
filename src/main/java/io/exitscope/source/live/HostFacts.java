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

    public static String read(Path p) {
        try {
            return TracefsFiles.read(p).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
