package io.exitscope.cli;

import io.exitscope.testutil.Tmux;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundle that {@code mvn package} makes ({@code target/exitscope-VERSION-linux-ARCH.tar.gz}),
 * used as on a host without Java: unpacked into a temporary directory and run with no
 * {@code java} on PATH and JAVA_HOME unset. Its output must be the checkout launcher's; its
 * start-up archive must be the one the JVM maps; the full-screen view must run under LANG=C
 * with an unknown TERM; the completion script must complete; the man pages must document every
 * option {@code --help} lists. An integration test (failsafe, after the package phase; .ci/run
 * runs it after the README's test command).
 */
class BundleIT {
    static final Path BASE = Path.of("").toAbsolutePath();
    static final String TRACE = "traces/pvm-ioeventfd-ab.dat";

    @TempDir
    static Path dir;
    static Path bundle;
    /** A PATH with every command of this machine but Java's. */
    static Path tools;

    @BeforeAll
    static void unpack() throws Exception {
        Path tarball;
        try (Stream<Path> s = Files.list(BASE.resolve("target"))) {
            tarball = s.filter(p -> p.getFileName().toString().matches("exitscope-.*-linux-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no target/exitscope-*-linux-*.tar.gz: run mvn package first"));
        }
        assertEquals(0, run(List.of("tar", "-C", dir.toString(), "-xzf", tarball.toString()), BASE, null).code);
        try (Stream<Path> s = Files.list(dir)) {
            bundle = s.filter(p -> p.getFileName().toString().startsWith("exitscope-")).findFirst().orElseThrow();
        }
        tools = Files.createDirectories(dir.resolve("tools"));
        for (String d : List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            if (!Files.isDirectory(Path.of(d))) continue;
            try (Stream<Path> s = Files.list(Path.of(d))) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Path link = tools.resolve(p.getFileName().toString());
                    if (Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS) || isJdkTool(p)) continue;
                    Files.createSymbolicLink(link, p);
                }
            }
        }
        Result which = run(List.of("bash", "-c", "command -v java || echo none"), dir, hostEnv());
        assertEquals("none", which.out.strip(), "java must not be on the test's PATH");
    }

    /** A command of a JDK (java, javac, jshell ...): its real file is in a directory with a JDK release file. */
    static boolean isJdkTool(Path p) {
        try {
            Path real = p.toRealPath();
            Path home = real.getParent() == null ? null : real.getParent().getParent();
            return home != null && Files.exists(home.resolve("release"));
        } catch (IOException e) {
            return false; // a dangling link: nothing to run
        }
    }

    /** A host without Java: PATH without it, no JAVA_HOME, the C locale. */
    static Map<String, String> hostEnv() {
        return Map.of("PATH", tools.toString(), "HOME", dir.toString(), "LANG", "C");
    }

    @Test
    void versionNamesTheBuildAndTheBundlesOwnRuntime() throws Exception {
        Result b = bundleRun("--version");
        Result c = checkout("--version");
        assertEquals(0, b.code, b.toString());
        String[] bl = b.out.split("\n"), cl = c.out.split("\n");
        assertEquals(cl[0], bl[0], "the same version and commit as the checkout's jar");
        assertTrue(bl[0].matches("exitscope \\S+ \\(commit [0-9a-f]{7,}(-dirty)?\\)"), bl[0]);
        assertTrue(bl[1].startsWith("runtime: ") && bl[1].endsWith(" in " + bundle.resolve("runtime")), bl[1]);
    }

    @Test
    void reportAndTriagePrintWhatTheCheckoutPrints() throws Exception {
        for (List<String> args : List.of(List.of("report", TRACE), List.of("report", "--format", "json", "--by", "subkey", TRACE),
                List.of("triage", TRACE))) {
            Result b = bundleRun(args.toArray(new String[0]));
            Result c = checkout(args.toArray(new String[0]));
            assertEquals(0, c.code, c.toString());
            assertEquals(c.out, b.out, String.join(" ", args));
            assertEquals("", b.err, String.join(" ", args) + ": nothing on stderr");
        }
    }

    @Test
    void theJvmMapsTheBundlesStartUpArchive() throws Exception {
        // -Xshare:on: the JVM refuses to start unless it maps the archive (the bundle's runtime has
        // no default one); the class loading log says where exitscope's own classes came from
        Path log = dir.resolve("class-load.log");
        Result r = run(List.of(bundle.resolve("bin/exitscope").toString(), "report", TRACE), bundle,
                with(hostEnv(), "EXITSCOPE_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -Xshare:on -Xlog:class+load=info:file=" + log));
        assertEquals(0, r.code, r.toString());
        List<String> ours = Files.readAllLines(log).stream().filter(l -> l.contains(" io.exitscope.")).collect(Collectors.toList());
        assertFalse(ours.isEmpty());
        List<String> notShared = ours.stream().filter(l -> !l.contains("source: shared objects file")).collect(Collectors.toList());
        // classes the training run never loaded may come from the jar; the command's own must not
        assertTrue(notShared.stream().noneMatch(l -> l.contains("io.exitscope.cli.Main ") || l.contains("io.exitscope.cli.ReportCommand ")
                || l.contains("io.exitscope.source.tracedat.TraceDatReader ")), String.join("\n", notShared));
        assertTrue(notShared.size() * 10 < ours.size(), notShared.size() + " of " + ours.size() + " exitscope classes not from the archive");
    }

    @Test
    void theJvmLoadsTheBundlesZstdLibraryNotATempCopy() throws Exception {
        Path lib = bundle.resolve("lib/libzstd-jni.so");
        assertTrue(Files.isRegularFile(lib), "the bundle ships zstd-jni's library for " + System.getProperty("os.arch"));
        Result r = run(List.of(bundle.resolve("bin/exitscope").toString(), "dump", "--count", TRACE), bundle,
                with(hostEnv(), "EXITSCOPE_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -Xlog:library=info:stdout"));
        assertEquals(0, r.code, r.toString());
        List<String> loaded = r.out.lines().filter(l -> l.contains("Loaded library") && l.contains("zstd")).collect(Collectors.toList());
        assertEquals(List.of(lib.toString()), loaded.stream().map(l -> l.replaceFirst(".*Loaded library (\\S+), handle.*", "$1")).collect(Collectors.toList()),
                String.join("\n", loaded));
    }

    @Test
    void replayRunsAt80x24InTheCLocaleWithAnUnknownTerm() throws Exception {
        Tmux.assumeAvailable();
        try (Tmux t = new Tmux(80, 24, bundle, dir)) {
            t.line("env -i PATH=" + tools + " HOME=" + dir + " LANG=C TERM=xterm-unknown-to-anyone bin/exitscope replay " + TRACE + "; echo EXIT=$?");
            // the replay's end with the report's figures for port 0x500, drawn with ASCII (the locale's charset)
            String s = t.waitMatch("the replay's end in ASCII", "(?s)exitscope replay .*# end t\\+131ms .*"
                    + "PIO +user +5998 .* 5\\.11us +5\\.45us +7\\.67us +29\\.2us +71\\.7us.*", 90);
            assertTrue(s.chars().allMatch(ch -> ch < 128), "only ASCII on the screen:\n" + s);
            t.keys("q");
            t.waitFor("EXIT=0", 20);
        }
    }

    @Test
    void bashCompletesTheCommandNames() throws Exception {
        Path script = bundle.resolve("share/bash-completion/completions/exitscope");
        assertTrue(Files.isRegularFile(script));
        // the truth: the command list of --help
        String help = bundleRun("--help").out;
        List<String> commands = help.lines().dropWhile(l -> !l.equals("Commands:")).skip(1)
                .map(l -> l.strip().split("\\s+")[0]).filter(w -> w.matches("[a-z]+")).collect(Collectors.toList());
        assertTrue(commands.contains("report"), help);
        assertEquals(commands.stream().filter(c -> c.startsWith("rep")).sorted().collect(Collectors.toList()), complete(script, "rep"));
        assertEquals(List.of("report"), complete(script, "repo"));
    }

    /** What the completion function offers for {@code exitscope WORD<TAB>}, sorted. */
    static List<String> complete(Path script, String word) throws Exception {
        String sh = "source '" + script + "'\n"
                + "COMP_WORDS=(exitscope " + word + "); COMP_CWORD=1; COMP_LINE='exitscope " + word + "'; COMP_POINT=${#COMP_LINE}\n"
                + "_complete_exitscope exitscope " + word + " exitscope\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        Result r = run(List.of("bash", "--norc", "--noprofile", "-c", sh), dir, hostEnv());
        return Arrays.stream(r.out.split("\n")).map(String::strip).filter(w -> !w.isEmpty()).sorted().collect(Collectors.toList());
    }

    @Test
    void aJdk24OrLaterRunsTheCheckoutWithItsAotCacheAndAQuietStderr() throws Exception {
        // the AOT cache refuses a run whose module options differ from its dump's (an
        // --enable-native-access given at run time only), and JDK 24+ warn on stderr at
        // zstd-jni's System.load and aircompressor's Unsafe unless told not to
        Path jdk = null;
        try (Stream<Path> s = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path h : (Iterable<Path>) s.sorted()::iterator) {
                if (Files.isSymbolicLink(h) || !Files.isExecutable(h.resolve("bin/java"))) continue;
                String v = Files.readAllLines(h.resolve("release")).stream().filter(l -> l.startsWith("JAVA_VERSION="))
                        .findFirst().orElse("JAVA_VERSION=\"0\"").replaceAll("[^0-9.]", "");
                if (Integer.parseInt(v.split("\\.")[0]) >= 24) jdk = h;
            }
        } catch (IOException e) {
            jdk = null;
        }
        Assumptions.assumeTrue(jdk != null, "no JDK 24 or later in /usr/lib/jvm");
        try (Stream<Path> s = Files.list(BASE.resolve("target/startup"))) {
            Assumptions.assumeTrue(s.anyMatch(p -> p.toString().endsWith(".aot")), "mvn package made no AOT cache");
        }
        List<String> cmd = List.of(BASE.resolve("bin/exitscope").toString(), "report", TRACE);
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put("JAVA_HOME", jdk.toString());
        // AOTMode=on: the JVM stops unless it uses the cache
        env.put("EXITSCOPE_JAVA_OPTS", "-Xmx256m -Xmn16m -XX:+UseSerialGC -XX:AOTMode=on");
        Result r = run(cmd, BASE, env);
        assertEquals(0, r.code, r.toString());
        assertEquals("", r.err, "nothing on stderr");
        assertEquals(checkout("report", TRACE).out, r.out);
        env.remove("EXITSCOPE_JAVA_OPTS");
        Result plain = run(cmd, BASE, env);
        assertEquals("", plain.err, "nothing on stderr with the launcher's own options");
    }

    @Test
    void manPagesDocumentEveryOptionOfHelp() throws Exception {
        Path man1 = bundle.resolve("share/man/man1");
        if (run(List.of("bash", "-c", "command -v asciidoctor"), dir, null).code == 0) {
            assertTrue(Files.isDirectory(man1), "asciidoctor is installed, yet the bundle has no man pages");
        }
        Assumptions.assumeTrue(Files.isDirectory(man1), "the bundle was built without asciidoctor (apt-get install asciidoctor): no man pages");
        Assumptions.assumeTrue(run(List.of("bash", "-c", "command -v man"), dir, null).code == 0, "man is not installed");
        for (String cmd : List.of("report", "triage", "live")) {
            Path page = man1.resolve("exitscope-" + cmd + ".1");
            assertTrue(Files.isRegularFile(page), page.toString());
            Result m = run(List.of("man", "-l", page.toString()), dir, with(hostEnv(), "MANPAGER", "cat"));
            assertEquals(0, m.code, m.toString());
            String text = m.out.replaceAll("\\s+", " ");
            for (String opt : options(bundleRun(cmd, "--help").out)) assertTrue(text.contains(opt), cmd + " man page lacks " + opt);
        }
    }

    /** The long option names a --help text lists. */
    static List<String> options(String help) {
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s+(?:-\\w, )?(--[a-z][a-z-]*)").matcher(help);
        while (m.find()) out.add(m.group(1));
        assertTrue(out.size() > 3, help);
        return out;
    }

    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    static Result bundleRun(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(bundle.resolve("bin/exitscope").toString()));
        cmd.addAll(List.of(args));
        return run(cmd, bundle, hostEnv());
    }

    /** The checkout's launcher, in the unpacked bundle's directory: the same relative file names. */
    static Result checkout(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(BASE.resolve("bin/exitscope").toString()));
        cmd.addAll(List.of(args));
        return run(cmd, bundle, null);
    }

    static Map<String, String> with(Map<String, String> env, String k, String v) {
        Map<String, String> m = new java.util.HashMap<>(env);
        m.put(k, v);
        return m;
    }

    /** Runs a command in {@code cwd} with exactly {@code env} (null: this process's environment). */
    static Result run(List<String> cmd, Path cwd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        Path out = Files.createTempFile(dir, "out", ".txt"), err = Files.createTempFile(dir, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " hangs");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
