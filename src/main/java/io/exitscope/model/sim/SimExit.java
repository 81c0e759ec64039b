package io.exitscope.model.sim;

import io.exitscope.model.ExitContext;
import io.exitscope.model.ExitKind;
import io.exitscope.model.ExitPath;
import io.exitscope.model.Lognormal;
import io.exitscope.model.Position;
import io.exitscope.model.Stage;
import io.exitscope.model.StageCost;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One simulated exit: its stages sampled, then written as the events a kernel would emit at the
 * stage boundaries: {@code kvm_s390_sie_exit} after the exit transit, the child events where
 * their handlers fire, {@code kvm_userspace_exit} when KVM_RUN returns, {@code
 * kvm_s390_sie_enter} at the end of pre-run. A wait whose end is not known yet is written in two
 * steps: up to its idle stage, then, once the wake-up time is known, the rest.
 */
final class SimExit {
    private static final long PSW_KERNEL = 0x0704c00180000000L, PSW_WAIT = 0x0706c00180000000L, PSW_USER = 0x0705c00180000000L;

    private final SimVcpu vcpu;
    private final ExitContext context;
    private final StageCost[] stages;
    private final double[] ns;
    private final long pswmask, pswaddr;
    private int next;
    private double t;
    private double idleStart = -1;
    /** When the handler had done its work (SIGP: the target is kicked; ioeventfd: signalled), -1 before. */
    private double handlerDone = -1;

    SimExit(SimVcpu vcpu, ExitContext context, ExitPath path, SplittableRandom rng, double outlierProbability, double outlierNs) {
        this.vcpu = vcpu;
        this.context = context;
        this.stages = path.stages().toArray(new StageCost[0]);
        this.ns = new double[stages.length];
        int handler = -1;
        for (int i = 0; i < stages.length; i++) {
            StageCost s = stages[i];
            boolean happens = s.probability() >= 1 || rng.nextDouble() < s.probability();
            ns[i] = happens ? Lognormal.sample(s.medianNs(), s.spread(), rng) : 0;
            if (handler < 0 && i > 0 && stages[i - 1].stage() == Stage.DISPATCH) handler = i;
        }
        // a host interrupt or preemption now and then, inside the traced part
        if (handler >= 0 && rng.nextDouble() < outlierProbability) ns[handler] += -outlierNs * Math.log(1 - rng.nextDouble());
        ExitKind k = context.kind();
        this.pswmask = k.family() == ExitKind.Family.WAIT ? PSW_WAIT : k.family() == ExitKind.Family.PROGRAM ? PSW_USER : PSW_KERNEL;
        this.pswaddr = address(k);
    }

    /** Writes from the intercept up to the idle stage (or everything, without one). */
    void begin(double interceptNs) throws IOException {
        t = interceptNs;
        while (next < stages.length && stages[next].at() == Position.EXIT_TRANSIT) t += ns[next++];
        emit("kvm_s390_sie_exit", vcpuFields("icptcode", context.kind().icptcode()));
        writeUntilIdle();
    }

    /** Where the idle stage starts, or -1 when this exit has none pending. */
    double idleStart() {
        return idleStart;
    }

    /** Finishes a wait whose guest was woken at {@code wakeNs} (its interrupt was pending: no idle). */
    void wake(double wakeNs) throws IOException {
        if (idleStart < 0) throw new IllegalStateException("no idle stage pending");
        double idle = Math.max(0, wakeNs - idleStart);
        ns[next] = idle;
        t += idle;
        next++;
        idleStart = -1;
        writeRest();
    }

    /** Writes an exit without a pending idle stage; returns when the guest runs again. */
    double run(double interceptNs) throws IOException {
        begin(interceptNs);
        if (idleStart >= 0) throw new IllegalStateException("exit waits for a wake-up");
        return t;
    }

    double end() {
        return t;
    }

    double handlerDone() {
        return handlerDone;
    }

    private void writeUntilIdle() throws IOException {
        while (next < stages.length && stages[next].at() == Position.TRACED) {
            StageCost s = stages[next];
            if (s.stage() == Stage.GUEST_IDLE && s.medianNs() <= 0) {
                idleStart = t;
                return;
            }
            step();
        }
        writeRest();
    }

    private void writeRest() throws IOException {
        while (next < stages.length && stages[next].at() == Position.TRACED) step();
        emit("kvm_s390_sie_enter", vcpuFields("cpuflags", 0x00800880));
        while (next < stages.length) t += ns[next++];
    }

    private void step() throws IOException {
        Stage s = stages[next].stage();
        ExitKind k = context.kind();
        switch (s) {
            case INSN_DECODE -> emit("kvm_s390_intercept_instruction", vcpuFields("instruction", instruction(k)));
            case PROG_HANDLER -> emit("kvm_s390_intercept_prog", vcpuFields("code", Math.max(0, k.code())));
            case IOCTL_RETURN -> {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("reason", 13);   // KVM_EXIT_S390_SIEIC
                f.put("errno", 0);
                emit("kvm_userspace_exit", f);
            }
            default -> { }
        }
        t += ns[next++];
        if (s == Stage.INSN_DECODE) {
            if (k.family() == ExitKind.Family.DIAG) emit("kvm_s390_handle_diag", vcpuFields("code", k.code()));
            if (k.family() == ExitKind.Family.SIGP) {
                Map<String, Object> f = vcpuFields("order_code", k.code());
                f.put("cpu_addr", vcpu.partnerAddress());
                f.put("parameter", 0);
                emit("kvm_s390_handle_sigp", f);
            }
        }
        if (s == Stage.SIGP_HANDLER || s == Stage.EVENTFD_SIGNAL || s == Stage.INSN_HANDLER) handlerDone = t;
    }

    private Map<String, Object> vcpuFields(String name, long value) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("id", vcpu.id());
        f.put("pswmask", pswmask);
        // at re-entry the intercepted instruction has been completed: the PSW points past it
        boolean after = next >= stages.length || stages[next].at() != Position.TRACED;
        f.put("pswaddr", pswaddr + (after && context.kind().icptcode() == ExitKind.ICPT_INST ? 4 : 0));
        f.put(name, value);
        return f;
    }

    private void emit(String event, Map<String, ?> fields) throws IOException {
        vcpu.trace().event(vcpu.cpu(), Math.round(t), vcpu.pid(), event, fields);
    }

    /** {@code ipa << 48 | ipb << 16} of a plausible instruction for the exit. */
    static long instruction(ExitKind k) {
        return switch (k.family()) {
            case DIAG -> (0x8324L << 48) | ((k.code() & 0xfff) << 32);            // diag %r2,%r4,CODE
            case SIGP -> (0xae12L << 48) | ((k.code() & 0xfff) << 32);            // sigp %r1,%r2,ORDER
            default -> k.code() > 0xff ? (k.code() << 48) | (0x1000L << 32)        // e.g. ssch 0(%r1)
                    : (Math.max(0, k.code()) << 56);
        };
    }

    private static long address(ExitKind k) {
        return switch (k.family()) {
            case DIAG -> 0x00000000009c4e2aL;                 // virtio_ccw_kvm_notify
            case SIGP -> 0x0000000000117e46L;                 // smp_ctl / pcpu_sigp_retry
            case INSTRUCTION -> 0x00000000007c1d3cL;          // ssch in the cio layer
            case WAIT -> 0x0000000000103f5eL;                 // psw_idle
            case PROGRAM -> 0x000003ffa1b2c3d4L;              // user space
            default -> 0x0000000000a0b0c2L;
        };
    }
}
