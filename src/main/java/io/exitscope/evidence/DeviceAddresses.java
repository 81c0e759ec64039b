package io.exitscope.evidence;

/**
 * What lives at a PC platform address: the devices KVM emulates in the kernel (their writes stay
 * there whatever ioeventfd does), and the legacy devices whose port writes carry data (no
 * doorbell, so no ioeventfd possible). Addresses are subkeys as the exit assembler writes them:
 * {@code port 0x20 out}, {@code gpa 0xfee000b0 write}.
 */
public final class DeviceAddresses {
    private DeviceAddresses() {}

    /**
     * The in-kernel device KVM emulates at this address, or null. Ranges: the local APIC page at
     * 0xfee00000 (APIC_DEFAULT_PHYS_BASE, arch/x86/include/asm/apicdef.h), the IOAPIC's 0x100 bytes
     * at 0xfec00000 (IOAPIC_DEFAULT_BASE_ADDRESS, IOAPIC_MEM_LENGTH, arch/x86/kvm/ioapic.h), the
     * i8259 PIC ports 0x20/0x21, 0xa0/0xa1 and ELCR 0x4d0/0x4d1 (kvm_pic_init, arch/x86/kvm/i8259.c),
     * the i8254 PIT ports 0x40..0x43 and the speaker port 0x61 (KVM_PIT_BASE_ADDRESS,
     * KVM_SPEAKER_BASE_ADDRESS, arch/x86/kvm/i8254.h). The HPET's 1 KiB at 0xfed00000 is a timer,
     * never a doorbell: QEMU emulates it, but a write there that stays in the kernel is no ioeventfd.
     */
    public static String kernelDevice(String subkey) {
        long gpa = value(subkey, "gpa 0x");
        if (gpa >= 0) {
            if (gpa >= 0xfee00000L && gpa <= 0xfee00fffL) return "local APIC";
            if (gpa >= 0xfec00000L && gpa <= 0xfec000ffL) return "IOAPIC";
            if (gpa >= 0xfed00000L && gpa <= 0xfed003ffL) return "HPET";
            return null;
        }
        long p = value(subkey, "port 0x");
        if (p < 0) return null;
        if (p == 0x20 || p == 0x21 || p == 0xa0 || p == 0xa1 || p == 0x4d0 || p == 0x4d1) return "PIC";
        if (p >= 0x40 && p <= 0x43 || p == 0x61) return "PIT";
        return null;
    }

    /** Legacy PC devices whose port writes carry data (no ioeventfd possible); null if none. */
    public static String dataPort(String subkey) {
        long p = value(subkey, "port 0x");
        if (p < 0) return null;
        if (p >= 0x3f8 && p <= 0x3ff || p >= 0x2f8 && p <= 0x2ff || p >= 0x3e8 && p <= 0x3ef || p >= 0x2e8 && p <= 0x2ef) return "serial port (UART)";
        if (p == 0x60 || p == 0x64) return "i8042 keyboard controller";
        if (p == 0x70 || p == 0x71) return "RTC/CMOS";
        if (p == 0x20 || p == 0x21 || p == 0xa0 || p == 0xa1) return "i8259 PIC";
        if (p >= 0x40 && p <= 0x43 || p == 0x61) return "i8254 PIT / speaker";
        if (p == 0x80) return "POST diagnostic port";
        if (p >= 0x3b0 && p <= 0x3df) return "VGA";
        if (p >= 0x1f0 && p <= 0x1f7 || p >= 0x170 && p <= 0x177 || p == 0x3f6 || p == 0x376) return "IDE";
        if (p >= 0xcf8 && p <= 0xcff) return "PCI configuration space";
        if (p == 0x510 || p == 0x511 || p == 0x514) return "fw_cfg";
        if (p >= 0x378 && p <= 0x37a) return "parallel port";
        if (p == 0xe9 || p == 0x402 || p == 0x403) return "debug console";
        return null;
    }

    /** An x86 port write ({@code port 0x500 out}): only writes can be ioeventfds, reads never are. */
    public static boolean portWrite(String subkey) {
        return value(subkey, "port 0x") >= 0 && subkey.endsWith(" out");
    }

    /** The hex number after {@code prefix} ({@code port 0x3f8 out} -> 0x3f8), -1 if the subkey is not one. */
    private static long value(String subkey, String prefix) {
        if (subkey == null || !subkey.startsWith(prefix)) return -1;
        int end = subkey.indexOf(' ', prefix.length());
        try {
            return Long.parseLong(subkey.substring(prefix.length(), end < 0 ? subkey.length() : end), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
