package io.exitscope.record;

import io.exitscope.testutil.Cli;
import io.exitscope.testutil.TraceCmd;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
            Thread load = new Thread(() -> {
                try {
                    Thread.sleep(800);
                    Process p = new ProcessBuilder(ex.toString(), "--mode", "mixed", "--iterations", "2000", "--cpu", "0")
                            .redirectErrorStream(true).start();
                    p.getInputStream().readAllBytes();
                    p.waitFor(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            load.start();
            Cli r = Cli.run("record", "-o", out.toString(), "--duration", "3", "--file-version", v[0], "--compression", v[1]);
            load.join();
            assertEquals(0, r.code, r.toString());
            assertTrue(r.err.contains("0 lost"), r.err);
            List<String> tc = TraceCmd.reportRaw(out);
            Cli dump = Cli.run("dump", out.toString());
            assertEquals(0, dump.code, dump.toString());
            List<String> ours = new ArrayList<>(dump.out.lines().toList());
            assertEquals(tc, ours, "trace-cmd report -t -R vs exitscope dump on " + out);
            long pio = ours.stream().filter(l -> l.contains(" kvm_pio: ")).count();
            assertTrue(pio >= 10_000, "the exerciser's 2000 x 5 outs are recorded (others' VMs may add more): " + pio);
            assertTrue(ours.stream().anyMatch(l -> l.contains("kvm-exerciser-")), "thread names saved for exited threads");
        }
        try (var ds = Files.newDirectoryStream(Path.of("/sys/kernel/tracing/instances"), "exitscope-" + ProcessHandle.current().pid())) {
            assertTrue(!ds.iterator().hasNext(), "instance removed");
        }
    }
}
