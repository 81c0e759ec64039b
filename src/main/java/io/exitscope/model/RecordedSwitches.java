package io.exitscope.model;

import java.util.Map;

/**
 * The switch set a trace was recorded with, and for each switch how exitscope knows.
 *
 * @param profile  the config profile with exactly this set, or null
 * @param fitError the fit's summed squared log error of the group medians (0 when nothing was fitted)
 */
public record RecordedSwitches(SwitchSet switches, Map<Switch, State> states, String profile, double fitError) {

    public enum How {
        DECLARED("declared on the command line"),
        FILE("declared by the (simulated) file"),
        EVIDENCE("seen in the trace"),
        /** Seen in the trace, but the model has no stages for it on this architecture: shown, never projected. */
        SEEN_NOT_MODELLED("seen in the trace, not modelled on this architecture"),
        FIT("fitted to the exit latencies"),
        DEFAULT("assumed from the default profile"),
        NOT_MODELLED("not modelled on this architecture");

        public final String text;

        How(String text) {
            this.text = text;
        }
    }

    /** One switch: its recorded value, how exitscope knows, and the detail (the evidence, the fit). */
    public record State(boolean value, How how, String detail) {}
}
