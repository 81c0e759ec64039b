package io.exitscope.cli;

import io.exitscope.testutil.Cli;
import io.exitscope.testutil.TraceCmd;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code exitscope record} on this host while the KVM exerciser runs: trace-cmd reads the file,
 * its events equal {@code exitscope dump}, and the exerciser's exits are all there.
 */
class RecordCommandTest {
    static Path exerciser() {
        Path p = Path.of(System.getProperty("exitscope.native.dir", "target/native"), "kvm-exerciser");
        Assumptions.assumeTrue(Files.isExecutable(p), "kvm-exerciser not built (needs gcc at build time): " + p);
        Assumptions.assumeTrue(Files.isWritable(Path.of("/dev/kvm")), "/dev/kvm missing or not usable");
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/sys/kernel/tracing/instances")) || Files.isDirectory(Path.of("/sys/kernel/tracing")),
                "no tracefs at /sys/kernel/tracing");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "live tracing needs root");
        return p;
    }

    @Test
    void recordedFileIsReadByTraceCmdAndEqualsDump(@TempDir Path tmp) throws Exception {
        Path ex = exerciser();
        TraceCmd.assumeAvailable();
        for (String[] v : new String[][]{{"7", "zstd"}, {"6", "none"}}) {
            Path out = tmp.resolve("rec-v" + v[0] + ".dat");
            // the exerciser starts after a pause, under a pid known now: record only that VM (-p), so
            // other VMs on the host cannot flood the file
            Process vm = new ProcessBuilder("sh", "-c", "sleep 1.5; exec " + ex + " --mode mixed --iterations 2000 --cpu 0")
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("ex-" + v[0] + ".json").toFile()).start();
            Cli r = Cli.run("record", "-o", out.toString(), "--duration", "4", "-p", Long.toString(vm.pid()),
                    "--file-version", v[0], "--compression", v[1]);
            assertTrue(vm.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, r.code, r.toString());
            assertTrue(r.err.contains("0 lost"), r.err);
            Path tc = tmp.resolve("tc-" + v[0] + ".txt"), ours = tmp.resolve("es-" + v[0] + ".txt");
            Files.write(tc, TraceCmd.reportRaw(out));
            try (java.io.PrintWriter w = new java.io.PrintWriter(Files.newBufferedWriter(ours))) {
                assertEquals(0, io.exitscope.cli.Main.run(new String[]{"dump", out.toString()}, w, new java.io.PrintWriter(System.err)));
            }
            assertEquals(-1L, Files.mismatch(tc, ours), "trace-cmd report -t -R vs exitscope dump on " + out);
            List<String> lines = Files.readAllLines(ours);
            long pio = lines.stream().filter(l -> l.contains(" kvm_pio: ")).count();
            assertEquals(10_000, pio, "the exerciser's 2000 x 5 outs, and only those");
            assertTrue(lines.stream().anyMatch(l -> l.contains("kvm-exerciser-")), "thread names saved for exited threads");
        }
        try (var ds = Files.newDirectoryStream(Path.of("/sys/kernel/tracing/instances"), "exitscope-" + ProcessHandle.current().pid())) {
            assertTrue(!ds.iterator().hasNext(), "instance removed");
        }
    }
}
