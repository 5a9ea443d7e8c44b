package io.cellforge.app;

import javafx.application.Application;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.stage.Stage;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens the file given on the command line, or the embedded default (the darts-mini space of the zoo); first
 * offers to recover a document that a crash left unsaved. On the first start it unpacks the engine first
 * ({@link EngineSplash}).
 */
public final class CellforgeApp extends Application {
    public static final String DEFAULT_SPACE = "darts-mini";

    @Override
    public void start(Stage stage) {
        // the first start unpacks the engine's native libraries, with a splash, before the window opens
        EngineSplash.pending().ifPresentOrElse(plan -> EngineSplash.unpackThen(plan, () -> open(stage)), () -> open(stage));
    }

    private void open(Stage stage) {
        MainViewModel vm = new MainViewModel();
        MainWindow window = new MainWindow(vm, stage);
        stage.setScene(window.scene());
        List<String> args = getParameters().getUnnamed();
        if (args.isEmpty()) {
            vm.documents().openZoo(DEFAULT_SPACE);
        } else {
            try {
                vm.documents().openFile(Path.of(args.get(0)));
            } catch (InvalidPathException e) {
                vm.documents().openZoo(DEFAULT_SPACE);
                vm.state().error("Cannot open " + ErrorText.line(args.get(0)) + ": not a file name on this system");
            }
        }
        stage.show();
        StaleTemps.processStart().ifPresent(vm.documents().workspace()::removeStaleTemps);
        List<Workspace.Recovery> left = vm.documents().workspace().recoveries();
        if (!left.isEmpty()) {
            Workspace.Recovery r = left.get(left.size() - 1);
            ButtonType recover = new ButtonType("Recover", ButtonBar.ButtonData.YES);
            ButtonType discard = new ButtonType("Discard", ButtonBar.ButtonData.NO);
            Alert a = new Alert(Alert.AlertType.CONFIRMATION, "Cellforge did not close normally and kept unsaved changes"
                    + (r.origin().isEmpty() ? " of a new document" : " of " + r.origin()) + ". Recover them?", recover, discard);
            a.initOwner(stage);
            a.setHeaderText("Recover unsaved changes?");
            a.showAndWait().ifPresent(b -> {
                if (b == recover) {
                    vm.documents().recover(r);
                } else {
                    try {
                        java.nio.file.Files.deleteIfExists(r.file());
                    } catch (java.io.IOException ignored) {
                        // offered again next time
                    }
                }
            });
        }
    }
}
