package io.exitscope.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The config: one file, every default number with its source, overridable, found from anywhere. */
class ModelConfigTest {
    @TempDir
    Path tmp;

    @Test
    void everyStageCostCitesItsSource() throws Exception {
        Pattern cost = Pattern.compile("^(cost\\w*|ioctl_cycles|per_extra_vcpu|save_restore_factor|pairs\\w*|per_search_step|"
                + "cookie_miss_probability|deliver|uncached_cycles)\\s*=.*");
        Pattern tag = Pattern.compile("\\[(T|V|R|A)\\b[^\\]]*\\]");
        String section = "";
        for (String line : Files.readAllLines(ModelFixtures.CONFIG)) {
            String l = line.strip();
            if (l.startsWith("[")) section = l;
            if (!section.startsWith("[stage") || !cost.matcher(l).matches()) continue;
            if (section.equals("[stage guest-idle]")) continue;
            assertTrue(tag.matcher(l).find(), section + " " + l + ": no source tag ([T], [V ...], [R], [A])");
        }
    }

    @Test
    void profilesAndStagesAreComplete() {
        ModelConfig c = ModelFixtures.config();
        assertEquals(List.of("kernel-4.4", "talk-2016-tuned", "current"), c.profileNames());
        for (String p : c.profileNames()) c.profile(p);
        new ExitPathModel(c);   // reads every stage's numbers
        assertEquals("current", c.defaultProfile().name());
    }

    @Test
    void overridesFromAFileAndTheCommandLine() throws Exception {
        ModelConfig c = ModelFixtures.config();
        ModelConfig o = c.overlay("[stage post-run]\ncost = 115  # mine\n", "user.conf").with(List.of("stage.dispatch.cost=115"));
        ExitPathModel a = new ExitPathModel(c), b = new ExitPathModel(o);
        ExitPath pa = a.path(ExitKind.EXTERNAL_REQUEST, false, c.defaultProfile().switches());
        ExitPath pb = b.path(ExitKind.EXTERNAL_REQUEST, false, c.defaultProfile().switches());
        assertEquals(200, pb.tracedMean() - pa.tracedMean(), 5);   // medians: the means add the spread
        assertThrows(IllegalArgumentException.class, () -> c.with(List.of("stage.post-run.cost=fast")).number("stage.post-run.cost"));
        assertThrows(IllegalArgumentException.class, () -> ModelConfig.parse("[profile x]\nioeventfd = on\nwarp-drive = on\n", "t").profile("x"));
        assertThrows(IllegalArgumentException.class, () -> ModelConfig.parse("[stage\n", "t"));
    }

    @Test
    void foundThroughExitscopeHome() throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config").resolve(ModelConfig.FILE_NAME),
                Files.readString(ModelFixtures.CONFIG).replace("default_profile = current", "default_profile = kernel-4.4"));
        String old = System.getProperty("exitscope.home");
        System.setProperty("exitscope.home", home.toString());
        try {
            assertEquals("kernel-4.4", ModelConfig.load().defaultProfile().name());
        } finally {
            if (old == null) System.clearProperty("exitscope.home"); else System.setProperty("exitscope.home", old);
        }
    }

    @Test
    void theJarCarriesTheSameFile() throws Exception {
        try (InputStream in = ModelConfig.class.getResourceAsStream(ModelConfig.RESOURCE)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(in != null,
                    "config not on the class path yet: pom.xml needs the config/ resource entry (see the README)");
            assertEquals(Files.readString(ModelFixtures.CONFIG), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void switchSetsParse() {
        SwitchSet s = SwitchSet.none().apply(List.of("ioeventfd=on,sync-regs", "lazy-fpu=off", "bql-pushdown=true"));
        assertTrue(s.on(Switch.IOEVENTFD) && s.on(Switch.SYNC_REGS) && !s.on(Switch.LAZY_FPU) && s.on(Switch.BQL_PUSHDOWN));
        assertEquals(s, SwitchSet.none().apply(List.of(s.describe())));
        assertThrows(IllegalArgumentException.class, () -> SwitchSet.none().apply(List.of("turbo=on")));
        assertNotNull(ExitKind.parse("diag 0x500"));
    }
}
