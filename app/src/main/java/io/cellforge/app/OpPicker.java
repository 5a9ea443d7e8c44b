package io.cellforge.app;

import io.cellforge.app.canvas.CellCanvas;
import io.cellforge.ops.OpCatalog;
import io.cellforge.ops.OpDef;
import io.cellforge.space.Cell;
import io.cellforge.space.OpCall;
import io.cellforge.space.SearchSpace;
import javafx.application.Platform;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.geometry.Point2D;
import javafx.scene.control.Label;
import javafx.scene.control.TextInputControl;
import javafx.scene.layout.VBox;
import org.controlsfx.control.PopOver;
import org.controlsfx.control.SearchableComboBox;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The quick op picker: with plain edges selected, a searchable list of the catalog's ops and the space's own,
 * in a popover by the edges; the op picked is set on all of them in one undo step (ControlsFX's
 * SearchableComboBox and PopOver).
 */
final class OpPicker {
    private OpPicker() {
    }

    /** Every op an edge can carry: the catalog's, then the space's user ops. */
    static List<String> ops(SearchSpace space) {
        Set<String> names = new LinkedHashSet<>();
        OpCatalog.builtin().with(List.of()).all().stream().map(OpDef::name).forEach(names::add);
        names.addAll(space.userOps().keySet());
        return List.copyOf(names);
    }

    /** Opens the picker for the selected plain edges (a choice's edge is edited in its own dialog). */
    static void open(MainViewModel vm, CellCanvas canvas) {
        if (canvas.getScene() != null && canvas.getScene().getFocusOwner() instanceof TextInputControl) {
            return; // the key was typed into a field
        }
        Cell cell = vm.state().cell();
        Set<List<String>> edges = new LinkedHashSet<>();
        if (cell != null) {
            for (List<String> e : vm.state().selectionProperty().get().edges()) {
                cell.edge(e.get(0), e.get(1)).filter(x -> x.op() instanceof OpCall).ifPresent(x -> edges.add(e));
            }
        }
        if (edges.isEmpty()) {
            vm.edits().setOp(Set.of(), ""); // says what to select
            return;
        }
        SearchableComboBox<String> box = new SearchableComboBox<>(FXCollections.observableArrayList(ops(vm.state().spaceProperty().get())));
        box.setId("op-picker");
        box.setPrefWidth(240);
        Label title = new Label("Set op of " + (edges.size() == 1 ? "the selected edge" : edges.size() + " selected edges"));
        VBox content = new VBox(6, title, box);
        content.setPadding(new Insets(10));
        PopOver pop = new PopOver(content);
        pop.setId("op-picker-popover");
        pop.setArrowLocation(PopOver.ArrowLocation.TOP_CENTER);
        pop.setDetachable(false);
        box.valueProperty().addListener((o, a, op) -> {
            if (op != null) {
                pop.hide();
                vm.edits().setOp(edges, op);
            }
        });
        Point2D at = canvas.localToScreen(by(canvas, new ArrayList<>(edges).get(0)));
        pop.show(canvas, at.getX(), at.getY());
        Platform.runLater(() -> {
            box.requestFocus();
            box.show();
        });
    }

    /** The middle of an edge between its nodes' centres, in the canvas's coordinates. */
    private static Point2D by(CellCanvas canvas, List<String> edge) {
        Point2D a = canvas.sceneToLocal(canvas.nodeCentreInScene(edge.get(0)));
        Point2D b = canvas.sceneToLocal(canvas.nodeCentreInScene(edge.get(1)));
        return a.midpoint(b);
    }
}
