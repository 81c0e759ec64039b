package io.exitscope.model;

import io.exitscope.exit.ExitClass;

/**
 * One stage's mean time per exit of a key: as explained from the measured exits (recorded switch
 * set) and as projected (target set). Hidden stages are the model's expectation, not measured.
 */
public record StageShare(Stage stage, ExitClass exitClass, Position at, double measuredNs, double projectedNs) {}
