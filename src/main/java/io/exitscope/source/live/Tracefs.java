package io.exitscope.source.live;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds tracefs ({@code $EXITSCOPE_TRACEFS} if set, else {@code /sys/kernel/tracing}, then
 * {@code /sys/kernel/debug/tracing}, then any mount in {@code /proc/mounts}) and mounts it
 * when it is absent and we are allowed to. Reading and mounting only: exitscope never writes the
 * top-level tracing files.
 */
public final class Tracefs {
    public static final Path PRIMARY = Path.of("/sys/kernel/tracing");
    public static final Path DEBUGFS = Path.of("/sys/kernel/debug/tracing");

    /** A clear, one-sentence reason why live tracing cannot run here. */
    public static final class UnavailableException extends Exception {
        private static final long serialVersionUID = 1L;

        public UnavailableException(String message) {
            super(message);
        }
    }

    private Tracefs() {}

    /**
     * Where tracefs is mounted now, or null. A tracefs this user may not read (mode 700 without
     * root) is still returned: {@link #findOrMount()} then says that root is needed, not that
     * tracefs is missing.
     */
    public static Path find() {
        String chosen = System.getenv("EXITSCOPE_TRACEFS"); // a tracefs mounted elsewhere, used as is
        if (chosen != null && !chosen.isEmpty()) return Path.of(chosen);
        return findMounted();
    }

    /** Where tracefs is mounted now (ignoring {@code $EXITSCOPE_TRACEFS}), or null. */
    public static Path findMounted() {
        for (Path p : List.of(PRIMARY, DEBUGFS)) {
            if (Files.isRegularFile(p.resolve("trace_clock")) && Files.isDirectory(p.resolve("instances"))) return p;
        }
        // elsewhere, or mounted but not accessible to this user? /proc/mounts knows
        Path inaccessible = null;
        try {
            for (String line : TracefsFiles.read(Path.of("/proc/mounts")).lines().toList()) {
                String[] f = line.split(" ");
                if (f.length > 2 && (f[2].equals("tracefs") || f[2].equals("debugfs"))) {
                    Path p = Path.of(f[1].replace("\\040", " "));
                    if (f[2].equals("debugfs")) p = p.resolve("tracing");
                    if (Files.isRegularFile(p.resolve("trace_clock"))) return p;
                    // mounted, but this user cannot look inside (mode 700): not a reason to mount it again
                    if (f[2].equals("tracefs") && (inaccessible == null || p.equals(PRIMARY))) inaccessible = p;
                }
            }
        } catch (IOException ignored) {
            // no /proc/mounts: not Linux, handled by the caller
        }
        return inaccessible;
    }

    /** Finds tracefs, mounting it at {@link #PRIMARY} if needed and permitted. */
    public static Path findOrMount() throws UnavailableException {
        Path p = find();
        if (p != null) return checkAccess(p);
        if (!Files.isDirectory(PRIMARY)) {
            throw new UnavailableException("tracefs is not available: " + PRIMARY + " does not exist (kernel without tracing support?)");
        }
        if (!isRoot()) {
            throw new UnavailableException("tracefs is not mounted and mounting it needs root; run as root or mount it: mount -t tracefs nodev " + PRIMARY);
        }
        try {
            Process m = new ProcessBuilder("mount", "-t", "tracefs", "nodev", PRIMARY.toString())
                    .redirectErrorStream(true).start();
            String out = new String(m.getInputStream().readAllBytes()).strip();
            if (!m.waitFor(10, TimeUnit.SECONDS) || m.exitValue() != 0) {
                throw new UnavailableException("tracefs is not mounted and mounting it failed: " + out);
            }
        } catch (IOException e) {
            throw new UnavailableException("tracefs is not mounted and mounting it failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while mounting tracefs");
        }
        p = find();
        if (p == null) throw new UnavailableException("mounted tracefs at " + PRIMARY + " but cannot find its files");
        return checkAccess(p);
    }

    private static Path checkAccess(Path p) throws UnavailableException {
        Path instances = p.resolve("instances");
        if (!Files.isWritable(instances) || !Files.isReadable(p.resolve("events/header_page"))) {
            throw new UnavailableException("live tracing needs root: tracefs at " + p + " is not accessible to this user"
                    + " (or give it CAP_SYS_ADMIN/CAP_PERFMON and write access to " + instances + ")");
        }
        return p;
    }

    static boolean isRoot() {
        try {
            for (String line : TracefsFiles.read(Path.of("/proc/self/status")).lines().toList()) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
            }
        } catch (IOException ignored) {
            // treat as unprivileged
        }
        return false;
    }
}
