package io.exitscope.event;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code print fmt} of an event, split the way libtraceevent splits it: literal pieces and
 * one piece per conversion, each conversion paired with its argument expression.
 *
 * <p>exitscope does not evaluate print formats in general. It needs them for one thing: to show
 * a field's raw value the way {@code trace-cmd report -R} does, which uses the conversion of the
 * first argument that is that field itself ({@code REC->field}, maybe behind casts), prefixed by
 * {@code 0x} when the literal text before it ends in {@code 0x}. Fields that no conversion prints
 * directly fall back to decimal, or to {@code 0x} hex for longs and pointers.
 */
public final class PrintFormat {

    /** One piece: a literal, or a conversion with the field it prints directly (or null). */
    record Piece(boolean literal, String text, FieldFormat field, int castBits, int lengthBits, char conversion,
                 String flags, int width, int precision) {}

    private final List<Piece> pieces;
    private final boolean failed;

    private PrintFormat(List<Piece> pieces, boolean failed) {
        this.pieces = pieces;
        this.failed = failed;
    }

    private static final Pattern DIRECT_FIELD =
            Pattern.compile("^\\s*((?:\\(\\s*[A-Za-z_][\\w\\s]*\\**\\s*\\)\\s*|\\(\\s*)*)REC\\s*->\\s*(\\w+)\\s*\\)*\\s*$");
    private static final Pattern CAST = Pattern.compile("\\(\\s*([A-Za-z_][\\w\\s]*?)\\s*(\\**)\\s*\\)");

    static PrintFormat parse(String printFmt, EventFormat event) {
        try {
            return doParse(printFmt, event);
        } catch (RuntimeException e) {
            return new PrintFormat(List.of(), true);
        }
    }

    /**
     * Robustness: widths and precisions beyond this make the format "failed" (fields then print
     * raw). Real print formats use a few dozen at most; a damaged {@code %999999999u} used to
     * build a gigabyte of padding per field (OutOfMemoryError), a huge precision hung in a
     * quadratic padding loop.
     */
    static final int MAX_WIDTH = 1024;
    /**
     * Robustness: longer arguments are not matched against {@link #DIRECT_FIELD}, whose
     * repeated group recurses once per cast: thousands of "(int)" overflowed the stack. A real
     * direct field with its casts, e.g. {@code (unsigned long long)REC->info1}, is far shorter.
     */
    static final int MAX_DIRECT_ARG = 256;

    private static PrintFormat doParse(String printFmt, EventFormat event) {
        String s = printFmt.strip();
        if (s.isEmpty() || s.charAt(0) != '"') return new PrintFormat(List.of(), true);
        StringBuilder fmt = new StringBuilder();
        int i = 1;
        // keep escapes as written for now; they are resolved in literal pieces
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) { fmt.append(c).append(s.charAt(++i)); continue; }
            if (c == '"') break;
            fmt.append(c);
        }
        String rest = s.substring(Math.min(i + 1, s.length())).strip();
        List<String> args = new ArrayList<>();
        if (rest.startsWith(",")) args = splitArgs(rest.substring(1));

        List<Piece> pieces = new ArrayList<>();
        String f = fmt.toString();
        int argi = 0;
        int p = 0;
        StringBuilder lit = new StringBuilder();
        while (p < f.length()) {
            char c = f.charAt(p);
            if (c == '\\' && p + 1 < f.length()) {
                char e = f.charAt(p + 1);
                lit.append(switch (e) { case 'n' -> '\n'; case 't' -> '\t'; case 'r' -> '\r'; default -> e; });
                p += 2;
                continue;
            }
            if (c != '%') { lit.append(c); p++; continue; }
            if (p + 1 < f.length() && f.charAt(p + 1) == '%') { lit.append('%'); p += 2; continue; }
            if (lit.length() > 0) { pieces.add(new Piece(true, lit.toString(), null, 0, 0, ' ', "", -1, -1)); lit.setLength(0); }
            // conversion
            int q = p + 1;
            StringBuilder flags = new StringBuilder();
            while (q < f.length() && "-+ #0".indexOf(f.charAt(q)) >= 0) flags.append(f.charAt(q++));
            int width = -1, precision = -1;
            if (q < f.length() && f.charAt(q) == '*') { argi++; q++; }
            else {
                int w0 = q;
                while (q < f.length() && Character.isDigit(f.charAt(q))) q++;
                if (q > w0) width = Integer.parseInt(f.substring(w0, q));
            }
            if (q < f.length() && f.charAt(q) == '.') {
                q++;
                if (q < f.length() && f.charAt(q) == '*') { argi++; q++; precision = 0; }
                else {
                    int p0 = q;
                    while (q < f.length() && Character.isDigit(f.charAt(q))) q++;
                    precision = q > p0 ? Integer.parseInt(f.substring(p0, q)) : 0;
                }
            }
            int ls = 0;
            while (q < f.length() && "hlLzZjt".indexOf(f.charAt(q)) >= 0) {
                char m = f.charAt(q++);
                if (m == 'h') ls--; else if (m == 'l') ls++; else if (m == 'L') ls = 2; else if (m == 'z' || m == 'Z') ls = 1;
            }
            if (q >= f.length()) break;
            char conv = f.charAt(q++);
            if (conv == 'p') {
                // pointer extensions (%pS, %pI4, %pM ...) belong to the conversion
                while (q < f.length() && Character.isLetterOrDigit(f.charAt(q)) && "FSfsMmIiUhBbadEKx46cRlnNprtTg".indexOf(f.charAt(q)) >= 0
                        && q - p < 6) q++;
            }
            String arg = argi < args.size() ? args.get(argi) : null;
            argi++;
            FieldFormat field = null;
            int castBits = 0;
            if (width > MAX_WIDTH || precision > MAX_WIDTH) return new PrintFormat(List.of(), true);
            if (arg != null && arg.length() <= MAX_DIRECT_ARG && "diouxXc".indexOf(conv) >= 0) {
                Matcher m = DIRECT_FIELD.matcher(arg);
                if (m.matches()) {
                    field = event.field(m.group(2));
                    castBits = castBits(m.group(1));
                }
            }
            int lengthBits = ls <= -2 ? 8 : ls == -1 ? 16 : ls == 0 ? 32 : 64;
            pieces.add(new Piece(false, f.substring(p, q), field, castBits, lengthBits, conv, flags.toString(), width, precision));
            p = q;
        }
        if (lit.length() > 0) pieces.add(new Piece(true, lit.toString(), null, 0, 0, ' ', "", -1, -1));
        return new PrintFormat(List.copyOf(pieces), false);
    }

    private static int castBits(String casts) {
        if (casts == null) return 0;
        Matcher m = CAST.matcher(casts);
        int bits = 0;
        while (m.find()) {
            if (!m.group(2).isEmpty()) { bits = 64; continue; }
            String t = m.group(1).replaceAll("\\s+", " ");
            int b = switch (t) {
                case "u8", "s8", "char", "unsigned char", "signed char", "__u8", "__s8", "bool" -> 8;
                case "u16", "s16", "short", "unsigned short", "__u16", "__s16" -> 16;
                case "u32", "s32", "int", "unsigned int", "unsigned", "__u32", "__s32" -> 32;
                case "u64", "s64", "long long", "unsigned long long", "__u64", "__s64", "long", "unsigned long" -> 64;
                default -> 0;
            };
            if (b != 0) bits = b;
        }
        return bits;
    }

    static List<String> splitArgs(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean inStr = false, inChr = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inStr || inChr) {
                if (c == '\\') { i++; continue; }
                if (inStr && c == '"') inStr = false;
                if (inChr && c == '\'') inChr = false;
                continue;
            }
            switch (c) {
                case '"' -> inStr = true;
                case '\'' -> inChr = true;
                case '(', '[', '{' -> depth++;
                case ')', ']', '}' -> depth--;
                case ',' -> {
                    if (depth == 0) { out.add(s.substring(start, i).strip()); start = i + 1; }
                }
                default -> { }
            }
        }
        String last = s.substring(start).strip();
        if (!last.isEmpty()) out.add(last);
        return out;
    }

    /**
     * A cursor over the pieces that remembers where the last field was found, as libtraceevent
     * does when it prints all fields of an event in order.
     */
    public final class FieldCursor {
        private int next;

        /** Appends {@code field}'s value as {@code trace-cmd report -R} shows it. */
        public void appendValue(StringBuilder out, FieldFormat field, long rawBits, int kernelLongSize) {
            if (!failed && !pieces.isEmpty() && !field.isArray() && !field.isString()) {
                int start = next % pieces.size();
                int i = start;
                boolean has0x = false;
                do {
                    Piece pc = pieces.get(i);
                    if (pc.literal) {
                        has0x = pc.text.endsWith("0x");
                    } else if (pc.field == field) {
                        if (has0x) out.append("0x");
                        formatNumber(out, pc, rawBits, field);
                        next = i + 1;
                        return;
                    } else {
                        has0x = false;
                    }
                    i = (i + 1) % pieces.size();
                } while (i != start);
            }
            appendRaw(out, field, rawBits, kernelLongSize);
        }
    }

    public FieldCursor cursor() {
        return new FieldCursor();
    }

    /** libtraceevent's fallback for fields no conversion prints directly. */
    static void appendRaw(StringBuilder out, FieldFormat f, long v, int kernelLongSize) {
        if (f.isPointer()) {
            out.append("0x").append(Long.toHexString(v));
        } else if (f.isSigned()) {
            switch (f.size) {
                case 4 -> {
                    if (f.isLong()) out.append("0x").append(Integer.toHexString((int) v));
                    else out.append((int) v);
                }
                case 2 -> out.append(pad(Short.toString((short) v), 2));
                case 1 -> out.append((byte) v);
                default -> out.append(v);
            }
        } else if (f.isLong()) {
            out.append("0x").append(Long.toHexString(v));
        } else {
            out.append(Long.toUnsignedString(v));
        }
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : " ".repeat(w - s.length()) + s;
    }

    private static void formatNumber(StringBuilder out, Piece pc, long raw, FieldFormat field) {
        long v = raw;
        if (pc.castBits != 0 && pc.castBits < 64) {
            v = truncate(v, pc.castBits, true);
        }
        int bits = pc.lengthBits;
        String digits;
        boolean negative = false;
        switch (pc.conversion) {
            case 'd', 'i' -> {
                long sv = truncate(v, bits, true);
                negative = sv < 0;
                digits = negative ? (sv == Long.MIN_VALUE ? "9223372036854775808" : Long.toString(-sv)) : Long.toString(sv);
            }
            case 'u' -> digits = Long.toUnsignedString(truncate(v, bits, false));
            case 'x' -> digits = Long.toHexString(truncate(v, bits, false));
            case 'X' -> digits = Long.toHexString(truncate(v, bits, false)).toUpperCase();
            case 'o' -> digits = Long.toOctalString(truncate(v, bits, false));
            case 'c' -> digits = String.valueOf((char) (v & 0xff));
            default -> digits = Long.toUnsignedString(v);
        }
        if (pc.precision >= 0 && pc.conversion != 'c') {
            if (pc.precision == 0 && digits.equals("0")) digits = "";
            while (digits.length() < pc.precision) digits = "0" + digits;
        }
        String prefix = "";
        if (negative) prefix = "-";
        else if (pc.flags.indexOf('+') >= 0 && (pc.conversion == 'd' || pc.conversion == 'i')) prefix = "+";
        else if (pc.flags.indexOf(' ') >= 0 && (pc.conversion == 'd' || pc.conversion == 'i')) prefix = " ";
        if (pc.flags.indexOf('#') >= 0 && !digits.isEmpty() && !digits.equals("0")) {
            if (pc.conversion == 'x') prefix = "0x"; else if (pc.conversion == 'X') prefix = "0X";
            else if (pc.conversion == 'o' && !digits.startsWith("0")) prefix = "0";
        }
        int len = prefix.length() + digits.length();
        if (pc.width > len) {
            int padn = pc.width - len;
            if (pc.flags.indexOf('-') >= 0) {
                out.append(prefix).append(digits).append(" ".repeat(padn));
            } else if (pc.flags.indexOf('0') >= 0 && pc.precision < 0) {
                out.append(prefix).append("0".repeat(padn)).append(digits);
            } else {
                out.append(" ".repeat(padn)).append(prefix).append(digits);
            }
        } else {
            out.append(prefix).append(digits);
        }
    }

    private static long truncate(long v, int bits, boolean signed) {
        if (bits >= 64) return v;
        long mask = (1L << bits) - 1;
        long t = v & mask;
        if (signed && (t & (1L << (bits - 1))) != 0) t |= ~mask;
        return t;
    }
}
