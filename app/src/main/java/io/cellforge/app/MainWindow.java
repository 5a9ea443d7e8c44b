package io.cellforge.app;

import io.cellforge.analysis.Problem;
import io.cellforge.app.diagram.DiagramView;
import io.cellforge.zoo.Zoo;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Stage;

import java.io.File;

/** The window: menu, outline (network and cells), the diagram, the problems and a status line. */
public final class MainWindow {
    private final MainViewModel vm;
    private final BorderPane root = new BorderPane();

    public MainWindow(MainViewModel vm, Stage stage) {
        this.vm = vm;
        root.setTop(menu(stage));

        ListView<String> outline = new ListView<>(vm.outline());
        outline.setId("outline");
        outline.setPrefWidth(170);
        outline.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> vm.select(b));
        vm.selectedProperty().addListener((o, a, b) -> outline.getSelectionModel().select(b));
        Label outlineTitle = new Label("Outline");
        outlineTitle.setPadding(new Insets(6, 8, 4, 8));
        VBox left = new VBox(outlineTitle, outline);
        VBox.setVgrow(outline, javafx.scene.layout.Priority.ALWAYS);

        DiagramView view = new DiagramView();
        view.setId("diagram");
        // The Group's bounds include the view's scale, so the ScrollPane scrolls the zoomed picture.
        ScrollPane scroll = new ScrollPane(new javafx.scene.Group(view));
        scroll.setPannable(true);
        vm.diagramProperty().addListener((o, a, d) -> {
            view.show(d);
            fit(view, scroll);
        });
        if (vm.diagramProperty().get() != null) {
            view.show(vm.diagramProperty().get());
        }
        scroll.viewportBoundsProperty().addListener((o, a, b) -> fit(view, scroll));
        scroll.setStyle("-fx-background: white;");

        ListView<Problem> problems = new ListView<>(vm.problems());
        problems.setId("problems");
        problems.setPrefHeight(110);
        problems.setPlaceholder(new Label("No problems"));
        problems.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(Problem p, boolean empty) {
                super.updateItem(p, empty);
                setText(empty || p == null ? null : p.toString());
                setStyle(empty || p == null ? "" : p.isError() ? "-fx-text-fill: #b91c1c;" : "-fx-text-fill: #92400e;");
            }
        });

        SplitPane centre = new SplitPane(scroll, problems);
        centre.setOrientation(javafx.geometry.Orientation.VERTICAL);
        centre.setDividerPositions(0.82);
        SplitPane main = new SplitPane(left, centre);
        main.setDividerPositions(0.16);
        root.setCenter(main);

        Label status = new Label();
        status.setId("status");
        status.textProperty().bind(vm.statusProperty());
        status.setPadding(new Insets(4, 8, 4, 8));
        root.setBottom(status);
        stage.titleProperty().bind(vm.titleProperty());
    }

    /** Shrinks a large diagram to the visible area (never below 40%, never enlarges). */
    private static void fit(DiagramView view, ScrollPane scroll) {
        var vp = scroll.getViewportBounds();
        if (vp.getWidth() <= 0 || view.getPrefWidth() <= 0) {
            return;
        }
        double s = Math.min(1, Math.min(vp.getWidth() / view.getPrefWidth(), vp.getHeight() / view.getPrefHeight()));
        s = Math.max(0.4, s);
        view.setScaleX(s);
        view.setScaleY(s);
        view.setTranslateX(-(1 - s) * view.getPrefWidth() / 2);
        view.setTranslateY(-(1 - s) * view.getPrefHeight() / 2);
    }

    private MenuBar menu(Stage stage) {
        MenuItem open = new MenuItem("Open...");
        open.setAccelerator(KeyCombination.keyCombination("Shortcut+O"));
        open.setOnAction(e -> {
            FileChooser fc = new FileChooser();
            fc.setTitle("Open a search space");
            fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Search spaces (*.yaml, *.yml)", "*.yaml", "*.yml"));
            File f = fc.showOpenDialog(stage);
            if (f != null) {
                vm.openFile(f.toPath());
            }
        });
        Menu zoo = new Menu("Open from zoo");
        for (Zoo.Entry en : Zoo.entries()) {
            MenuItem it = new MenuItem(en.name() + "  -  " + en.description());
            it.setOnAction(e -> vm.openZoo(en.name()));
            zoo.getItems().add(it);
        }
        MenuItem quit = new MenuItem("Quit");
        quit.setAccelerator(KeyCombination.keyCombination("Shortcut+Q"));
        quit.setOnAction(e -> stage.close());
        Menu file = new Menu("File", null, open, zoo, new javafx.scene.control.SeparatorMenuItem(), quit);
        MenuItem about = new MenuItem("About Cellforge");
        about.setOnAction(e -> {
            Alert a = new Alert(Alert.AlertType.INFORMATION, "Cellforge 0.1.0\nDesign and search neural-network cells.");
            a.setHeaderText("Cellforge");
            a.showAndWait();
        });
        return new MenuBar(file, new Menu("Help", null, about));
    }

    public Scene scene() {
        return new Scene(root, 1200, 760);
    }
}
