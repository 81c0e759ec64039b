package io.exitscope.source.tracedat;

import io.exitscope.source.KvmBuild;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.TreeMap;
import java.util.Map;

/**
 * What exitscope needs from a trace's kallsyms: whether KVM was a loadable module (its symbols
 * carry a {@code [kvm]} / {@code [kvm_intel]} ... marker) or built into the kernel, and counts.
 * The text itself is not kept.
 */
public record Kallsyms(long symbols, Map<String, Long> kvmModules, long builtinKvmSymbols) {

    /** What kallsyms {@code k} says of how KVM was built; {@link KvmBuild#NO_KALLSYMS} when the trace has none. */
    public static KvmBuild kvmBuildOf(Kallsyms k) {
        return k == null ? KvmBuild.NO_KALLSYMS : KvmBuild.ofKallsyms(k.kvmIsModule(), k.kvmModules().keySet());
    }

    /** True when KVM's symbols are in a module, false when built in, null when no KVM symbol is present. */
    public Boolean kvmIsModule() {
        if (!kvmModules.isEmpty()) return true;
        if (builtinKvmSymbols > 0) return false;
        return null;
    }

    /** Core KVM functions: one of them outside any module means KVM is built in. */
    private static final byte[][] CORE = {bytes("kvm_vcpu_ioctl"), bytes("kvm_arch_vcpu_ioctl_run"),
            bytes("vcpu_enter_guest"), bytes("kvm_vm_ioctl")};

    /**
     * One pass over the bytes ({@code addr type name [module]} per line), no String per line: a
     * host's kallsyms runs to hundreds of thousands of lines (336 206 in the shared VMX trace), read
     * before the JIT has compiled anything: a String per line cost ≈ 0.1 s of every report.
     */
    static Kallsyms parse(ByteBuffer b, long base) {
        long symbols = 0, builtin = 0;
        Map<String, Long> modules = new TreeMap<>();
        byte[] a = b.array();
        int pos = b.arrayOffset() + b.position(), end = b.arrayOffset() + b.limit();
        while (pos < end) {
            int nl = pos, lb = -1;
            for (; nl < end; nl++) {
                byte c = a[nl];
                if (c == '\n') break;
                if (c == '[' && lb < 0) lb = nl;
            }
            int lineStart = pos;
            pos = nl + 1;
            if (nl == lineStart) continue;
            symbols++;
            if (lb >= 0) {
                int rb = lb + 1;
                while (rb < nl && a[rb] != ']') rb++;
                if (rb < nl && isKvmModule(a, lb + 1, rb)) {
                    modules.merge(new String(a, lb + 1, rb - lb - 1, StandardCharsets.ISO_8859_1), 1L, Long::sum);
                }
            } else {
                // "addr T name": the name starts after the second space
                int sp = lineStart, spaces = 0;
                while (sp < nl && spaces < 2) if (a[sp++] == ' ') spaces++;
                int e = nl;
                while (e > sp && (a[e - 1] == ' ' || a[e - 1] == '\t' || a[e - 1] == '\r')) e--;
                if (spaces == 2 && isCore(a, sp, e)) builtin++;
            }
        }
        return new Kallsyms(symbols, modules, builtin);
    }

    /** {@code kvm}, {@code kvm_*} or {@code kvm-*}. */
    private static boolean isKvmModule(byte[] a, int from, int to) {
        if (to - from < 3 || a[from] != 'k' || a[from + 1] != 'v' || a[from + 2] != 'm') return false;
        return to - from == 3 || a[from + 3] == '_' || a[from + 3] == '-';
    }

    private static boolean isCore(byte[] a, int from, int to) {
        for (byte[] name : CORE) {
            if (Arrays.equals(a, from, to, name, 0, name.length)) return true;
        }
        return false;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
