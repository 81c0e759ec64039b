package io.exitscope.testutil;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;

/** The real traces in {@code ../shared/traces/external}; tests skip with a reason where absent. */
public final class SharedTraces {
    private SharedTraces() {}

    public static final Path ROOT = Path.of("..", "shared", "traces", "external").toAbsolutePath().normalize();

    /** The path of a shared trace; skips the calling test when it is missing. */
    public static Path require(String relative) {
        Path p = ROOT.resolve(relative);
        Assumptions.assumeTrue(Files.isRegularFile(p),
                "shared trace " + p + " not present (../shared/traces/external is provided beside the checkout in CI)");
        return p;
    }

    /** A gunzipped copy of a shared {@code .gz} file in {@code dir}. */
    public static Path gunzip(String relative, Path dir) throws IOException {
        Path gz = require(relative);
        String name = gz.getFileName().toString().replaceFirst("\\.gz$", "");
        Path out = dir.resolve(name);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        }
        return out;
    }

    /** All lines of a (possibly gzipped) shared text file. */
    public static java.util.List<String> lines(String relative) throws IOException {
        Path p = require(relative);
        try (InputStream raw = Files.newInputStream(p);
             InputStream in = relative.endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        }
    }
}
