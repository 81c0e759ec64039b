package io.exitscope.calibrate;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One run of the KVM exerciser, started <em>stopped</em>: a shell stops itself ({@code kill -STOP $$})
 * and then execs the exerciser, so its pid is known before the first guest instruction runs. A
 * tracer can then filter on that pid (tracefs {@code set_event_pid}) and miss nothing, and
 * {@link #resume()} lets it go.
 */
public final class ExerciserRun implements AutoCloseable {
    private final Process process;
    private final List<String> command;
    private final CompletableFuture<byte[]> stdout;
    private final CompletableFuture<byte[]> stderr;
    private boolean resumed;

    private ExerciserRun(Process process, List<String> command) {
        this.process = process;
        this.command = command;
        this.stdout = readAll(process.getInputStream());
        this.stderr = readAll(process.getErrorStream());
    }

    private static CompletableFuture<byte[]> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return in.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
    }

    /**
     * Starts the exerciser with {@code args}, stopped before it runs; returns once it is stopped.
     *
     * @throws IOException when it cannot be started or does not reach the stopped state in time
     */
    public static ExerciserRun startStopped(Path exerciser, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "kill -STOP $$ && exec \"$0\" \"$@\"", exerciser.toString()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).start();
        ExerciserRun run = new ExerciserRun(p, cmd);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            String state = state(p.pid());
            if ("T".equals(state) || "t".equals(state)) return run;
            if (!p.isAlive()) {
                throw new IOException("the exerciser wrapper ended before it started: " + run.stderrText());
            }
            if (System.nanoTime() - deadline > 0) {
                p.destroyForcibly();
                throw new IOException("the exerciser wrapper did not stop itself within 10 s");
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
                throw new IOException("interrupted while starting the exerciser");
            }
        }
    }

    /** The process state letter from {@code /proc/PID/stat} (R, S, T ...), or null. */
    static String state(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = s.lastIndexOf(')');
            return close < 0 || close + 2 >= s.length() ? null : s.substring(close + 2, close + 3);
        } catch (IOException e) {
            return null;
        }
    }

    /** The exerciser's pid (also its vCPU thread id: the vCPU runs on the main thread). */
    public long pid() {
        return process.pid();
    }

    public List<String> command() {
        return command;
    }

    /** Lets the stopped exerciser run (SIGCONT). */
    public void resume() throws IOException {
        if (resumed) return;
        resumed = true;
        try {
            Process k = new ProcessBuilder("kill", "-CONT", Long.toString(pid())).redirectErrorStream(true).start();
            String out = new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) throw new IOException("cannot resume the exerciser: " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while resuming the exerciser");
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Asks the exerciser to finish its current guest loop pass and print its counts (SIGINT). */
    public void interrupt() {
        if (!process.isAlive()) return;
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(pid())).start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            process.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the end; returns the exit code, or -1 on timeout. */
    public int waitFor(long timeoutNanos) throws InterruptedException {
        if (!process.waitFor(timeoutNanos, TimeUnit.NANOSECONDS)) return -1;
        return process.exitValue();
    }

    public String stdoutText() {
        return text(stdout);
    }

    public String stderrText() {
        return text(stderr);
    }

    private static String text(CompletableFuture<byte[]> f) {
        try {
            return new String(f.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } catch (ExecutionException | TimeoutException e) {
            return "";
        }
    }

    /** The exerciser's JSON line, parsed. */
    public Result result() throws IOException {
        String out = stdoutText();
        String line = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
        if (line == null) throw new IOException("the exerciser printed no JSON" + (stderrText().isEmpty() ? "" : ": " + stderrText()));
        return Result.parse(line);
    }

    @Override
    public void close() {
        if (process.isAlive()) process.destroyForcibly(); // SIGKILL also ends a stopped process
    }

    /**
     * The exerciser's own counts (bench/README.md, "JSON fields").
     *
     * @param guestWritesByPort {@code out} instructions the guest executed per port, kernel-handled ones included
     * @param ioByPort          writes that reached this VMM (userspace) per port
     * @param ioeventfdSignals  the eventfd counter, null without ioeventfd
     */
    public record Result(String json, String mode, boolean ioeventfd, int port, int otherPort, int ratio, long mmioAddr,
                         int cpu, long iterations, long userspaceExits, Map<String, Long> exitsByReason,
                         Map<Integer, Long> ioByPort, Map<Long, Long> mmioByAddr, Map<Integer, Long> guestWritesByPort,
                         long guestMmioWrites, long guestHlts, Long ioeventfdSignals, long elapsedNs, String stoppedBy,
                         long pid, long tid) {

        @SuppressWarnings("unchecked")
        static Result parse(String line) throws IOException {
            Object o = Json.parse(line);
            if (!(o instanceof Map<?, ?> m0)) throw new IOException("exerciser output is not a JSON object: " + line);
            Map<String, Object> m = (Map<String, Object>) m0;
            try {
                return new Result(line, (String) m.get("mode"), Boolean.TRUE.equals(m.get("ioeventfd")),
                        (int) hex(m.get("port"), -1), (int) hex(m.get("other_port"), -1), (int) num(m.get("ratio"), 0),
                        hex(m.get("mmio_addr"), -1), (int) num(m.get("cpu"), -1), num(m.get("iterations"), 0),
                        num(m.get("userspace_exits"), 0), longs((Map<String, Object>) m.get("exits_by_reason")),
                        intKeys((Map<String, Object>) m.get("io_by_port")), longKeys((Map<String, Object>) m.get("mmio_by_addr")),
                        intKeys((Map<String, Object>) m.get("guest_writes_by_port")), num(m.get("guest_mmio_writes"), 0),
                        num(m.get("guest_hlts"), 0), m.get("ioeventfd_signals") == null ? null : num(m.get("ioeventfd_signals"), 0),
                        num(m.get("elapsed_ns"), 0), (String) m.get("stopped_by"), num(m.get("pid"), -1), num(m.get("tid"), -1));
            } catch (ClassCastException | NumberFormatException e) {
                throw new IOException("unexpected exerciser JSON (" + e.getMessage() + "): " + line);
            }
        }

        private static long num(Object o, long otherwise) {
            return o instanceof Number n ? n.longValue() : otherwise;
        }

        private static long hex(Object o, long otherwise) {
            if (o instanceof String s) return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
            return num(o, otherwise);
        }

        private static Map<String, Long> longs(Map<String, Object> m) {
            Map<String, Long> out = new LinkedHashMap<>();
            if (m != null) m.forEach((k, v) -> out.put(k, num(v, 0)));
            return out;
        }

        private static Map<Integer, Long> intKeys(Map<String, Object> m) {
            Map<Integer, Long> out = new LinkedHashMap<>();
            if (m != null) m.forEach((k, v) -> out.put((int) hex(k, -1), num(v, 0)));
            return out;
        }

        private static Map<Long, Long> longKeys(Map<String, Object> m) {
            Map<Long, Long> out = new LinkedHashMap<>();
            if (m != null) m.forEach((k, v) -> out.put(hex(k, -1), num(v, 0)));
            return out;
        }

        /** Returns from KVM_RUN of a reason ({@code KVM_EXIT_IO} ...), 0 if none. */
        public long exits(String reason) {
            return exitsByReason.getOrDefault(reason, 0L);
        }

        /** All guest writes to a port ({@code out} instructions executed). */
        public long guestWrites(int p) {
            return guestWritesByPort.getOrDefault(p, 0L);
        }

        public double elapsedSeconds() {
            return elapsedNs / 1e9;
        }
    }
}
