package io.cellforge.app;

import javafx.application.Application;

import java.util.Arrays;

/**
 * A main class that is not an Application subclass, so that the app starts from a plain classpath
 * ({@code java -jar}) without JavaFX on the module path. {@code --bench} runs the designer's benchmark instead.
 */
public final class Launcher {
    private Launcher() {
    }

    public static void main(String[] args) {
        io.cellforge.engine.NativeEnvironment.prepare(); // before ND4J loads: see its comment
        if (args.length > 0 && args[0].equals("--bench")) {
            Application.launch(DesignerBench.class, Arrays.copyOfRange(args, 1, args.length));
        } else {
            Application.launch(CellforgeApp.class, args);
        }
    }
}
