package io.exitscope.calibrate;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the KVM exerciser ({@code src/main/c/kvm-exerciser.c}, built by the Maven build into
 * {@code target/native/kvm-exerciser} when a C compiler is present).
 */
public final class Exerciser {
    public static final String NAME = "kvm-exerciser";
    /** How to build it, for messages. */
    public static final String HOW_TO_BUILD = "build it with 'mvn package' (needs gcc) or 'src/main/c/build.sh target/native'";

    private Exerciser() {}

    /** A search result: the executable found (or null) and every place looked at, in order. */
    public record Found(Path path, List<Path> searched) {
        public boolean found() {
            return path != null;
        }
    }

    /**
     * Looks in {@code $EXITSCOPE_HOME/target/native} and {@code lib/native} (the launcher exports
     * EXITSCOPE_HOME: a checkout or an unpacked bundle), the
     * directory named by the system property {@code exitscope.native.dir}, and next to the jar
     * ({@code <jar dir>/native}).
     */
    public static Found find() {
        return find(System.getenv("EXITSCOPE_HOME"), System.getProperty("exitscope.native.dir"), jarDir());
    }

    static Found find(String home, String nativeDir, Path jarDir) {
        List<Path> candidates = new ArrayList<>();
        if (home != null && !home.isBlank()) {
            candidates.add(Path.of(home, "target", "native", NAME)); // a checkout
            candidates.add(Path.of(home, "lib", "native", NAME)); // an unpacked bundle
        }
        if (nativeDir != null && !nativeDir.isBlank()) candidates.add(Path.of(nativeDir, NAME));
        if (jarDir != null) candidates.add(jarDir.resolve("native").resolve(NAME));
        for (Path p : candidates) {
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return new Found(p.toAbsolutePath().normalize(), candidates);
        }
        return new Found(null, candidates);
    }

    /** The directory of the jar (or classes directory) this class was loaded from; null if unknown. */
    static Path jarDir() {
        try {
            CodeSource cs = Exerciser.class.getProtectionDomain().getCodeSource();
            if (cs == null || cs.getLocation() == null) return null;
            Path p = Path.of(cs.getLocation().toURI());
            // target/exitscope.jar -> target; target/classes -> target
            return p.getParent();
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            return null;
        }
    }
}
