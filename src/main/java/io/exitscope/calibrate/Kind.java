package io.exitscope.calibrate;

import io.exitscope.exit.ExitClass;

import java.util.ArrayList;
import java.util.List;

/**
 * The exit kinds {@code exitscope calibrate} drives, each one exerciser program (bench/README.md).
 * The <em>target</em> of a kind is the exit it is about: writes to {@link #PORT} for the port I/O
 * kinds, writes to {@link #MMIO_ADDR} for mmio, HLT for hlt.
 */
public enum Kind {
    PIO("pio", "out to port 0x500, handled in userspace (KVM_EXIT_IO)", Target.PIO, ExitClass.USERSPACE, "--mode", "pio"),
    MIXED("mixed", "4 x out 0x500 + 1 x out 0x3f8 per pass, all to userspace (A side of the ioeventfd A/B)",
            Target.PIO, ExitClass.USERSPACE, "--mode", "mixed"),
    PIO_IOEVENTFD("pio-ioeventfd", "the mixed program with KVM_IOEVENTFD on port 0x500: those writes stay in the kernel (B side)",
            Target.PIO, ExitClass.KERNEL, "--mode", "pio-ioeventfd"),
    MMIO("mmio", "1-byte write to unbacked guest memory 0xd0000 (KVM_EXIT_MMIO)", Target.MMIO, ExitClass.USERSPACE, "--mode", "mmio"),
    HLT("hlt", "hlt without an in-kernel irqchip (KVM_EXIT_HLT; a blocking exit)", Target.HLT, ExitClass.USERSPACE, "--mode", "hlt");

    /** The port the port I/O kinds write (the exerciser's default, passed explicitly). */
    public static final int PORT = 0x500;
    /** The other port of the mixed programs. */
    public static final int OTHER_PORT = 0x3f8;
    /** The unbacked guest physical address of the mmio kind. */
    public static final long MMIO_ADDR = 0xd0000L;

    /** What the target exit is. */
    public enum Target { PIO, MMIO, HLT }

    public final String label;
    public final String description;
    public final Target target;
    public final ExitClass expectedClass;
    private final List<String> modeArgs;

    Kind(String label, String description, Target target, ExitClass expectedClass, String... modeArgs) {
        this.label = label;
        this.description = description;
        this.target = target;
        this.expectedClass = expectedClass;
        this.modeArgs = List.of(modeArgs);
    }

    /** The target as text, e.g. {@code port 0x500 out}. */
    public String targetText() {
        return switch (target) {
            case PIO -> "port 0x" + Integer.toHexString(PORT) + " out";
            case MMIO -> "gpa 0x" + Long.toHexString(MMIO_ADDR) + " write";
            case HLT -> "hlt";
        };
    }

    /** Exerciser arguments for this kind. */
    public List<String> args(double seconds, long iterations, int cpu) {
        List<String> a = new ArrayList<>(modeArgs);
        switch (target) {
            case PIO -> a.addAll(List.of("--port", "0x" + Integer.toHexString(PORT), "--other-port", "0x" + Integer.toHexString(OTHER_PORT)));
            case MMIO -> a.addAll(List.of("--mmio-addr", "0x" + Long.toHexString(MMIO_ADDR)));
            case HLT -> { }
        }
        if (iterations > 0) a.addAll(List.of("--iterations", Long.toString(iterations)));
        else a.addAll(List.of("--seconds", Double.toString(seconds)));
        if (cpu >= 0) a.addAll(List.of("--cpu", Integer.toString(cpu)));
        return a;
    }

    public static Kind parse(String s) {
        for (Kind k : values()) if (k.label.equalsIgnoreCase(s.strip()) || k.name().equalsIgnoreCase(s.strip())) return k;
        throw new IllegalArgumentException("unknown kind '" + s.strip() + "' (pio, mixed, pio-ioeventfd, mmio, hlt)");
    }
}
