package io.exitscope.source.tracedat;

import java.nio.ByteBuffer;
import java.util.TreeMap;
import java.util.Map;

/**
 * What exitscope needs from a trace's kallsyms: whether KVM was a loadable module (its symbols
 * carry a {@code [kvm]} / {@code [kvm_intel]} ... marker) or built into the kernel, and counts.
 * The text itself is not kept.
 */
public record Kallsyms(long symbols, Map<String, Long> kvmModules, long builtinKvmSymbols) {

    /** True when KVM's symbols are in a module, false when built in, null when no KVM symbol is present. */
    public Boolean kvmIsModule() {
        if (!kvmModules.isEmpty()) return true;
        if (builtinKvmSymbols > 0) return false;
        return null;
    }

    static Kallsyms parse(ByteBuffer b, long base) {
        long symbols = 0, builtin = 0;
        Map<String, Long> modules = new TreeMap<>();
        int pos = b.position(), end = b.limit();
        byte[] a = b.array();
        int off = b.arrayOffset();
        while (pos < end) {
            int nl = pos;
            while (nl < end && a[off + nl] != '\n') nl++;
            String line = new String(a, off + pos, nl - pos, java.nio.charset.StandardCharsets.ISO_8859_1);
            pos = nl + 1;
            if (line.isEmpty()) continue;
            symbols++;
            int lb = line.indexOf('[');
            if (lb >= 0) {
                int rb = line.indexOf(']', lb);
                String mod = rb > lb ? line.substring(lb + 1, rb) : "";
                if (mod.equals("kvm") || mod.startsWith("kvm_") || mod.startsWith("kvm-")) modules.merge(mod, 1L, Long::sum);
            } else {
                // "addr T kvm_vcpu_ioctl": a core KVM symbol outside any module means built in
                int sp2 = line.indexOf(' ', line.indexOf(' ') + 1);
                String name = sp2 < 0 ? "" : line.substring(sp2 + 1).strip();
                if (name.equals("kvm_vcpu_ioctl") || name.equals("kvm_arch_vcpu_ioctl_run")
                        || name.equals("vcpu_enter_guest") || name.equals("kvm_vm_ioctl")) builtin++;
            }
        }
        return new Kallsyms(symbols, modules, builtin);
    }
}
