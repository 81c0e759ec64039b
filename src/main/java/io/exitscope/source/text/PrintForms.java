package io.exitscope.source.text;

import io.exitscope.event.X86ExitReasons;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The printed ("print fmt" and libtraceevent kvm plugin) forms of the KVM events exitscope needs,
 * parsed back into the fields of the binary record, so analysis code asks for {@code port} or
 * {@code exit_reason} whatever the source. Everything event specific lives in this table.
 *
 * <p>Most forms are keyword driven: a keyword token is followed by its value ({@code rip 0x..},
 * {@code size 1}), or is itself the value ({@code pio_write}, {@code unload}). Scanning by keyword
 * instead of matching one exact layout accepts every kernel generation at once: 4.x
 * {@code reason X rip 0x.. info A B}, 6.x {@code vcpu 0 reason X rip 0x.. info1 0x.. ...},
 * the plugin's {@code reason X rip 0x.. info A B} and 6.18's added {@code requests}. A field whose
 * keyword a line lacks is simply absent from that event.
 *
 * <p>Sources: Linux 6.18 {@code events/kvm/*}/format print fmts, arch/s390/kvm/trace.h (see
 * reference/s390.md) and libtraceevent plugins/plugin_kvm.c.
 */
final class PrintForms {
    private PrintForms() {}

    /** Parses part of an event's text into fields; the cursor stands on the keyword token. */
    @FunctionalInterface
    interface Action {
        void apply(Cursor c, FieldValues out);
    }

    /** One event's print form: its fields (declared up front: the binary ones in binary order, then text-only ones) and keywords. */
    static final class Form {
        final String event;
        final String[] fields;
        final int[] kinds;
        private final List<String> words = new ArrayList<>();
        private final List<Action> actions = new ArrayList<>();
        private Action prefix, whole, post, afterRaw;
        /** Groups of fields that every kernel's print form of this event prints together, first field first ({@link #cut}). */
        private final List<String[]> together = new ArrayList<>();

        /** {@code spec}: field names in binary order; suffix {@code :x} hex, {@code :s} string, {@code :b} bytes, prefix {@code -} signed. */
        Form(String event, String spec) {
            this.event = event;
            String[] parts = spec.isEmpty() ? new String[0] : spec.split(" ");
            fields = new String[parts.length];
            kinds = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                String p = parts[i];
                int kind = EventType.NUM;
                if (p.startsWith("-")) { kind = EventType.SIGNED; p = p.substring(1); }
                if (p.endsWith(":x")) kind = EventType.HEX;
                else if (p.endsWith(":s")) kind = EventType.STR;
                else if (p.endsWith(":b")) kind = EventType.BYTES;
                fields[i] = p.replaceFirst(":.$", "");
                kinds[i] = kind;
            }
        }

        Form key(String word, Action a) { words.add(word); actions.add(a); return this; }

        /**
         * Fields every print form of this event has ever printed together, in this order: a line
         * that shows the first of them but not all was cut in the middle of its fields.
         */
        Form together(String... fields) { together.add(fields); return this; }

        /**
         * The line was cut in the middle of its fields: it began one of the {@link #together} groups
         * (its first field was read) and ends before the rest, which every kernel prints after it
         * ({@code kvm_pio: pio_write at 0x3f8 si}, {@code kvm_exit: reason EXTERNAL_INTERRUPT}).
         * A value cut inside (a hex number missing its last digits) still reads as a number: that
         * cannot be seen and is not claimed. Lines of forms no group covers are read as they are.
         */
        boolean cut(FieldValues v) {
            for (String[] g : together) {
                if (!v.has(g[0])) continue;
                for (int i = 1; i < g.length; i++) if (!v.has(g[i])) return true;
            }
            return false;
        }
        /** Parses the first token (the s390 {@code id[pswmask-pswaddr]:} prefix). */
        Form prefix(Action a) { prefix = a; return this; }
        /** Parses the whole text instead of scanning keywords. */
        Form whole(Action a) { whole = a; return this; }
        /** Runs after the scan, with the cursor reset to the whole text (defaults, flags). */
        Form post(Action a) { post = a; return this; }
        /** Runs after a {@code name=value} ({@code -R}) line of this event was parsed by {@link RawFields}. */
        Form afterRaw(Action a) { afterRaw = a; return this; }

        void afterRaw(Cursor c, FieldValues out) {
            if (afterRaw != null) afterRaw.apply(c, out);
        }

        void parse(Cursor c, FieldValues out) {
            int from = c.start, to = c.end;
            if (whole != null) {
                whole.apply(c, out);
            } else {
                if (prefix != null && c.next()) prefix.apply(c, out);
                int n = words.size();
                while (c.next()) {
                    for (int k = 0; k < n; k++) {
                        if (c.is(words.get(k))) { actions.get(k).apply(c, out); break; }
                    }
                }
            }
            if (post != null) post.apply(c.reset(c.s, from, to), out);
        }
    }

    private static final Map<String, Form> FORMS = new HashMap<>();
    private static final Map<String, Set<String>> BARE_HEX = new HashMap<>();
    private static final Set<String> S390_COMMON_HEX = Set.of("pswmask", "pswaddr");

    static Form get(String event) {
        return FORMS.get(event);
    }

    /** Events of the kvm system whose names do not start with {@code kvm_}. */
    static boolean isKvm(String event) {
        return event.equals("vcpu_match_mmio");
    }

    static Set<String> bareHexFields(String event) {
        Set<String> s = BARE_HEX.get(event);
        if (s != null) return s;
        return event.startsWith("kvm_s390_") ? S390_COMMON_HEX : Set.of();
    }

    // ---------------------------------------------------------------------------------------
    // The table

    private static final String[] MMIO_TYPES = {"unsatisfied-read", "read", "write"};
    /** kvm_emulate_insn {@code flags} by the mode name the kernel prints. */
    private static final String[] INSN_MODES = {"real", "prot16", null, "vm16", null, "prot32", null, null, null, "prot64"};
    private static final String APIC_REGS = "20:ID,30:LVR,80:TASKPRI,90:ARBPRI,a0:PROCPRI,b0:EOI,c0:RRR,d0:LDR,"
            + "e0:DFR,f0:SPIV,100:ISR,180:TMR,200:IRR,280:ESR,300:ICR,310:ICR2,320:LVTT,330:LVTTHMR,340:LVTPC,"
            + "350:LVT0,360:LVT1,370:LVTERR,380:TMICT,390:TMCCT,3e0:TDCR,3f0:SELF_IPI,400:EFEAT,410:ECTRL";
    private static final Map<String, Long> APIC_BY_NAME = new HashMap<>();

    static {
        for (String pair : APIC_REGS.split(",")) {
            int colon = pair.indexOf(':');
            APIC_BY_NAME.put("APIC_" + pair.substring(colon + 1), Long.parseLong(pair.substring(0, colon), 16));
        }

        // x86 ------------------------------------------------------------------------------
        // x86, then arm64 (ret esr_ec vcpu_pc) and riscv (sepc scause stval htval htinst): one name, three architectures
        add(new Form("kvm_exit", "exit_reason guest_rip:x isa info1:x info2:x intr_info:x error_code:x vcpu_id requests:x "
                + "ret esr_ec:x vcpu_pc:x sepc:x scause:x stval:x htval:x htinst:x exit_reason_name:s")
                .key("vcpu", dec("vcpu_id"))
                .key("reason", PrintForms::exitReason)
                .key("rip", hex("guest_rip"))
                .key("info", hex("info1", "info2"))               // 4.x kernels and the plugin: bare hex
                .key("info1", hex("info1")).key("info2", hex("info2"))
                .key("intr_info", hex("intr_info")).key("error_code", hex("error_code"))
                .key("requests", hex("requests"))
                // arm64 "%s: HSR_EC: 0x%04x (%s), PC: 0x%08lx" (4.x-5.9, virt/kvm/arm/trace.h), "..PC: 0x%016lx" (5.10 on)
                .key("HSR_EC:", hex("esr_ec")).key("PC:", hex("vcpu_pc"))
                .key("IRQ:", set("ret", 0)).key("SERROR:", set("ret", 1)).key("TRAP:", set("ret", 2)).key("ILLEGAL:", set("ret", 3))
                // riscv "SEPC:0x%lx, SCAUSE:0x%lx, STVAL:0x%lx, HTVAL:0x%lx, HTINST:0x%lx" (arch/riscv/kvm/trace.h)
                .post(labelled("SEPC:", "sepc", "SCAUSE:", "scause", "STVAL:", "stval", "HTVAL:", "htval", "HTINST:", "htinst"))
                .afterRaw(PrintForms::exitReasonName)
                // x86 "reason %s rip 0x%lx" from 2.6.x to 6.18 and the plugin; 5.x/6.x "vcpu %u reason"; 4.x "info %llx %llx"
                .together("vcpu_id", "exit_reason", "guest_rip").together("exit_reason", "guest_rip")
                .together("info1", "info2")
                // arm64 4.x-6.x "%s: HSR_EC: 0x%04x (%s), PC: 0x%..lx"; riscv's one form
                .together("esr_ec", "vcpu_pc").together("sepc", "scause", "stval", "htval", "htinst"));
        add(new Form("kvm_entry", "vcpu_id rip:x immediate_exit intr_info:x error_code:x vcpu_pc:x")
                .key("vcpu", dec("vcpu_id")).key("rip", hex("rip"))
                .key("intr_info", hex("intr_info")).key("error_code", hex("error_code"))
                .key("PC:", hex("vcpu_pc"))
                .post(PrintForms::immediateExit));
        add(new Form("kvm_pio", "rw port:x size count val:x")
                .key("pio_read", set("rw", 0)).key("pio_write", set("rw", 1))
                .key("at", hex("port")).key("size", dec("size")).key("count", dec("count")).key("val", hex("val"))
                .together("rw", "port", "size", "count"));                // "pio_%s at 0x%x size %d count %d" since 2.6.x; val later
        add(new Form("kvm_mmio", "type len gpa:x val:x")
                .key("mmio", symbol("type", MMIO_TYPES))
                .key("len", dec("len")).key("gpa", hex("gpa")).key("val", hex("val"))
                .together("type", "len", "gpa", "val"));                  // "mmio %s len %u gpa 0x%llx val 0x%llx" in every kernel
        add(new Form("kvm_fast_mmio", "gpa:x").key("gpa", hex("gpa")));
        add(new Form("kvm_userspace_exit", "reason -errno").key("reason", PrintForms::userspaceExit));
        add(new Form("kvm_fpu", "load").key("load", set("load", 1)).key("unload", set("load", 0)));
        add(new Form("kvm_msr", "write ecx:x data:x exception")                 // "msr_write 10 = 0x0 (#GP)"
                .key("msr_read", set("write", 0, "ecx")).key("msr_write", set("write", 1, "ecx"))
                .key("=", hex("data")).key("(#GP)", set("exception", 1))
                .together("write", "ecx", "data")                         // "msr_%s %x = 0x%llx%s"
                .post(ifAbsent("exception", 0, "write")));
        add(new Form("kvm_cr", "rw cr:x val:x")
                .key("cr_read", set("rw", 0, "cr")).key("cr_write", set("rw", 1, "cr")).key("=", hex("val"))
                .together("rw", "cr", "val"));                            // "cr_%s %x = 0x%lx"
        add(new Form("kvm_apic", "rw reg:x val:x")
                .key("apic_read", set("rw", 0)).key("apic_write", set("rw", 1)).key("=", hex("val"))
                .post(PrintForms::apicReg));
        add(new Form("kvm_hypercall", "nr:x a0:x a1:x a2:x a3:x")
                .key("nr", hex("nr")).key("a0", hex("a0")).key("a1", hex("a1")).key("a2", hex("a2")).key("a3", hex("a3"))
                .together("nr", "a0", "a1", "a2", "a3"));
        add(new Form("kvm_page_fault", "vcpu_id guest_rip:x fault_address:x error_code:x")
                .key("vcpu", dec("vcpu_id")).key("rip", hex("guest_rip"))
                .key("address", hex("fault_address")).key("error_code", hex("error_code")));
        add(new Form("vcpu_match_mmio", "gva:x gpa:x write gpa_match")
                .key("gva", hex("gva")).key("gpa", hex("gpa"))
                .key("Read", set("write", 0)).key("Write", set("write", 1))
                .key("GVA", set("gpa_match", 0)).key("GPA", set("gpa_match", 1)));
        add(new Form("kvm_emulate_insn", "rip:x csbase:x len insn:b flags failed").whole(PrintForms::emulateInsn));

        // arm64 (arch/arm64/kvm/trace_handle_exit.h, trace_arm.h) ----------------------------
        add(new Form("kvm_wfx_arm64", "vcpu_pc:x is_wfe")                       // "guest executed wf%c at: 0x%016lx"
                .key("wfi", set("is_wfe", 0)).key("wfe", set("is_wfe", 1)).key("at:", hex("vcpu_pc")));
        add(new Form("kvm_hvc_arm64", "vcpu_pc:x r0:x imm:x")                 // "HVC at 0x%016lx (r0: 0x%016lx, imm: 0x%lx)"
                .key("at", hex("vcpu_pc")).post(labelled("r0: ", "r0", "imm: ", "imm")));
        add(new Form("kvm_handle_sys_reg", "hsr:x").key("HSR", hex("hsr")));   // "HSR 0x%08lx"
        add(new Form("kvm_sys_access", "vcpu_pc:x is_write name:s Op0 Op1 CRn CRm Op2").whole(PrintForms::sysAccess));
        add(new Form("kvm_guest_fault", "vcpu_pc:x hsr:x hxfar:x ipa:x")      // "ipa %#llx, hsr %#08lx, hxfar %#08lx, pc %#016lx"
                .key("ipa", hex("ipa")).key("hsr", hex("hsr")).key("hxfar", hex("hxfar")).key("pc", hex("vcpu_pc")));

        // s390: every vCPU event starts with "%02d[%016lx-%016lx]: " (id, pswmask, pswaddr) -------
        add(s390("kvm_s390_sie_enter", "cpuflags:x").key("flags", hex("cpuflags")));
        add(s390("kvm_s390_sie_exit", "icptcode").key("icptcode", dec("icptcode")));
        add(s390("kvm_s390_intercept_instruction", "instruction:x").key("instruction", hex("instruction")));
        add(s390("kvm_s390_intercept_prog", "code:x").key("interruption", hex("code")));
        add(s390("kvm_s390_intercept_validity", "viwhy:x").key("intercept", hex("viwhy")));
        add(s390("kvm_s390_handle_diag", "code:x").key("call", hex("code")));
        add(s390("kvm_s390_handle_sigp", "order_code:x cpu_addr:x parameter:x")  // "order 12 (set arch), cpu address 0001, parameter 00000000"
                .key("order", hex("order_code")).key("address", hex("cpu_addr")).key("parameter", hex("parameter")));
        add(s390("kvm_s390_handle_sigp_pei", "order_code:x cpu_addr:x")
                .key("order", hex("order_code")).key("address", hex("cpu_addr")));

        // Fields that trace-cmd report -R prints with %x and no 0x: from the 6.18 print fmts and s390 trace.h
        String bareHex = "kvm_apic_accept_irq:apicid kvm_apicv_accept_irq:apicid kvm_apic_ipi:dest_id kvm_eoi:apicid "
                + "kvm_pv_eoi:apicid kvm_cpuid:function,index,rax,rbx,rcx,rdx kvm_cr:cr kvm_emulate_insn:csbase,rip "
                + "kvm_hv_send_ipi:vector kvm_hv_send_ipi_ex:vector,format kvm_hv_timer_state:vcpu_id,hv_timer_in_use "
                + "kvm_msr:ecx kvm_nested_intercepts:cr_read,cr_write,exceptions,intercept1,intercept2,intercept3 "
                + "kvm_rmp_fault:gpa kvm_vmgexit_enter:exit_reason,info1,info2 kvm_vmgexit_exit:exit_reason,info1,info2 "
                + "kvm_vmgexit_msr_protocol_enter:ghcb_gpa kvm_vmgexit_msr_protocol_exit:ghcb_gpa kvm_xen_hypercall:a5 "
                + "kvm_s390_sie_enter:cpuflags kvm_s390_intercept_instruction:instruction kvm_s390_intercept_prog:code "
                + "kvm_s390_intercept_validity:viwhy kvm_s390_handle_diag:code kvm_s390_handle_sigp:order_code,cpu_addr,parameter "
                + "kvm_s390_handle_sigp_pei:order_code,cpu_addr kvm_s390_handle_lctl:reg1,reg3,addr "
                + "kvm_s390_handle_stctl:reg1,reg3,addr kvm_s390_handle_prefix:address kvm_s390_handle_stap:address "
                + "kvm_s390_handle_stfl:facility_list kvm_s390_handle_stsi:addr kvm_s390_handle_operexc:instruction "
                + "kvm_s390_handle_sthyi:addr kvm_s390_inject_vm:inttype,parm,parm64 kvm_s390_inject_vcpu:inttype,parm,parm64 "
                + "kvm_s390_deliver_interrupt:inttype,data0,data1 kvm_s390_request_resets:resets kvm_s390_stop_request:flags";
        for (String entry : bareHex.split(" ")) {
            int colon = entry.indexOf(':');
            String event = entry.substring(0, colon);
            Set<String> fields = new HashSet<>(List.of(entry.substring(colon + 1).split(",")));
            if (event.startsWith("kvm_s390_")) fields.addAll(S390_COMMON_HEX);
            BARE_HEX.put(event, Set.copyOf(fields));
        }
    }

    private static void add(Form f) {
        FORMS.put(f.event, f);
    }

    private static Form s390(String event, String fields) {
        return new Form(event, "id pswmask:x pswaddr:x " + fields).prefix(PrintForms::s390Prefix);
    }

    // ---------------------------------------------------------------------------------------
    // Actions

    /** The next token(s) as hex, with or without {@code 0x}. */
    static Action hex(String... fields) {
        return (c, out) -> {
            for (String f : fields) {
                if (c.next() && c.number(16)) out.num(f, EventType.HEX, c.value, c.numText());
            }
        };
    }

    static Action dec(String field) {
        return (c, out) -> {
            if (c.next() && c.number(10)) out.num(field, c.negative ? EventType.SIGNED : EventType.NUM, c.value, c.numText());
        };
    }

    /** The keyword itself is the value; {@code then} names a field printed (as hex) right after it. */
    static Action set(String field, long value, String... then) {
        Action rest = then.length == 0 ? null : hex(then);
        return (c, out) -> {
            out.num(field, EventType.NUM, value, null);
            if (rest != null) rest.apply(c, out);
        };
    }

    /** The next token is one of {@code names}; the field is its index. */
    static Action symbol(String field, String... names) {
        return (c, out) -> {
            if (!c.next()) return;
            for (int i = 0; i < names.length; i++) {
                if (names[i] != null && c.is(names[i])) { out.num(field, EventType.NUM, i, null); return; }
            }
        };
    }

    /**
     * Values printed after a label glued to them or followed by a space ({@code SCAUSE:0x9,},
     * {@code imm: 0x0)}): pairs of (label, field), hex, looked up anywhere in the text.
     */
    static Action labelled(String... labelsAndFields) {
        return (c, out) -> {
            for (int i = 0; i < labelsAndFields.length; i += 2) {
                int at = c.s.indexOf(labelsAndFields[i], c.start);
                if (at < 0 || at >= c.end) continue;
                int from = at + labelsAndFields[i].length();
                while (from < c.end && c.s.charAt(from) == ' ') from++;
                int to = from;
                while (to < c.end && c.s.charAt(to) != ',' && c.s.charAt(to) != ' ' && c.s.charAt(to) != ')') to++;
                if (c.numberAt(from, to, 16)) out.num(labelsAndFields[i + 1], EventType.HEX, c.value, c.s.substring(from, c.numEnd));
            }
        };
    }

    /** arm64 {@code kvm_sys_access}: {@code "PC: %lx %s (%d,%d,%d,%d,%d) %s"}: pc, register name, encoding, read|write. */
    private static void sysAccess(Cursor c, FieldValues out) {
        if (!c.next() || !c.is("PC:") || !c.next() || !c.number(16)) return;
        out.num("vcpu_pc", EventType.HEX, c.value, c.numText());
        if (!c.next()) return;
        out.str("name", c.token());
        if (!c.next() || c.s.charAt(c.tokStart) != '(') return;
        String[] ops = {"Op0", "Op1", "CRn", "CRm", "Op2"};
        int p = c.tokStart + 1;
        for (String op : ops) {
            int q = p;
            while (q < c.tokEnd && c.s.charAt(q) != ',' && c.s.charAt(q) != ')') q++;
            if (!c.numberAt(p, q, 10)) return;
            out.num(op, EventType.NUM, c.value, c.s.substring(p, c.numEnd));
            p = q + 1;
        }
        if (c.next()) {
            if (c.is("write")) out.num("is_write", EventType.NUM, 1, null);
            else if (c.is("read")) out.num("is_write", EventType.NUM, 0, null);
        }
    }

    /** Prints that only mark the non-default case: set the default when the form was recognised. */
    static Action ifAbsent(String field, long value, String whenPresent) {
        return (c, out) -> {
            if (!out.has(field) && out.has(whenPresent)) out.num(field, EventType.NUM, value, null);
        };
    }

    /**
     * {@code reason NAME [FAILED_VMENTRY]} up to {@code rip}: NAME may hold spaces ({@code DE excp}),
     * may be the plugin's {@code UNKNOWN (123)}, or a number where no name matched ({@code 0x1d}).
     */
    private static void exitReason(Cursor c, FieldValues out) {
        int nameStart = -1, nameEnd = -1;
        boolean failed = false;
        long unknownCode = -1;
        int save = c.pos;
        while (c.next()) {
            if (c.is("rip") || c.is("info") || c.is("info1")) { c.pos = save; break; }
            if (c.is("FAILED_VMENTRY")) { failed = true; save = c.pos; continue; }
            if (c.s.charAt(c.tokStart) == '(' && nameStart >= 0) {        // plugin "UNKNOWN (123)"
                if (c.numberAt(c.tokStart + 1, c.tokEnd, 10)) unknownCode = c.value;
                save = c.pos;
                continue;
            }
            if (nameStart < 0) nameStart = c.tokStart;
            nameEnd = c.tokEnd;
            save = c.pos;
        }
        if (nameStart < 0) return;
        String name = c.s.substring(nameStart, nameEnd);
        long code = -1;
        int isa = 0;
        long found = X86ExitReasons.lookup(name);       // AMBIGUOUS: the exit binding decides the ISA
        if (found >= 0) {
            isa = (int) (found >>> 32);
            code = found & 0xffffffffL;
        } else if (unknownCode >= 0) {
            code = unknownCode;
        } else if (c.numberAt(nameStart, nameEnd, 10) && c.numEnd == nameEnd) {
            code = c.value & 0xffffffffL;                                  // no symbol matched: "0x%llx"
        }
        if (failed) {
            isa = X86ExitReasons.VMX;
            if (code >= 0) code |= X86ExitReasons.FAILED_VMENTRY;
        }
        if (code >= 0) out.num("exit_reason", EventType.NUM, code, null);
        if (isa != 0) out.num("isa", EventType.NUM, isa, null);
        out.str("exit_reason_name", name);
    }

    /** Raw lines carry only the code: add the kernel's name, as the print form would have shown. */
    private static void exitReasonName(Cursor c, FieldValues out) {
        if (!out.has("exit_reason") || out.has("exit_reason_name")) return;
        String name = X86ExitReasons.name((int) out.get("isa"), out.get("exit_reason"));
        if (name != null) out.str("exit_reason_name", name);
    }

    /** 6.18 prints {@code [immediate exit]} glued to error_code only when set. */
    private static void immediateExit(Cursor c, FieldValues out) {
        if (c.s.indexOf("[immediate exit]", c.start) >= 0) out.num("immediate_exit", EventType.NUM, 1, null);
        else if (out.has("intr_info")) out.num("immediate_exit", EventType.NUM, 0, null);
    }

    /** {@code reason KVM_EXIT_IO (2)}; a negative errno prints {@code restart (4)} or {@code error (N)} instead. */
    private static void userspaceExit(Cursor c, FieldValues out) {
        if (!c.next()) return;
        boolean errno = c.is("restart") || c.is("error");
        if (!c.next() || c.s.charAt(c.tokStart) != '(' || !c.numberAt(c.tokStart + 1, c.tokEnd, 10)) return;
        String text = c.s.substring(c.tokStart + 1, c.numEnd);
        if (errno) {
            out.num("errno", EventType.SIGNED, -c.value, "-" + text);
        } else {
            out.num("reason", EventType.NUM, c.value, text);
            out.num("errno", EventType.SIGNED, 0, null);
        }
    }

    /** {@code apic_write APIC_TMICT = 0x6094b}: the register name back to its offset. */
    private static void apicReg(Cursor c, FieldValues out) {
        while (c.next()) {
            if (c.tokEnd - c.tokStart > 5 && c.s.startsWith("APIC_", c.tokStart)) {
                Long reg = APIC_BY_NAME.get(c.token());
                if (reg != null) out.num("reg", EventType.HEX, reg, null);
                else if (c.numberAt(c.tokStart + 5, c.tokEnd, 16)) out.num("reg", EventType.HEX, c.value, null);
                return;
            }
        }
    }

    /** s390 {@code 01[0704c00180000000-00000000001b1b3a]:}. */
    private static void s390Prefix(Cursor c, FieldValues out) {
        int open = c.s.indexOf('[', c.tokStart);
        if (open < 0 || open >= c.tokEnd) return;
        if (c.numberAt(c.tokStart, open, 10)) out.num("id", EventType.NUM, c.value, c.s.substring(c.tokStart, c.numEnd));
        if (c.numberAt(open + 1, c.tokEnd, 16)) {
            out.num("pswmask", EventType.HEX, c.value, c.s.substring(open + 1, c.numEnd));
            int dash = c.numEnd;
            if (dash < c.tokEnd && c.s.charAt(dash) == '-' && c.numberAt(dash + 1, c.tokEnd, 16)) {
                out.num("pswaddr", EventType.HEX, c.value, c.s.substring(dash + 1, c.numEnd));
            }
        }
    }

    /**
     * Kernel {@code csbase:rip:ba 00 05 (real)[ failed]}; plugin {@code csbase:rip[ func+off]: ba 00 05[ FAIL]}
     * (or, with udis86, a disassembly instead of bytes: then insn and len stay absent).
     */
    private static void emulateInsn(Cursor c, FieldValues out) {
        String s = c.s;
        int end = c.end;
        int colon = s.indexOf(':', c.start);
        if (colon < 0 || colon >= end || !c.numberAt(c.start, colon, 16)) return;
        out.num("csbase", EventType.HEX, c.value, s.substring(c.start, c.numEnd));
        if (!c.numberAt(colon + 1, end, 16)) return;
        out.num("rip", EventType.HEX, c.value, s.substring(colon + 1, c.numEnd));
        int bytesStart = s.indexOf(':', c.numEnd);
        if (bytesStart < 0 || bytesStart >= end) return;
        c.pos = bytesStart + 1;
        byte[] buf = new byte[15];
        int n = 0;
        boolean bytes = true, any = false;
        while (c.next()) {
            any = true;
            if (bytes && c.tokEnd - c.tokStart == 2 && n < buf.length
                    && Cursor.digit(s.charAt(c.tokStart), 16) >= 0 && Cursor.digit(s.charAt(c.tokStart + 1), 16) >= 0) {
                buf[n++] = (byte) (Cursor.digit(s.charAt(c.tokStart), 16) << 4 | Cursor.digit(s.charAt(c.tokStart + 1), 16));
                continue;
            }
            bytes = false;
            if (s.charAt(c.tokStart) == '(') {
                for (int m = 0; m < INSN_MODES.length; m++) {
                    String mode = INSN_MODES[m];
                    if (mode != null && c.tokEnd - c.tokStart == mode.length() + 2 && s.startsWith(mode, c.tokStart + 1)) {
                        out.num("flags", EventType.NUM, m, null);
                    }
                }
            } else if (c.is("failed") || c.is("FAIL")) {
                out.num("failed", EventType.NUM, 1, null);
            }
        }
        if (n > 0 || !any) {           // bytes, or an empty instruction; not a disassembly
            out.num("len", EventType.NUM, n, null);
            out.bytes("insn", java.util.Arrays.copyOf(buf, n));
        }
        if (!out.has("failed")) out.num("failed", EventType.NUM, 0, null);
    }
}
