package io.exitscope.source.live;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads pseudo-files of tracefs, procfs and sysfs. Their sizes are not real (tracefs reports sizes
 * that {@code Files.readString} trusts and stops at), so read a stream to its end.
 */
public final class TracefsFiles {
    private TracefsFiles() {}

    public static String read(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
