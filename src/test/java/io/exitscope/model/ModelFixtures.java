package io.exitscope.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's config, read the way the tool reads it from the working directory. */
final class ModelFixtures {
    private ModelFixtures() {}

    static final Path CONFIG = Path.of("config", ModelConfig.FILE_NAME);

    static ModelConfig config() {
        try {
            return ModelConfig.parse(Files.readString(CONFIG), CONFIG.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ExitPathModel model() {
        return new ExitPathModel(config());
    }

    static SwitchSet profile(String name) {
        return config().profile(name).switches();
    }

    /** |actual - expected| <= tolerance x expected. */
    static void assertWithin(double expected, double actual, double tolerance, String what) {
        if (Math.abs(actual - expected) > tolerance * Math.abs(expected)) {
            throw new AssertionError(what + ": expected " + expected + " within " + Math.round(tolerance * 100) + "%, got " + actual);
        }
    }
}
