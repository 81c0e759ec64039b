package io.exitscope.testutil;

import io.exitscope.cli.Main;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the exitscope command line in-process and captures what it prints. */
public final class Cli {
    public final int code;
    public final String out;
    public final String err;

    private Cli(int code, String out, String err) {
        this.code = code;
        this.out = out;
        this.err = err;
    }

    public static Cli run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.run(args, new PrintWriter(o), new PrintWriter(e));
        return new Cli(code, o.toString(), e.toString());
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
}
