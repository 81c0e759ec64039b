package io.exitscope.cli;

import io.exitscope.model.ModelConfig;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Options every command using the s390 exit-path model shares: where its numbers come from. */
final class ModelOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "A file of model settings laid over the default config (same syntax as config/s390-exit-path.conf).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one model setting, e.g. --set stage.post-run.cost=20 (repeatable).")
    List<String> set = new ArrayList<>();

    ModelConfig load() throws IOException {
        try {
            return ModelConfig.load(config, set);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
    }
}
