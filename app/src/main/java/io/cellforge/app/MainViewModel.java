package io.cellforge.app;

import io.cellforge.app.canvas.Theme;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;

/**
 * The designer window's view-models, all on one document state: the document as a file
 * ({@link DocumentViewModel}), its edits ({@link EditViewModel}), where things are drawn
 * ({@link LayoutViewModel}), what is wrong with it ({@link ProblemsViewModel}) and the network stack
 * ({@link NetworkViewModel}); and the theme.
 */
public final class MainViewModel {
    private final DocumentState state = new DocumentState();
    private final EditViewModel edits = new EditViewModel(state);
    private final LayoutViewModel layout = new LayoutViewModel(state, edits);
    private final ProblemsViewModel problems = new ProblemsViewModel(state);
    private final NetworkViewModel network = new NetworkViewModel(state, edits);
    private final DocumentViewModel documents;
    private final ObjectProperty<Theme> theme = new SimpleObjectProperty<>(Theme.LIGHT);

    public MainViewModel() {
        this(Workspace.standard());
    }

    public MainViewModel(Workspace workspace) {
        documents = new DocumentViewModel(state, problems, workspace);
    }

    public DocumentState state() {
        return state;
    }

    public DocumentViewModel documents() {
        return documents;
    }

    public EditViewModel edits() {
        return edits;
    }

    public LayoutViewModel layout() {
        return layout;
    }

    public ProblemsViewModel problems() {
        return problems;
    }

    /** The network view's selection, figures and stage edits. */
    public NetworkViewModel network() {
        return network;
    }

    public ObjectProperty<Theme> themeProperty() {
        return theme;
    }

    public Theme theme() {
        return theme.get();
    }
}
