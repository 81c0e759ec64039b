package io.exitscope.util;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version and the git commit this build was made from, as the build wrote them into
 * {@value #RESOURCE} ({@code src/main/dist/build-info.sh}); "dev" and "unknown" when the classes
 * were built some other way.
 */
public final class BuildInfo {
    static final String RESOURCE = "/io/exitscope/util/build-info.properties";
    private static final Properties PROPS = load();

    private BuildInfo() {}

    /** The project version, e.g. {@code 0.1.0}. */
    public static String version() {
        return PROPS.getProperty("version", "dev");
    }

    /** The commit, abbreviated, with {@code -dirty} when tracked files differed from it. */
    public static String commit() {
        return PROPS.getProperty("commit", "unknown");
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // a jar we cannot read from would not have got this far; keep the defaults
        }
        return p;
    }
}
