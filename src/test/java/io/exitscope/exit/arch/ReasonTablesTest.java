package io.exitscope.exit.arch;

import io.exitscope.event.X86ExitReasons;
import io.exitscope.testutil.SharedTraces;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * exitscope's reason tables against the kernel's own: excerpts of vmx.h, svm.h, esr.h and 2009's
 * vmx.c in {@code src/test/resources/io/exitscope/kernel} (provenance in its README), and the
 * Linux 6.18 {@code kvm_exit} print fmt of the shared traces. Every code the kernel names has a
 * name here (so {@code UNKNOWN(..)} is left for codes the kernel does not name), the kernel's
 * current spelling is the one printed, and every spelling a trace may carry reads back to its code.
 */
class ReasonTablesTest {
    private static final Pattern DEFINE = Pattern.compile("(?m)^#define\\s+(\\w+)\\s+\\(?(-?(?:0x)?[0-9A-Fa-f]+)\\)?\\s*$");
    private static final Pattern ENTRY = Pattern.compile("\\{\\s*([^,{}]+?)\\s*,\\s*\"([^\"]+)\"\\s*}");
    /** Exception vectors of arch/x86/include/asm/trapnr.h, for SVM_EXIT_EXCP_BASE + X_VECTOR. */
    private static final Map<String, Integer> VECTORS = Map.ofEntries(Map.entry("DE", 0), Map.entry("DB", 1), Map.entry("BP", 3),
            Map.entry("OF", 4), Map.entry("BR", 5), Map.entry("UD", 6), Map.entry("NM", 7), Map.entry("DF", 8), Map.entry("TS", 10),
            Map.entry("NP", 11), Map.entry("SS", 12), Map.entry("GP", 13), Map.entry("PF", 14), Map.entry("MF", 16),
            Map.entry("AC", 17), Map.entry("MC", 18), Map.entry("XM", 19));

    static String resource(String name) throws IOException {
        try (InputStream in = ReasonTablesTest.class.getResourceAsStream("/io/exitscope/kernel/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Map<String, Long> defines(String text) {
        Map<String, Long> m = new LinkedHashMap<>();
        Matcher d = DEFINE.matcher(text);
        while (d.find()) m.put(d.group(1), Long.decode(d.group(2)) & 0xffffffffL);
        return m;
    }

    /** {@code { SYMBOL, "name" }} entries with the symbol resolved to its code. */
    static Map<Long, String> entries(String text, Map<String, Long> defines) {
        Map<Long, String> m = new LinkedHashMap<>();
        Matcher e = ENTRY.matcher(text);
        while (e.find()) {
            String sym = e.group(1).strip();
            if (sym.startsWith("(unsigned long)")) continue;
            long code;
            if (sym.contains("+")) {
                String[] p = sym.split("\\+");
                code = defines.get(p[0].strip()) + VECTORS.get(p[1].strip().replace("_VECTOR", ""));
            } else {
                Long c = defines.get(sym);
                assertNotNull(c, "no define for " + sym);
                code = c;
            }
            m.put(code, e.group(2));
        }
        return m;
    }

    @Test
    void vmxNamesOfVmxH() throws IOException {
        String h = resource("vmx-exit-reasons.h");
        Map<String, Long> defs = defines(h);
        Map<Long, String> names = entries(h, defs);
        assertTrue(names.size() > 40, "parsed " + names.size());
        names.forEach((code, name) -> assertEquals(code, X86ExitReasons.code(X86ExitReasons.VMX, name), name));
        defs.forEach((sym, code) -> {
            if (sym.startsWith("EXIT_REASON_")) assertNotNull(X86ExitReasons.name(X86ExitReasons.VMX, code), sym + " has no name");
        });
    }

    @Test
    void lowerCaseVmxNamesOf2009() throws IOException {
        Map<String, Long> defs = defines(resource("vmx-exit-reasons.h"));
        Map<Long, String> names = entries(resource("vmx-2009-exit-reasons.c"), defs);
        assertEquals(19, names.size());
        names.forEach((code, name) -> assertEquals(code, X86ExitReasons.code(X86ExitReasons.VMX, name), name));
        // unique to VMX they need no ISA: a trace without one still reads them as VMX, never as code 0
        assertEquals(((long) X86ExitReasons.VMX << 32) | 44, X86ExitReasons.lookup("apic_access"));
        assertEquals(((long) X86ExitReasons.VMX << 32) | 30, X86ExitReasons.lookup("io_instruction"));
        assertEquals(-1, X86ExitReasons.lookup("no_such_reason"));
    }

    @Test
    void svmNamesAndEverySpellingOfSvmH() throws IOException {
        String h = resource("svm-exit-reasons.h");
        Map<String, Long> defs = defines(h);
        Map<Long, String> names = entries(h, defs);
        assertTrue(names.size() > 80, "parsed " + names.size());
        names.forEach((code, name) -> {
            assertEquals(name, X86ExitReasons.name(X86ExitReasons.SVM, code), "printed name of 0x" + Long.toHexString(code));
            assertEquals(code, X86ExitReasons.code(X86ExitReasons.SVM, name), name);
        });
        defs.forEach((sym, code) -> {
            if (sym.equals("SVM_EXIT_EXCP_BASE") || sym.equals("SVM_EXIT_LAST_EXCP")) return;
            assertNotNull(X86ExitReasons.name(X86ExitReasons.SVM, code), sym + " has no name");
            if (sym.startsWith("SVM_EXIT_")) {
                // the EXIT_* spelling of libtraceevent's kvm plugin and older traces
                assertEquals(code, X86ExitReasons.code(X86ExitReasons.SVM, sym.substring(4)), sym.substring(4));
            }
        });
        for (Map.Entry<String, Integer> v : VECTORS.entrySet()) {
            String plugin = "EXIT_EXCP_" + (v.getKey().equals("XM") ? "XF" : v.getKey());
            assertEquals(0x40L + v.getValue(), X86ExitReasons.code(X86ExitReasons.SVM, plugin), plugin);
        }
    }

    @Test
    void arm64ExceptionClassesOfEsrH() throws IOException {
        Map<String, Long> defs = defines(resource("arm64-esr-ec.h"));
        assertTrue(defs.size() > 35);
        defs.forEach((sym, code) -> {
            if (sym.equals("ESR_ELx_EC_MAX")) return;
            assertEquals(sym.substring("ESR_ELx_EC_".length()), Arm64Events.name(code), sym);
        });
    }

    /** The 6.18 kvm_exit format's own __print_symbolic tables: exitscope prints exactly these names. */
    @Test
    void linux618KvmExitPrintFmt() throws IOException {
        String fmt = Files.readString(SharedTraces.require("tracefs-formats-linux-6.18/kvm/kvm_exit.format"));
        String[] parts = fmt.split("__print_symbolic\\(REC->exit_reason");
        assertEquals(3, parts.length, "two tables: VMX, SVM");
        int n = 0;
        for (int isa = 1; isa <= 2; isa++) {
            String table = parts[isa].substring(0, parts[isa].indexOf(')'));   // up to the end of __print_symbolic
            Matcher e = ENTRY.matcher(table);
            while (e.find()) {
                long code = 0;
                for (String term : e.group(1).split("\\+")) code += Long.decode(term.strip());   // "0x040 + 0"
                code &= 0xffffffffL;
                assertEquals(e.group(2), X86ExitReasons.name(isa, code), "isa " + isa + " code 0x" + Long.toHexString(code));
                n++;
            }
        }
        assertTrue(n > 150, "entries " + n);
    }
}
