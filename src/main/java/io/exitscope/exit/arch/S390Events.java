package io.exitscope.exit.arch;

import io.exitscope.event.EventFormat;
import io.exitscope.event.FieldFormat;
import io.exitscope.exit.Arch;
import io.exitscope.exit.decode.S390Tables;

import java.util.List;

/**
 * s390 KVM events ({@code arch/s390/kvm/trace.h}; the six {@code perf kvm stat} uses):
 * {@code kvm_s390_sie_exit} (intercept code) begins an exit, {@code kvm_s390_sie_enter} ends it,
 * the intercepted instruction, DIAG code, SIGP order and program interruption refine it. Every
 * event carries the vCPU as {@code id}. Text: {@code "%02d[%016lx-%016lx]: exit sie icptcode %d (%s)"}
 * in every kernel since 3.x. Wait state (intercept 0x1c) is blocking.
 */
public final class S390Events implements ArchEvents {

    @Override
    public EventDecoder bind(EventFormat f) {
        FieldFormat id = f.field("id");
        return switch (f.name) {
            case "kvm_s390_sie_exit" -> sieExit(f, id);
            case "kvm_s390_sie_enter" -> (e, to) -> {
                to.entry(id != null && e.has(id) ? (int) e.getLong(id) : ExitSteps.NO_VCPU);
                return true;
            };
            case "kvm_s390_intercept_instruction" -> child(f, "instruction", (v, to) ->
                    to.refine("Instruction", S390Tables.instruction(v), 1, -1, false));
            case "kvm_s390_handle_diag" -> child(f, "code", (v, to) -> {
                long code = v & 0xffff;
                // DIAG 0x500 is virtio's notification: its "address" is the code, for the ioeventfd evidence
                to.refine("DIAG", S390Tables.diag(code), 2, code == 0x500 ? 0x500 : -1, code == 0x500);
            });
            case "kvm_s390_handle_sigp" -> child(f, "order_code", (v, to) -> to.refine("SIGP", S390Tables.sigp(v & 0xff), 2, -1, false));
            case "kvm_s390_intercept_prog" -> child(f, "code", (v, to) ->
                    to.refine("Program interruption", S390Tables.prog(v & 0xffff), 2, -1, false));
            default -> null;
        };
    }

    @Override
    public List<String> events() {
        return List.of("kvm_s390_sie_exit", "kvm_s390_sie_enter", "kvm_s390_intercept_instruction", "kvm_s390_handle_diag",
                "kvm_s390_handle_sigp", "kvm_s390_intercept_prog");
    }

    private static EventDecoder sieExit(EventFormat f, FieldFormat id) {
        FieldFormat icpt = f.field("icptcode");
        if (icpt == null) return null;
        return (e, to) -> {
            if (!e.has(icpt)) return false;
            long code = e.getLong(icpt) & 0xff;
            to.exit(Arch.S390, code, S390Tables.intercept(code), S390Tables.isBlocking(code),
                    id != null && e.has(id) ? (int) e.getLong(id) : ExitSteps.NO_VCPU, ExitSteps.NO_REQUESTS);
            return true;
        };
    }

    private interface Refine {
        void apply(long value, ExitSteps to);
    }

    private static EventDecoder child(EventFormat f, String field, Refine r) {
        FieldFormat v = f.field(field);
        if (v == null) return null;
        return (e, to) -> {
            if (!e.has(v)) return false;
            r.apply(e.getLong(v), to);
            return true;
        };
    }
}
