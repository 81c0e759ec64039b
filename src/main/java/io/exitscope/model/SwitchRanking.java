package io.exitscope.model;

import java.util.List;

/**
 * One switch flipped from the recorded set: its total effect and the keys it moves, biggest
 * first. Ranked by {@code |deltaTotalNs|} (exit time moved), then by the round-trip change.
 */
public record SwitchRanking(Switch sw, boolean from, boolean to, long deltaTotalNs, double shareOfExitTime, long roundTripDeltaNs,
                            List<SwitchShift> keys) {}
