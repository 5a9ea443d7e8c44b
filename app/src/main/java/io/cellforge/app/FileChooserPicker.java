package io.cellforge.app;

import javafx.stage.FileChooser;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The window's file dialogs: each opens in the folder the last one was left in. */
final class FileChooserPicker implements MainWindow.FilePicker {
    private final Window owner;
    private File dir;

    FileChooserPicker(Window owner) {
        this.owner = owner;
    }

    @Override
    public Optional<Path> open(String title, List<FileChooser.ExtensionFilter> filters) {
        return remember(chooser(title, filters).showOpenDialog(owner));
    }

    @Override
    public Optional<Path> save(String title, String initialName, List<FileChooser.ExtensionFilter> filters) {
        FileChooser fc = chooser(title, filters);
        fc.setInitialFileName(initialName);
        return remember(fc.showSaveDialog(owner));
    }

    private FileChooser chooser(String title, List<FileChooser.ExtensionFilter> filters) {
        FileChooser fc = new FileChooser();
        fc.setTitle(title);
        fc.getExtensionFilters().addAll(filters);
        if (dir != null) {
            fc.setInitialDirectory(dir);
        }
        return fc;
    }

    private Optional<Path> remember(File f) {
        if (f != null) {
            dir = f.getParentFile();
        }
        return Optional.ofNullable(f).map(File::toPath);
    }
}
