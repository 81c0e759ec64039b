package io.exitscope.cli;

import io.exitscope.testutil.Cli;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same input gives the same output whatever the JVM's identity hash codes are: a child JVM
 * with every identity hash 1 ({@code -XX:hashCode=2}) prints what this one prints. Identity hashes
 * are those of enums (in records such as ExitKey, in EnumSets): the model's draws were once seeded
 * with them, and class ties broken in an order that hung on them, so one projection read
 * differently from {@code model} and {@code triage}, and from run to run.
 */
class DeterminismTest {
    @ParameterizedTest
    @ValueSource(strings = {
            "model --format json traces/pvm-ioeventfd-ab.dat",
            "model --format json traces/sim-s390-diag500-ioeventfd-off.dat",
            "triage --format json traces/pvm-ioeventfd-ab.dat",
            "report --format json --by subkey traces/pvm-ioeventfd-ab.dat"})
    void outputDoesNotDependOnIdentityHashCodes(String command) throws Exception {
        String[] args = command.split(" ");
        Cli here = Cli.run(args);
        assertEquals(0, here.code, here.toString());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UnlockExperimentalVMOptions", "-XX:hashCode=2",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String there = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM ended");
        assertEquals(0, p.exitValue());
        assertEquals(here.out, there, command);
    }
}
