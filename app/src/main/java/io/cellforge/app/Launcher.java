package io.cellforge.app;

import javafx.application.Application;

/**
 * A main class that is not an Application subclass, so that the app starts from a plain classpath
 * ({@code java -jar}) without JavaFX on the module path.
 */
public final class Launcher {
    private Launcher() {
    }

    public static void main(String[] args) {
        Application.launch(CellforgeApp.class, args);
    }
}
