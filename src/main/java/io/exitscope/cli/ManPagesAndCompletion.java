package io.exitscope.cli;

import picocli.AutoComplete;
import picocli.codegen.docgen.manpage.ManPageGenerator;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the bash/zsh completion script and the man page sources (AsciiDoc, one per command)
 * from the command definitions, for the bundle ({@code src/main/dist/package.sh} runs it during
 * {@code mvn package}). Needs picocli-codegen, a build-only dependency: this class is left out
 * of the jar.
 *
 * <p>Usage: {@code ManPagesAndCompletion OUTPUT_DIR} writes {@code OUTPUT_DIR/exitscope_completion}
 * and {@code OUTPUT_DIR/adoc/*.adoc}.
 */
public final class ManPagesAndCompletion {
    private ManPagesAndCompletion() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) throw new IllegalArgumentException("usage: ManPagesAndCompletion OUTPUT_DIR");
        Path out = Path.of(args[0]);
        Files.createDirectories(out.resolve("adoc"));
        // one script for both shells: picocli's script turns on zsh's bashcompinit when sourced in zsh
        Files.writeString(out.resolve("exitscope_completion"), AutoComplete.bash("exitscope", Main.fullCommandLine()), StandardCharsets.UTF_8);
        int rc = ManPageGenerator.generateManPage(out.resolve("adoc").toFile(), (File) null, new boolean[0], true,
                Main.fullCommandLine().getCommandSpec());
        if (rc != 0) throw new IOException("picocli's man page generator failed with " + rc);
    }
}
