package io.exitscope.triage;

import io.exitscope.testutil.Cli;
import io.exitscope.testutil.SharedTraces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --fail-on}: the grammar, its errors, and exit codes 2 / 0 / 64 on the real traces. */
class FailExprTest {
    static final String VMX = "x86-vmx-linux-6.5/host-kvm-tsc2nsec.dat";
    static final String PVM = "x86-pvm-linux-6.18/pvm-ioeventfd-ab.dat";

    static Cli triage(String file, String expr, String... extra) {
        String[] args = new String[5 + extra.length];
        args[0] = "triage";
        args[1] = "--fail-on";
        args[2] = expr;
        System.arraycopy(extra, 0, args, 3, extra.length);
        args[3 + extra.length] = "--format";
        args[4 + extra.length] = "json";
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = SharedTraces.require(file).toString();
        return Cli.run(all);
    }

    // report: EPT_MISCONFIG [unknown: the trace has no kvm_userspace_exit] p99 18.7us, max 59.1us; HLT is the only blocking reason; no lost events
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "p99(reason=EPT_MISCONFIG) > 20us | 0",
            "p99(reason=EPT_MISCONFIG) > 10us | 2",
            "p99(reason=EPT_MISCONFIG) >= 18.6us | 2",
            "max(reason=EPT_MISCONFIG) > 50us | 2",
            "p999(reason=EPT_MISCONFIG) > 1ms | 0",
            "p99.9(reason=ept_misconfig) > 50us | 2",
            "share(class=userspace) > 30% | 0",
            "share(class=unknown) > 30% | 2",                           // recorded without kvm_userspace_exit
            "share(class=kernel) > 0% | 0",
            "share(reason=APIC_WRITE) > 0.5 | 2",
            "share(reason=APIC_WRITE) > 60% | 0",
            "count(reason=HLT) == 1663 | 2",
            "count() > 1000000 | 0",
            "count(reason=EPT_*) > 400 | 2",
            "rate(reason=APIC_WRITE) > 1000/s | 2",
            "rate(reason=APIC_WRITE) > 100000 | 0",
            "lost > 0 | 0",
            "partial == 0 and exits > 0 | 2",
            "lost > 0 or p99(reason=EPT_MISCONFIG) > 10us | 2",
            "lost > 0 or p99(reason=EPT_MISCONFIG) > 20us | 0",
            "not (lost > 0) && mean() < 1ms | 2",
            "p50(class=unknown, reason!=HLT) < 1us | 2",
            "max(blocking=yes) > 100ms | 2",
            "max() > 100ms | 0",
            "share(reason=HLT) > 50% | 2",
    })
    void exitCodeOnTheRealVmxTrace(String expr, int code) {
        Cli c = triage(VMX, expr.strip());
        assertEquals(code, c.code, c.toString());
        assertTrue(c.err.contains(code == 2 ? "threshold crossed" : "threshold not crossed"), c.err);
    }

    @Test
    void portSelectorOnThePvmRuns() {
        assertEquals(2, triage(PVM, "count(port=0x500, class=userspace) > 0", "--tid", "21516").code);
        assertEquals(0, triage(PVM, "count(port=0x500, class=userspace) > 0", "--tid", "21518").code);
        assertEquals(2, triage(PVM, "count(subkey=\"port 0x500*\", class=kernel) == 4000", "--tid", "21518").code);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "p99(reason=EPT_MISCONFIG) >> 20us | '>' at column 28",
            "p99(reason=EPT_MISCONFIG) > 20 | '20' at column 29: p99 is a time",
            "p99x(reason=A) > 1us | 'p99x' at column 1: unknown metric",
            "share(class=user) > 30% | 'user' at column 13: unknown class",
            "share() > 30 | '30' at column 11: share is a fraction",
            "p99(reason=A > 2us | '>' at column 14",
            "p99(colour=red) > 1us | 'colour' at column 5: unknown dimension",
            "count() > | at the end",
            "lost > 0 andd exits > 1 | 'andd' at column 10",
            "rate() > 5ms | '5ms' at column 10: rate is exits per second",
            "p99 > 1us | 'p99' at column 1",
            "(lost > 0 | at the end: expected ')'",
            "count() > 5furlongs | '5furlongs' at column 11: unknown unit",
    })
    void malformedExpressionsExit64WithOneLinePointingAtTheToken(String expr, String expected) {
        Cli c = triage(VMX, expr.strip());
        assertEquals(64, c.code, c.toString());
        assertTrue(c.out.isEmpty(), "nothing analysed: " + c.out);
        String err = c.err.strip();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("exitscope: --fail-on \"" + expr.strip() + "\": "), err);
        assertTrue(err.contains(expected.strip()), err + " should contain " + expected);
    }

    @Test
    void syntaxErrorCarriesColumnAndToken() {
        FailExpr.SyntaxError e = assertThrows(FailExpr.SyntaxError.class, () -> FailExpr.parse("share(class=userspace) > 30 %"));
        assertEquals("30", e.token, "a share of 30 is out of range: 30% needs no blank");
        assertEquals(26, e.column);
        e = assertThrows(FailExpr.SyntaxError.class, () -> FailExpr.parse("share(class=userspace) > 0.3 %"));
        assertEquals("%", e.token);
        assertEquals(30, e.column);
        assertThrows(FailExpr.SyntaxError.class, () -> FailExpr.parse(""));
        assertThrows(FailExpr.SyntaxError.class, () -> FailExpr.parse("5 > 3"));
        assertThrows(FailExpr.SyntaxError.class, () -> FailExpr.parse("p99() > p50()"));
    }

    @Test
    void percentileNames() {
        assertEquals(99.0, FailExpr.percentileOf("p99"));
        assertEquals(99.9, FailExpr.percentileOf("p999"));
        assertEquals(99.99, FailExpr.percentileOf("p9999"));
        assertEquals(99.9, FailExpr.percentileOf("p99.9"));
        assertEquals(50.0, FailExpr.percentileOf("p50"));
        assertEquals(-1.0, FailExpr.percentileOf("p101"));
    }
}
