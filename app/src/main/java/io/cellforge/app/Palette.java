package io.cellforge.app;

import io.cellforge.ops.OpCatalog;
import io.cellforge.ops.OpDef;
import io.cellforge.space.SearchSpace;
import javafx.geometry.Insets;
import javafx.geometry.Point2D;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.control.TitledPane;
import javafx.scene.control.Tooltip;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.controlsfx.control.textfield.TextFields;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The palette: node kinds, the three mutables and the op catalog by group (with the space's user ops), filtered
 * by a search box; the Dynamic group starts open for a space with a context. An entry is dragged onto the canvas (a
 * node kind onto empty space, an op or a mutable onto an edge or node); a click on an op makes it the op of new
 * edges, a double-click sets it on the selected edges. The drag is a plain press-drag-release with a ghost label,
 * which works the same with every windowing system.
 */
public final class Palette extends VBox {

    public enum Kind { NODE, MUTABLE, OP }

    /** One entry: what it adds and its name ("intermediate", "LayerChoice", "sep_conv_3x3"). */
    public record Item(Kind kind, String name, String group, String description) {
    }

    public static final String NODES = "Nodes";
    public static final String MUTABLES = "Choices";

    /** ControlsFX's clearable field: a cross empties the search. */
    private final TextField search = TextFields.createClearableTextField();
    private final VBox groups = new VBox(2);
    private final Pane overlay;
    private final BiConsumer<Item, Point2D> onDrop;
    private final Consumer<Item> onPick;
    private final Consumer<Item> onApply;
    private List<Item> items = List.of();
    /** Whether the space has a context: its Dynamic group then starts open. */
    private boolean dynamic;

    /**
     * @param overlay a mouse-transparent pane over the window, for the ghost of a dragged entry
     * @param onDrop  an entry released at a scene point
     * @param onPick  an entry clicked
     * @param onApply an entry double-clicked
     */
    public Palette(Pane overlay, BiConsumer<Item, Point2D> onDrop, Consumer<Item> onPick, Consumer<Item> onApply) {
        super(6);
        this.overlay = overlay;
        this.onDrop = onDrop;
        this.onPick = onPick;
        this.onApply = onApply;
        setId("palette");
        setPadding(new Insets(6));
        search.setId("palette-search");
        // ControlsFX's own look of the field names Modena's colours, which the AtlantaFX theme has not: the theme's text field look is kept.
        search.getStyleClass().remove("custom-text-field");
        search.setPromptText("Search ops (Ctrl+F)");
        search.textProperty().addListener((o, a, b) -> rebuild());
        ScrollPane scroll = new ScrollPane(groups);
        scroll.setFitToWidth(true);
        VBox.setVgrow(scroll, Priority.ALWAYS);
        getChildren().addAll(search, scroll);
        setSpace(null);
    }

    public TextField searchField() {
        return search;
    }

    /** The entries for a space: the built-in ops and the space's own user ops. */
    public void setSpace(SearchSpace s) {
        List<Item> all = new ArrayList<>();
        all.add(new Item(Kind.NODE, "input", NODES, "An input of the cell: the output of an earlier cell"));
        all.add(new Item(Kind.NODE, "intermediate", NODES, "A tensor: the sum (or mean, concat) of its incoming edges"));
        all.add(new Item(Kind.NODE, "output", NODES, "The cell's output (concatenates its inputs by default)"));
        all.add(new Item(Kind.MUTABLE, "LayerChoice", MUTABLES, "Drop on an edge: the search picks one of several ops"));
        all.add(new Item(Kind.MUTABLE, "InputChoice", MUTABLES, "Drop on a node: the search keeps k of its incoming edges"));
        all.add(new Item(Kind.MUTABLE, "ValueChoice", MUTABLES, "Drop on an edge: the search picks a value of one of its op's parameters"));
        for (OpDef d : OpCatalog.builtin().all()) {
            all.add(new Item(Kind.OP, d.name(), d.group(), d.description()));
        }
        if (s != null) {
            s.userOps().values().forEach(u -> all.add(new Item(Kind.OP, u.name(), OpCatalog.GROUP_USER, u.description())));
        }
        boolean context = s != null && s.network().context().present();
        if (!all.equals(items) || context != dynamic) {
            items = all;
            dynamic = context;
            rebuild();
        }
    }

    private void rebuild() {
        String q = search.getText() == null ? "" : search.getText().strip().toLowerCase(Locale.ROOT);
        Map<String, List<Item>> byGroup = new LinkedHashMap<>();
        for (Item it : items) {
            if (q.isEmpty() || it.name().toLowerCase(Locale.ROOT).contains(q) || it.group().toLowerCase(Locale.ROOT).contains(q)
                    || it.description().toLowerCase(Locale.ROOT).contains(q)) {
                byGroup.computeIfAbsent(it.group(), k -> new ArrayList<>()).add(it);
            }
        }
        groups.getChildren().clear();
        byGroup.forEach((g, list) -> {
            VBox box = new VBox(1);
            list.forEach(it -> box.getChildren().add(entry(it)));
            TitledPane tp = new TitledPane(g + "  (" + list.size() + ")", box);
            // Searching opens every group with a match; otherwise the catalog's big groups start closed.
            tp.setExpanded(!q.isEmpty() || g.equals(NODES) || g.equals(MUTABLES) || g.equals(OpCatalog.GROUP_DARTS)
                    || dynamic && g.equals(OpCatalog.GROUP_DYNAMIC));
            tp.setId("group-" + g);
            groups.getChildren().add(tp);
        });
        if (byGroup.isEmpty()) {
            groups.getChildren().add(new Label("No op matches '" + q + "'"));
        }
    }

    private Label entry(Item it) {
        Label l = new Label(it.name());
        l.setId("palette-" + it.name());
        l.getStyleClass().add("palette-entry");
        l.setMaxWidth(Double.MAX_VALUE);
        l.setPadding(new Insets(2, 6, 2, 6));
        l.setTooltip(new Tooltip(it.description()));
        Label[] ghost = new Label[1];
        l.addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            if (e.getButton() == MouseButton.PRIMARY) {
                ghost[0] = null;
            }
        });
        l.addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> {
            if (ghost[0] == null) {
                ghost[0] = new Label(it.name());
                ghost[0].getStyleClass().add("palette-ghost");
                ghost[0].setStyle("-fx-background-color: rgba(37,99,235,0.85); -fx-text-fill: white; -fx-padding: 3 8; -fx-background-radius: 4;");
                overlay.getChildren().add(ghost[0]);
            }
            Point2D p = overlay.sceneToLocal(e.getSceneX(), e.getSceneY());
            ghost[0].relocate(p.getX() + 8, p.getY() + 8);
        });
        l.addEventHandler(MouseEvent.MOUSE_RELEASED, e -> {
            if (ghost[0] != null) {
                overlay.getChildren().remove(ghost[0]);
                ghost[0] = null;
                onDrop.accept(it, new Point2D(e.getSceneX(), e.getSceneY()));
            }
        });
        l.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
            if (e.getButton() != MouseButton.PRIMARY || !e.isStillSincePress()) {
                return;
            }
            if (e.getClickCount() == 2) {
                onApply.accept(it);
            } else {
                onPick.accept(it);
            }
        });
        return l;
    }
}
