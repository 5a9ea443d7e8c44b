package io.cellforge.space;

public enum StageKind { CELL, BLOCK }
