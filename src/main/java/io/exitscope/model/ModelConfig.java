package io.exitscope.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's numbers, read from {@value #FILE_NAME}. There is one source of truth, the
 * repository's {@code config/} file; the build copies it into the jar so the tool works anywhere.
 * It is looked up in this order: {@code $EXITSCOPE_HOME/config/} (the launcher exports it),
 * the working directory's {@code config/}, the copy on the class path. A user file and
 * {@code --set key=value} overrides are laid over it.
 */
public final class ModelConfig {
    public static final String FILE_NAME = "s390-exit-path.conf";
    static final String RESOURCE = "/io/exitscope/model/" + FILE_NAME;

    private final Map<String, String> values;
    private final String origin;

    private ModelConfig(Map<String, String> values, String origin) {
        this.values = Collections.unmodifiableMap(values);
        this.origin = origin;
    }

    /** Parses config text (for tests and for files read elsewhere). */
    public static ModelConfig parse(String text, String origin) {
        return new ModelConfig(new LinkedHashMap<>(ConfigText.parse(text, origin)), origin);
    }

    /** The default config, found as described above. */
    public static ModelConfig load() throws IOException {
        List<Path> candidates = new ArrayList<>();
        String home = System.getProperty("exitscope.home", System.getenv("EXITSCOPE_HOME"));
        if (home != null && !home.isBlank()) candidates.add(Path.of(home, "config", FILE_NAME));
        candidates.add(Path.of("config", FILE_NAME));
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) return parse(Files.readString(p, StandardCharsets.UTF_8), p.toString());
        }
        try (InputStream in = ModelConfig.class.getResourceAsStream(RESOURCE)) {
            if (in != null) return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + RESOURCE);
        }
        throw new IOException("model config " + FILE_NAME + " not found (looked in " + candidates
                + " and on the class path); set EXITSCOPE_HOME to the exitscope directory");
    }

    /** The default config with a user file (may be null) and {@code key=value} overrides laid over it. */
    public static ModelConfig load(Path userFile, List<String> overrides) throws IOException {
        ModelConfig c = load();
        if (userFile != null) c = c.overlay(Files.readString(userFile, StandardCharsets.UTF_8), userFile.toString());
        if (overrides != null && !overrides.isEmpty()) c = c.with(overrides);
        return c;
    }

    /** This config with the keys of {@code text} replacing or adding to its own. */
    public ModelConfig overlay(String text, String textOrigin) {
        Map<String, String> m = new LinkedHashMap<>(values);
        m.putAll(ConfigText.parse(text, textOrigin));
        return new ModelConfig(m, origin + " + " + textOrigin);
    }

    /** This config with {@code key=value} overrides. */
    public ModelConfig with(List<String> overrides) {
        Map<String, String> m = new LinkedHashMap<>(values);
        for (String o : overrides) {
            Map.Entry<String, String> e = ConfigText.parseOverride(o);
            m.put(e.getKey(), e.getValue());
        }
        return new ModelConfig(m, origin + " + --set");
    }

    public String origin() {
        return origin;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public String string(String key) {
        String v = values.get(key);
        if (v == null) throw new IllegalArgumentException("model config " + origin + " lacks '" + key + "'");
        return v;
    }

    public String string(String key, String otherwise) {
        return values.getOrDefault(key, otherwise);
    }

    public double number(String key) {
        String v = string(key);
        try {
            return v.startsWith("0x") || v.startsWith("0X") ? Long.decode(v) : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("model config " + origin + ": '" + key + "' is not a number: '" + v + "'");
        }
    }

    public double number(String key, double otherwise) {
        return has(key) ? number(key) : otherwise;
    }

    public boolean flag(String key, boolean otherwise) {
        if (!has(key)) return otherwise;
        try {
            return SwitchSet.parseValue(string(key));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model config " + origin + ": '" + key + "': " + e.getMessage());
        }
    }

    /** Profile names in file order. */
    public List<String> profileNames() {
        List<String> out = new ArrayList<>();
        for (String k : values.keySet()) {
            if (!k.startsWith("profile.")) continue;
            String name = k.substring("profile.".length(), k.lastIndexOf('.'));
            if (!out.contains(name)) out.add(name);
        }
        return out;
    }

    public Profile profile(String name) {
        if (!profileNames().contains(name)) {
            throw new IllegalArgumentException("unknown profile '" + name + "' (" + String.join(", ", profileNames()) + ")");
        }
        EnumSet<Switch> on = EnumSet.noneOf(Switch.class);
        String prefix = "profile." + name + ".";
        for (Switch s : Switch.values()) if (flag(prefix + s.cliName, false)) on.add(s);
        for (String k : values.keySet()) {
            if (!k.startsWith(prefix)) continue;
            String sw = k.substring(prefix.length());
            if (!sw.equals("description")) Switch.parse(sw); // typos in profiles are errors, not silent offs
        }
        return new Profile(name, string(prefix + "description", ""), SwitchSet.of(on));
    }

    public Profile defaultProfile() {
        return profile(string("model.default_profile", "current"));
    }

    /** The first profile whose switch set equals {@code s}, or null. */
    public String profileNamed(SwitchSet s) {
        for (String n : profileNames()) if (profile(n).switches().equals(s)) return n;
        return null;
    }
}
