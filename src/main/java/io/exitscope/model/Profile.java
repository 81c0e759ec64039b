package io.exitscope.model;

/** A named switch set from the config: one kernel/QEMU generation. */
public record Profile(String name, String description, SwitchSet switches) {}
