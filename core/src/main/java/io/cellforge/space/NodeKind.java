package io.cellforge.space;

public enum NodeKind { INPUT, INTERMEDIATE, OUTPUT }
