package io.exitscope.source.tracedat;

import io.exitscope.testutil.SharedTraces;
import io.exitscope.testutil.TraceCmd;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kallsyms summary against the text {@code trace-cmd dump --kallsyms} prints for the same
 * file, counted here with regular expressions (a second, independent reading).
 */
class KallsymsTest {
    static final Pattern MODULE = Pattern.compile("\\[(kvm(?:[_-][^\\]]*)?)\\]");
    static final Set<String> CORE = Set.of("kvm_vcpu_ioctl", "kvm_arch_vcpu_ioctl_run", "vcpu_enter_guest", "kvm_vm_ioctl");

    /** symbols, kvm modules and built-in core symbols, counted from kallsyms text with regexes. */
    static Kallsyms expected(List<String> lines) {
        long symbols = 0, builtin = 0;
        Map<String, Long> modules = new TreeMap<>();
        for (String l : lines) {
            if (l.isEmpty()) continue;
            symbols++;
            if (l.contains("[")) {
                Matcher m = MODULE.matcher(l.substring(l.indexOf('[')));
                if (m.lookingAt()) modules.merge(m.group(1), 1L, Long::sum);
            } else {
                String[] f = l.split(" ", 3);
                if (f.length == 3 && CORE.contains(f[2].strip())) builtin++;
            }
        }
        return new Kallsyms(symbols, modules, builtin);
    }

    /** trace-cmd's kallsyms text of a file: its dump without the section headers it adds. */
    static List<String> traceCmdKallsyms(Path file) throws Exception {
        TraceCmd.Result r = TraceCmd.run("dump", "--kallsyms", file.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        return r.stdout().stream().filter(l -> !l.startsWith("\t[")).toList();
    }

    /** The reader's summary of a file's kallsyms, checked equal to the regex count of trace-cmd's text. */
    static Kallsyms readAndCompare(Path f) throws Exception {
        Kallsyms want = expected(traceCmdKallsyms(f));
        try (TraceDatReader r = TraceDatReader.open(f)) {
            Kallsyms k = r.kallsyms();
            assertEquals(want, k);
            return k;
        }
    }

    @Test
    void kvmAsModuleOnARealHostMatchesTraceCmd() throws Exception {
        Kallsyms k = readAndCompare(SharedTraces.require("x86-vmx-linux-6.5/host-kvm-x86tsc.v7-zstd.dat"));
        assertTrue(k.kvmIsModule());
        assertEquals(Set.of("kvm", "kvm_intel"), k.kvmModules().keySet());
    }

    @Test
    void kvmBuiltInOnPvmMatchesTraceCmd() throws Exception {
        Kallsyms k = readAndCompare(Path.of("traces/pvm-ioeventfd-ab.dat"));
        assertFalse(k.kvmIsModule());
        assertEquals(3, k.builtinKvmSymbols(), "kvm_vcpu_ioctl, kvm_vm_ioctl, kvm_arch_vcpu_ioctl_run");
    }

    @Test
    void edgeCasesOfTheText() {
        String text = "ffff0001 T kvm_vcpu_ioctl\n"            // core, built in
                + "\n"                                          // blank: not a symbol
                + "ffff0002 t kvm_vm_ioctl  \r\n"               // trailing blanks
                + "ffff0003 t vcpu_enter_guest\t[kvm_amd]\n"   // in a module: not built in
                + "ffff0004 t x\t[kvmfoo]\n"                    // not a kvm module
                + "ffff0005 t y\t[kvm-pvm]\n"
                + "ffff0006 t z\t[kvm\n"                        // unterminated bracket
                + "ffff0007 t kvm_vcpu_ioctl_extra\n"           // a prefix is not the name
                + "short kvm_vcpu_ioctl";                       // no second space, no newline at the end
        Kallsyms k = Kallsyms.parse(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)), 0);
        assertEquals(new Kallsyms(8, new TreeMap<>(Map.of("kvm_amd", 1L, "kvm-pvm", 1L)), 2), k);
        assertEquals(expected(text.lines().toList()), k, "the regex count agrees");
        assertNull(Kallsyms.parse(ByteBuffer.wrap(new byte[0]), 0).kvmIsModule());
    }
}
