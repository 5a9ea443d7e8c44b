package io.cellforge.app;

import javafx.application.Application;
import javafx.stage.Stage;

import java.nio.file.Path;
import java.util.List;

/** Opens the file given on the command line, or the embedded default: the darts-mini space of the zoo. */
public final class CellforgeApp extends Application {
    public static final String DEFAULT_SPACE = "darts-mini";

    @Override
    public void start(Stage stage) {
        MainViewModel vm = new MainViewModel();
        MainWindow window = new MainWindow(vm, stage);
        stage.setScene(window.scene());
        List<String> args = getParameters().getUnnamed();
        if (args.isEmpty()) {
            vm.openZoo(DEFAULT_SPACE);
        } else {
            vm.openFile(Path.of(args.get(0)));
        }
        stage.show();
    }
}
