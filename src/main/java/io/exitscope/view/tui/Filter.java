package io.exitscope.view.tui;

import io.exitscope.exit.ExitClass;
import io.exitscope.stats.ExitKey;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What the user narrowed the view to: a regex on the key text, a class, a VM, a vCPU. Applies to
 * the finest keys, so a vCPU filter works on any grouping.
 */
record Filter(String regex, Pattern pattern, ExitClass exitClass, String vm, String vcpu) implements Predicate<ExitKey> {
    static final Filter NONE = new Filter(null, null, null, null, null);

    /** @throws IllegalArgumentException with a readable message on a bad regex */
    Filter withRegex(String r) {
        if (r == null || r.isBlank()) return new Filter(null, null, exitClass, vm, vcpu);
        try {
            return new Filter(r, Pattern.compile(r, Pattern.CASE_INSENSITIVE), exitClass, vm, vcpu);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("bad regex: " + e.getDescription());
        }
    }

    Filter withClass(ExitClass c) {
        return new Filter(regex, pattern, c, vm, vcpu);
    }

    Filter withVm(String v) {
        return new Filter(regex, pattern, exitClass, v == null || v.isBlank() ? null : v.strip(), vcpu);
    }

    Filter withVcpu(String v) {
        return new Filter(regex, pattern, exitClass, vm, v == null || v.isBlank() ? null : v.strip());
    }

    boolean active() {
        return pattern != null || exitClass != null || vm != null || vcpu != null;
    }

    /** Whether the filter cuts by a dimension the given keys may not carry (VM, vCPU). */
    boolean cutsVmOrVcpu() {
        return vm != null || vcpu != null;
    }

    @Override
    public boolean test(ExitKey k) {
        if (exitClass != null && k.exitClass() != exitClass) return false;
        if (vm != null && !vmMatches(k.vm())) return false;
        if (vcpu != null && !vcpuMatches(k.vcpu())) return false;
        return pattern == null || pattern.matcher(k.label()).find();
    }

    private boolean vmMatches(String v) {
        if (v == null) return false;
        return v.equalsIgnoreCase(vm) || v.equalsIgnoreCase("pid " + vm);
    }

    private boolean vcpuMatches(String v) {
        if (v == null) return false;
        return v.equals(vcpu) || v.equals("tid " + vcpu) || v.equalsIgnoreCase(vcpu);
    }

    String describe() {
        if (!active()) return "-";
        List<String> p = new ArrayList<>();
        if (regex != null) p.add("/" + regex + "/");
        if (exitClass != null) p.add("class " + exitClass.label);
        if (vm != null) p.add("vm " + vm);
        if (vcpu != null) p.add("vcpu " + vcpu);
        return String.join(" ", p);
    }
}
