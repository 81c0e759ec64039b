package io.exitscope.view.tui;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;

/**
 * Every key the UI knows, with its help text: the help screen lists this table, and
 * {@link #of(KeyStroke)} is the only place keys are decoded, so the two cannot drift apart.
 * Letters follow kvm_stat where it has them (b c f g h o p q r s x), htop for sorting (&lt; &gt; I).
 */
enum Action {
    QUIT(Scope.ALL, "q  Ctrl-C", "quit; the terminal is restored"),
    HELP(Scope.ALL, "?  h  F1", "this help"),
    BACK(Scope.ALL, "Esc  Backspace", "back to the main table; cancels a prompt"),
    NEXT_SCREEN(Scope.ALL, "Tab", "next screen: main, compare, optimizations"),
    COMPARE(Scope.ALL, "d", "compare screen: baseline vs now, ranked by shift"),
    OPTIMIZATIONS(Scope.ALL, "O  e", "optimizations screen: state, evidence, exits affected"),
    TOGGLE_INTERVAL(Scope.ALL, "i", "show the cumulative window or the last interval"),
    BASELINE(Scope.ALL, "b", "baseline: the window so far becomes the baseline and a new window starts; opens compare"),
    DROP_BASELINE(Scope.ALL, "B", "drop the baseline"),
    RESET(Scope.ALL, "r", "reset: start a new cumulative window now"),
    SET_INTERVAL(Scope.ALL, "s", "set the refresh interval (e.g. 500ms, 2s)"),
    PAUSE(Scope.ALL, "Space", "replay: play/pause; live: freeze the display (collection goes on)"),
    REDRAW(Scope.ALL, "Ctrl-L", "redraw the whole screen"),
    UP(Scope.ALL, "Up  Down", "move the selection, scroll"),
    DOWN(Scope.HIDDEN, "", ""),
    PAGE_UP(Scope.ALL, "PgUp  PgDn", "a page up or down"),
    PAGE_DOWN(Scope.HIDDEN, "", ""),
    HOME(Scope.ALL, "Home  End", "first / last row"),
    END(Scope.HIDDEN, "", ""),

    DETAIL(Scope.TABLE, "Enter", "detail of the selected key: histogram, percentiles, per vCPU/subkey, slowest exits"),
    SORT_NEXT(Scope.TABLE, ">", "sort by the next column"),
    SORT_PREV(Scope.TABLE, "<", "sort by the previous column"),
    SORT_CYCLE(Scope.TABLE, "o", "sort by the next column (kvm_stat's o)"),
    SORT_INVERT(Scope.TABLE, "I", "invert the sort order"),
    FILTER_REGEX(Scope.TABLE, "f  /", "filter by a regex on the key (reason, subkey, VM, vCPU, class)"),
    FILTER_CLASS(Scope.TABLE, "C", "class filter: all, hardware, kernel, userspace"),
    FILTER_VM(Scope.TABLE, "g  p", "filter by VM: guest name, VMM comm or pid"),
    FILTER_VCPU(Scope.TABLE, "v", "filter by vCPU: id, or thread id"),
    CLEAR_FILTERS(Scope.TABLE, "c", "clear all filters"),
    GROUP(Scope.TABLE, "k", "grouping: reason, reason+class, subkey, vCPU, VM"),
    SUBKEYS(Scope.TABLE, "x", "subkeys on/off: ports, addresses, MSRs (kvm_stat's child events)"),
    HEATMAP(Scope.TABLE, "m", "heatmap of the selected key (main table, detail, compare): latency buckets over time, p50 and p99 lines;"
            + " there Left/Right, PgUp/PgDn, Home/End move the cursor, Enter shows that interval's table, m switches to the whole view and back"),

    STEP(Scope.REPLAY, ".  n", "step one interval of trace time (pauses)"),
    FASTER(Scope.REPLAY, "+", "faster: 1x, 10x, 100x, max (in trace time)"),
    SLOWER(Scope.REPLAY, "-", "slower"),
    SEEK_BACK(Scope.REPLAY, "Left", "seek back one step (re-reads the trace from its start)"),
    SEEK_FWD(Scope.REPLAY, "Right", "seek forward one step"),
    SEEK_TO(Scope.REPLAY, "t", "seek to a time: 12.5ms, +1s, -200ms, 0"),
    STEP_SHORTER(Scope.REPLAY, "[", "shorter step"),
    STEP_LONGER(Scope.REPLAY, "]", "longer step"),
    JUMP(Scope.REPLAY, "j", "jump to the slowest exit (of the selected key, else of all) and show its interval");

    enum Scope {
        ALL("Everywhere"), TABLE("Main table (and compare where it applies)"), REPLAY("Replay"), HIDDEN("");

        final String title;

        Scope(String title) {
            this.title = title;
        }
    }

    final Scope scope;
    final String keys;
    final String help;

    Action(Scope scope, String keys, String help) {
        this.scope = scope;
        this.keys = keys;
        this.help = help;
    }

    /** The action of a key stroke, or null for keys that mean nothing. */
    static Action of(KeyStroke k) {
        if (k == null) return null;
        KeyType t = k.getKeyType();
        switch (t) {
            case Character: {
                char c = k.getCharacter();
                if (k.isCtrlDown()) {
                    return switch (Character.toLowerCase(c)) {
                        case 'c' -> QUIT;
                        case 'l' -> REDRAW;
                        default -> null;
                    };
                }
                return switch (c) {
                    case 'q' -> QUIT;
                    case '?', 'h' -> HELP;
                    case 'd' -> COMPARE;
                    case 'O', 'e' -> OPTIMIZATIONS;
                    case 'i' -> TOGGLE_INTERVAL;
                    case 'b' -> BASELINE;
                    case 'B' -> DROP_BASELINE;
                    case 'r' -> RESET;
                    case 's' -> SET_INTERVAL;
                    case ' ' -> PAUSE;
                    case '>' -> SORT_NEXT;
                    case '<' -> SORT_PREV;
                    case 'o' -> SORT_CYCLE;
                    case 'I' -> SORT_INVERT;
                    case 'f', '/' -> FILTER_REGEX;
                    case 'C' -> FILTER_CLASS;
                    case 'g', 'p' -> FILTER_VM;
                    case 'v' -> FILTER_VCPU;
                    case 'c' -> CLEAR_FILTERS;
                    case 'k' -> GROUP;
                    case 'x' -> SUBKEYS;
                    case 'm' -> HEATMAP;
                    case '.', 'n' -> STEP;
                    case '+', '=' -> FASTER;
                    case '-' -> SLOWER;
                    case 't' -> SEEK_TO;
                    case '[' -> STEP_SHORTER;
                    case ']' -> STEP_LONGER;
                    case 'j' -> JUMP;
                    case '\t' -> NEXT_SCREEN;
                    case '\n', '\r' -> DETAIL;
                    default -> null;
                };
            }
            case Escape:
            case Backspace:
                return BACK;
            case Enter:
                return DETAIL;
            case Tab:
                return NEXT_SCREEN;
            case F1:
                return HELP;
            case ArrowUp:
                return UP;
            case ArrowDown:
                return DOWN;
            case PageUp:
                return PAGE_UP;
            case PageDown:
                return PAGE_DOWN;
            case Home:
                return HOME;
            case End:
                return END;
            case ArrowLeft:
                return SEEK_BACK;
            case ArrowRight:
                return SEEK_FWD;
            case EOF:
                return QUIT;
            default:
                return null;
        }
    }
}
