package io.exitscope.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run of the JVM start-up archive ({@code src/main/dist/package.sh}): runs several
 * exitscope command lines in this one JVM, their output discarded, because a CDS class list or
 * an AOT cache records what one process did, and the archive should hold what the common
 * commands load. The arguments are the command lines, separated by a lone {@code ";"}.
 * Fails (exit 1) when a command line fails: an archive trained on an error path would be
 * trained on the wrong classes.
 */
public final class StartupTraining {
    private StartupTraining() {}

    public static void main(String[] args) {
        PrintStream realErr = System.err;
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        System.setOut(nowhere);
        System.setErr(nowhere);
        PrintWriter discard = new PrintWriter(OutputStream.nullOutputStream());
        List<String> line = new ArrayList<>();
        int failed = 0;
        for (int i = 0; i <= args.length; i++) {
            if (i < args.length && !args[i].equals(";")) {
                line.add(args[i]);
                continue;
            }
            if (line.isEmpty()) continue;
            int code = Main.run(line.toArray(new String[0]), discard, discard);
            if (code != Main.EXIT_OK) {
                realErr.println("exitscope start-up training: '" + String.join(" ", line) + "' exited with " + code);
                failed++;
            }
            line.clear();
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
