package io.cellforge.app; public class Launcher { public static void main(String[] a) {} }
