package io.cellforge.app.canvas;

import io.cellforge.app.Selection;
import io.cellforge.app.diagram.CellGeometry;
import io.cellforge.app.diagram.DiagramLayout;
import io.cellforge.app.diagram.EdgeLabel;
import io.cellforge.app.diagram.TextMetrics;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Node;
import io.cellforge.space.NodeKind;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.geometry.Pos;
import javafx.scene.Cursor;
import javafx.scene.Group;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.input.ZoomEvent;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Circle;
import javafx.scene.shape.CubicCurveTo;
import javafx.scene.shape.LineTo;
import javafx.scene.shape.MoveTo;
import javafx.scene.shape.Path;
import javafx.scene.shape.Line;
import javafx.scene.shape.Polygon;
import javafx.scene.shape.Rectangle;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.Text;
import javafx.scene.transform.Scale;
import javafx.scene.transform.Translate;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * The editable picture of a cell: nodes with an input port (left) and an output port (right), edges along the
 * layout's routes with a badge on each: its op, or its LayerChoice's key colour and candidate count, opened to the
 * key and every candidate on hover or selection. Zoomed out, text too small to read is left out. Drag a node to move it, drag from an output
 * port to another node to connect, drag on empty space for a rubber band, the right or middle button (or the
 * wheel) to pan, Ctrl+wheel or a pinch to zoom. Knows nothing of documents: it reports gestures to callbacks.
 */
public final class CellCanvas extends Region {
    private static final double PORT_R = DiagramLayout.PORT_R;
    private static final double MIN_SCALE = 0.15;
    private static final double MAX_SCALE = 3;

    private final Group content = new Group();
    private final Group edgeLayer = new Group();
    private final Group nodeLayer = new Group();
    private final Group labelLayer = new Group();
    private final Group overlay = new Group();
    private final Canvas minimap = new Canvas(170, 110);
    private final Rectangle background = new Rectangle();
    private final Translate translate = new Translate(20, 20);
    private final Scale scale = new Scale(1, 1);

    private Theme theme = Theme.LIGHT;
    private Cell cell;
    private Map<String, double[]> positions = Map.of();
    /** The caller's map that {@link #positions} was copied from. */
    private Map<String, double[]> shownPositions;
    private Selection selection = Selection.NONE;

    /** During a search: each choice's probabilities, and the architecture derived from them (may be null). */
    private Map<String, double[]> weights = Map.of();
    private io.cellforge.arch.Architecture derived;
    /** The op that led each edge at the last drawing: a change is shown with a short fade. */
    private final Map<List<String>, String> leading = new HashMap<>();

    private final Map<String, StackPane> nodeViews = new HashMap<>();
    private final Map<List<String>, EdgeView> edgeViews = new HashMap<>();
    /** Each node's name and badge texts, which the level of detail resizes or hides. */
    private final Map<String, Text[]> names = new HashMap<>();
    /** Where everything is drawn, from the positions; recomputed when they change. */
    private CellGeometry geometry;
    /** The space's keys, whose order gives each key its colour. */
    private List<String> keys = List.of();
    /** The network's context: which weight generator a dynamic op that names none takes its kernels from. */
    private io.cellforge.space.Network.Context context = io.cellforge.space.Network.Context.NONE;
    /** The edge whose badge the pointer is on: it is drawn opened. */
    private List<String> hovered;

    // Callbacks to the window.
    private Consumer<Selection> onSelect = s -> { };
    private BiPredicate<String, String> onConnect = (a, b) -> false;
    private Consumer<Map<String, double[]>> onMove = m -> { };
    private Consumer<String> onNodeOpen = n -> { };
    private Consumer<List<String>> onEdgeOpen = e -> { };

    // Gesture state.
    private enum Gesture { NONE, CONNECT, MOVE, RUBBER, PAN }

    private Gesture gesture = Gesture.NONE;
    private String connectFrom;
    private final Line rubberLine = new Line();
    private final Rectangle rubberBand = new Rectangle();
    private Point2D pressModel;
    private Point2D pressScreen;
    private final Map<String, double[]> moveStart = new HashMap<>();
    private double panX;
    private double panY;
    /** Until the person zooms or pans, the cell is fitted again whenever the view changes size. */
    private boolean autoFit = true;

    private record EdgeView(Edge edge, Path path, Polygon head, Group label, EdgeLabel text) {
    }

    public CellCanvas() {
        getStyleClass().add("cell-canvas");
        setFocusTraversable(true);
        content.getTransforms().setAll(translate, scale);
        content.getChildren().addAll(edgeLayer, nodeLayer, labelLayer, overlay);
        rubberLine.getStrokeDashArray().setAll(6.0, 4.0);
        rubberLine.setStrokeWidth(1.6);
        rubberBand.setFill(Color.web("#3b82f6", 0.12));
        rubberBand.setStroke(Color.web("#3b82f6"));
        background.widthProperty().bind(widthProperty());
        background.heightProperty().bind(heightProperty());
        minimap.setId("minimap");
        getChildren().addAll(background, content, minimap);
        Rectangle clip = new Rectangle();
        clip.widthProperty().bind(widthProperty());
        clip.heightProperty().bind(heightProperty());
        setClip(clip);
        addEventHandler(MouseEvent.MOUSE_PRESSED, this::pressed);
        addEventHandler(MouseEvent.MOUSE_DRAGGED, this::dragged);
        addEventHandler(MouseEvent.MOUSE_RELEASED, this::released);
        addEventHandler(MouseEvent.MOUSE_CLICKED, this::clicked);
        addEventHandler(ScrollEvent.SCROLL, this::scrolled);
        addEventHandler(ZoomEvent.ZOOM, e -> zoomAt(e.getZoomFactor(), e.getX(), e.getY()));
        addEventHandler(KeyEvent.KEY_PRESSED, this::key);
        javafx.beans.value.ChangeListener<Number> resized = (o, a, b) -> {
            if (autoFit && cell != null && getWidth() > 0 && getHeight() > 0) {
                fit();
            }
        };
        widthProperty().addListener(resized);
        heightProperty().addListener(resized);
        minimap.addEventHandler(MouseEvent.MOUSE_PRESSED, this::minimapPan);
        minimap.addEventHandler(MouseEvent.MOUSE_DRAGGED, this::minimapPan);
        applyTheme();
    }

    // ---- wiring -------------------------------------------------------------------------------------------

    public void setOnSelect(Consumer<Selection> f) {
        onSelect = f;
    }

    /** Called with (from, to) when a connection is dropped on a node; returns whether the model took it. */
    public void setOnConnect(BiPredicate<String, String> f) {
        onConnect = f;
    }

    /** Called once a drag ends, with the dragged nodes' new top-left corners (not during the drag). */
    public void setOnMove(Consumer<Map<String, double[]>> f) {
        onMove = f;
    }

    public void setOnNodeOpen(Consumer<String> f) {
        onNodeOpen = f;
    }

    public void setOnEdgeOpen(Consumer<List<String>> f) {
        onEdgeOpen = f;
    }

    /** The space's keys, in the order that gives each its colour (no two alike); the cell's keys until set. */
    public void setKeys(List<String> k) {
        if (!k.equals(keys)) {
            keys = List.copyOf(k);
            redraw();
        }
    }

    /** The space's context and weight generators, which a dynamic edge's tooltip names. */
    public void setContext(io.cellforge.space.Network.Context c) {
        context = c;
    }

    public void setTheme(Theme t) {
        theme = t;
        applyTheme();
        redraw();
    }

    private void applyTheme() {
        background.setFill(theme.background());
        rubberLine.setStroke(theme.selected());
    }

    /** Shows a cell; positions are the nodes' top-left corners, copied: a drag moves the copy until it ends. */
    public void show(Cell c, Map<String, double[]> pos, Selection sel) {
        // Fit when another cell or another document (a new positions map) is shown, not after each edit.
        boolean first = cell == null || !cell.name().equals(c == null ? null : c.name()) || pos != shownPositions;
        cell = c;
        shownPositions = pos;
        positions = new HashMap<>();
        pos.forEach((n, p) -> positions.put(n, p.clone()));
        selection = sel;
        redraw();
        if (first && c != null) {
            autoFit = true; // a view not laid out yet is fitted by the resize listener when it gets its size
            fit();
        }
    }

    /**
     * Shows a search's state: a LayerChoice edge is drawn in the colour of its leading op, as thick and opaque
     * as that op is probable; the edges of the derived cell are highlighted, the others faded. Empty weights
     * go back to the plain drawing.
     */
    public void setWeights(Map<String, double[]> w, io.cellforge.arch.Architecture d) {
        weights = w == null ? Map.of() : w;
        derived = d;
        redraw();
    }

    public void setSelection(Selection sel) {
        selection = sel;
        restyle();
    }

    public double zoom() {
        return scale.getX();
    }

    // ---- drawing ------------------------------------------------------------------------------------------

    /** Text smaller than this on screen is not drawn (level of detail); node names are drawn this large instead. */
    public static final double MIN_TEXT_PX = 9;

    private void redraw() {
        nodeViews.clear();
        names.clear();
        edgeViews.clear();
        edgeLayer.getChildren().clear();
        nodeLayer.getChildren().clear();
        labelLayer.getChildren().clear();
        if (cell == null) {
            geometry = null;
            drawMinimap();
            return;
        }
        Set<String> choiceInputs = new HashSet<>();
        for (Node n : cell.nodes()) {
            if (n.inputChoice() != null) {
                choiceInputs.add(n.name());
            }
        }
        for (Node n : cell.nodes()) {
            StackPane v = nodeView(n);
            nodeViews.put(n.name(), v);
            nodeLayer.getChildren().add(v);
        }
        for (Edge e : cell.edges()) {
            if (!nodeViews.containsKey(e.from()) || !nodeViews.containsKey(e.to())) {
                continue; // a dangling edge is listed in the problems pane
            }
            EdgeView ev = edgeView(e, choiceInputs.contains(e.to()));
            edgeViews.put(List.of(e.from(), e.to()), ev);
            edgeLayer.getChildren().addAll(ev.path(), ev.head());
            if (ev.label() != null) {
                labelLayer.getChildren().add(ev.label());
            }
        }
        updateGeometry(null);
        restyle();
    }

    private StackPane nodeView(Node n) {
        String badge = DiagramLayout.badge(cell, n);
        double[] size = DiagramLayout.boxSize(n.name(), badge);
        Rectangle r = new Rectangle(size[0], size[1]);
        r.setArcWidth(10);
        r.setArcHeight(10);
        r.setFill(switch (n.kind()) {
            case INPUT -> theme.input();
            case OUTPUT -> theme.output();
            default -> n.inputChoice() != null ? theme.choiceNode() : theme.node();
        });
        Text name = new Text(n.name());
        name.setFont(TextMetrics.NAME);
        name.setFill(theme.text());
        VBox text = new VBox(1, name);
        text.setAlignment(Pos.CENTER);
        Text b = null;
        if (!badge.isEmpty()) {
            b = new Text(badge);
            b.setFont(TextMetrics.BADGE);
            b.setFill(n.inputChoice() != null ? keyColour(n.inputChoice().key()) : theme.muted());
            text.getChildren().add(b);
        }
        names.put(n.name(), new Text[] {name, b});
        text.setMouseTransparent(true);
        StackPane p = new StackPane(r, text);
        p.setId("node-" + n.name());
        p.getStyleClass().add("canvas-node");
        p.setUserData(n);
        p.setPickOnBounds(false);
        if (n.kind() != NodeKind.INPUT) {
            Circle in = port("in-" + n.name());
            StackPane.setAlignment(in, Pos.CENTER_LEFT);
            in.setTranslateX(-PORT_R);
            p.getChildren().add(in);
        }
        if (n.kind() != NodeKind.OUTPUT) {
            Circle out = port("out-" + n.name());
            StackPane.setAlignment(out, Pos.CENTER_RIGHT);
            out.setTranslateX(PORT_R);
            out.setCursor(Cursor.CROSSHAIR);
            p.getChildren().add(out);
        }
        if (n.inputChoice() != null) {
            Tooltip.install(p, new Tooltip("InputChoice " + n.inputChoice().key() + ": keeps " + (n.inputChoice().nChosen() < 0 ? "any number"
                    : n.inputChoice().nChosen()) + " of the incoming edges " + cell.incoming(n.name()).stream().map(Edge::from).toList()
                    + ", " + n.inputChoice().reduction().yamlName()));
        }
        p.setMinSize(size[0], size[1]);
        p.setMaxSize(size[0], size[1]);
        return p;
    }

    private Circle port(String id) {
        Circle c = new Circle(PORT_R);
        c.setId(id);
        c.getStyleClass().add("canvas-port");
        c.setFill(theme.background());
        c.setStroke(theme.border());
        c.setStrokeWidth(1.4);
        return c;
    }

    /** The colour of a key among the space's keys (or, before they are set, the cell's). */
    private Color keyColour(String key) {
        return theme.keyColour(keys.isEmpty() ? cellKeys() : keys, key);
    }

    private List<String> cellKeys() {
        return cell == null ? List.of() : cell.mutables().stream().map(io.cellforge.space.Mutable::key).distinct().toList();
    }

    /** An edge's label: during a search a LayerChoice names its leading candidate, else its op or candidate count. */
    private EdgeLabel labelOf(Edge e) {
        if (!weights.isEmpty() && e.op() instanceof LayerChoice lc && weights.get(lc.key()) != null
                && weights.get(lc.key()).length == lc.candidates().size()) {
            return EdgeLabel.leading(lc, weights.get(lc.key()));
        }
        return EdgeLabel.of(e);
    }

    private EdgeView edgeView(Edge e, boolean inputCandidate) {
        Path c = new Path();
        c.setFill(null);
        c.setId("edge-" + e.from() + "-" + e.to());
        c.getStyleClass().add("canvas-edge");
        boolean choice = e.op() instanceof LayerChoice;
        c.setStroke(choice ? theme.choiceEdge() : theme.edge());
        c.setStrokeWidth(choice ? 1.8 : 1.3);
        if (inputCandidate) {
            c.getStrokeDashArray().setAll(7.0, 4.0); // a candidate of the target's InputChoice
        }
        c.setMouseTransparent(true);
        Polygon head = new Polygon();
        head.setFill(c.getStroke());
        head.setMouseTransparent(true);
        EdgeLabel text = labelOf(e);
        String lead = text == null ? null : text.lead();
        if (!weights.isEmpty()) {
            if (lead != null) {
                double p = weights.get(((LayerChoice) e.op()).key())[((LayerChoice) e.op()).indexOf(lead)];
                c.setStroke(theme.opColour(lead));
                c.setStrokeWidth(1 + 5 * p);
                c.setOpacity(0.3 + 0.7 * p);
            }
            boolean kept = derivedKeeps(e);
            if (!kept) {
                c.setOpacity(0.15);
                c.getStrokeDashArray().setAll(4.0, 4.0);
            } else if (derived != null) {
                c.setEffect(new javafx.scene.effect.DropShadow(6, theme.selected()));
            }
        }
        Group label = null;
        if (text != null) {
            label = new Group();
            label.setId("label-" + e.from() + "-" + e.to());
            label.getStyleClass().add("canvas-label");
            if (text.dynamic()) {
                Tooltip tip = new Tooltip(weightsHint(e));
                tip.setShowDelay(javafx.util.Duration.millis(300));
                Tooltip.install(label, tip);
            }
            List<String> id = List.of(e.from(), e.to());
            Group l = label;
            // A badge opens to the key and every candidate while the pointer is on it (or the edge is selected).
            label.setOnMouseEntered(m -> {
                hovered = id;
                showLabel(id);
            });
            label.setOnMouseExited(m -> {
                if (id.equals(hovered)) {
                    hovered = null;
                }
                showLabel(id);
            });
            if (lead != null) {
                label.setOpacity(derivedKeeps(e) ? 1 : 0.35);
                String before = leading.put(id, lead);
                if (before != null && !before.equals(lead)) {
                    // The leading op changed: the new label fades in.
                    javafx.animation.FadeTransition f = new javafx.animation.FadeTransition(javafx.util.Duration.millis(450), l);
                    f.setFromValue(0.1);
                    f.setToValue(l.getOpacity());
                    f.play();
                }
            }
        }
        head.setFill(c.getStroke());
        head.setOpacity(c.getOpacity());
        return new EdgeView(e, c, head, label, text);
    }

    /** Draws an edge's label compact (a badge) or expanded (its key and candidates), as hover and selection say. */
    private void showLabel(List<String> id) {
        EdgeView ev = edgeViews.get(id);
        if (ev == null || ev.label() == null || geometry == null || geometry.edges().get(id) == null) {
            return;
        }
        CellGeometry.Rect box = geometry.edges().get(id).labelBox();
        EdgeLabel t = ev.text();
        boolean choice = t.choice();
        boolean open = choice && (id.equals(hovered) || selection.edges().contains(id));
        boolean sel = selection.edges().contains(id);
        Group g = ev.label();
        g.getChildren().clear();
        g.getTransforms().clear();
        g.setLayoutX(box.x());
        g.setLayoutY(box.y());
        Color border = sel ? theme.selected() : t.lead() != null ? theme.opColour(t.lead()) : choice ? keyColour(t.key()) : theme.grid().darker();
        Rectangle bg = new Rectangle(open ? t.expandedWidth() : t.width(), open ? t.expandedHeight() : t.height());
        bg.setArcWidth(6);
        bg.setArcHeight(6);
        bg.setFill(choice ? theme.choiceLabel() : theme.label());
        bg.setStroke(border);
        bg.setStrokeWidth(sel ? 2.5 : t.lead() != null && derived != null && derivedKeeps(ev.edge()) ? 2.5 : choice ? 1.5 : 1);
        g.getChildren().add(bg);
        boolean readable = TextMetrics.LABEL.getSize() * scale.getX() >= MIN_TEXT_PX;
        if (open) {
            for (int i = 0; i < t.expanded().size(); i++) {
                Text line = new Text(EdgeLabel.PAD, 13 + i * 16, t.expanded().get(i));
                line.setFont(i == 0 ? TextMetrics.KEY : TextMetrics.LABEL);
                line.setFill(i == 0 ? keyColour(t.key()) : theme.text());
                g.getChildren().add(line);
                if (t.dynamicLine(i)) {
                    g.getChildren().add(weightPort(t.expandedWidth() - EdgeLabel.PAD - EdgeLabel.PORT / 2, 9 + i * 16));
                }
            }
            g.toFront();
            if (!readable) {
                // Zoomed out: the opened list is drawn at its own size on screen, over the cell.
                double k = TextMetrics.LABEL.getSize() / (TextMetrics.LABEL.getSize() * scale.getX());
                g.getTransforms().add(new Scale(k, k, 0, 0));
            }
            return;
        }
        double x = EdgeLabel.PAD;
        if (choice) {
            Rectangle swatch = new Rectangle(x, (t.height() - EdgeLabel.SWATCH) / 2, EdgeLabel.SWATCH, EdgeLabel.SWATCH);
            swatch.setArcWidth(3);
            swatch.setArcHeight(3);
            swatch.setFill(keyColour(t.key()));
            swatch.getStyleClass().add("key-swatch");
            g.getChildren().add(swatch);
            x += EdgeLabel.SWATCH + 4;
        }
        Text line = new Text(x, 13, t.text());
        line.setFont(TextMetrics.LABEL);
        line.setFill(theme.text());
        if (!readable) {
            // Zoomed out (a trial's or a result's cell at fit): the op drawn at the smallest readable size, cut short
            // with an ellipsis to its badge, rather than an empty badge; left out where not two letters fit.
            javafx.scene.text.Font big = javafx.scene.text.Font.font(TextMetrics.LABEL.getFamily(), MIN_TEXT_PX / scale.getX());
            String cut = shortForm(t.text(), big, t.width() - x - EdgeLabel.PAD / 2 - (t.dynamic() ? EdgeLabel.PORT_ROOM : 0));
            boolean telling = cut != null && big.getSize() <= t.height()
                    && (cut.equals(t.text()) || cut.length() > 4); // "nor_co…" tells the op; "8 …" tells nothing
            if (telling) {
                line.setFont(big);
                line.setText(cut);
                line.setY((t.height() + big.getSize() * 0.7) / 2);
            }
            line.setVisible(telling);
        }
        g.getChildren().add(line);
        if (t.dynamic()) {
            g.getChildren().add(weightPort(t.width() - EdgeLabel.PAD - EdgeLabel.PORT / 2, t.height() / 2));
        }
    }

    /** A diamond on a label: the op's convolutions take their kernels from a weight generator (their weight port). */
    private static Polygon weightPort(double cx, double cy) {
        double d = EdgeLabel.PORT / 2;
        Polygon p = new Polygon(cx, cy - d, cx + d, cy, cx, cy + d, cx - d, cy);
        p.setFill(io.cellforge.app.diagram.DiagramView.GENERATOR);
        p.getStyleClass().add("weight-port");
        return p;
    }

    /** What a dynamic edge's tooltip says: which of its ops take kernels from which generator. */
    private String weightsHint(Edge e) {
        List<io.cellforge.space.OpCall> calls = e.op() instanceof LayerChoice lc ? lc.candidates() : List.of((io.cellforge.space.OpCall) e.op());
        Map<String, List<String>> byGenerator = new java.util.LinkedHashMap<>();
        for (io.cellforge.space.OpCall c : calls) {
            if (io.cellforge.ops.OpCatalog.builtin().isDynamic(c.op())) {
                String g = io.cellforge.app.diagram.WeightFeeds.generator(context, c);
                byGenerator.computeIfAbsent(g == null ? "no generator of the network (see Problems)" : "generator " + g,
                        k -> new java.util.ArrayList<>()).add(c.label());
            }
        }
        List<String> lines = new java.util.ArrayList<>();
        byGenerator.forEach((g, ops) -> lines.add("w \u2190 " + g + ": kernels of " + String.join(", ", ops) + ", per sample"));
        return String.join("\n", lines);
    }

    /**
     * Level of detail: text that would be smaller than {@link #MIN_TEXT_PX} on screen is hidden (edge labels
     * keep their coloured badge, node boxes their colour), and node names are drawn that large, shortened with
     * an ellipsis where the box is too narrow for them.
     */
    private void applyDetail() {
        double s = scale.getX();
        for (var en : names.entrySet()) {
            Text name = en.getValue()[0];
            Text badge = en.getValue()[1];
            double[] size = size(en.getKey());
            name.setVisible(true);
            name.setManaged(true);
            if (TextMetrics.NAME.getSize() * s >= MIN_TEXT_PX) {
                name.setFont(TextMetrics.NAME);
                name.setText(en.getKey());
            } else {
                javafx.scene.text.Font big = javafx.scene.text.Font.font(TextMetrics.NAME.getFamily(), FontWeight.BOLD, MIN_TEXT_PX / s);
                String shortName = shortForm(en.getKey(), big, size[0] - 6);
                name.setFont(big);
                name.setText(shortName == null ? "" : shortName);
                // A name that cannot be drawn readable inside its box is left out rather than spill over others.
                name.setVisible(shortName != null && big.getSize() * 1.25 <= size[1]);
            }
            name.setManaged(name.isVisible());
            if (badge != null) {
                boolean show = TextMetrics.BADGE.getSize() * s >= MIN_TEXT_PX;
                badge.setVisible(show);
                badge.setManaged(show);
            }
        }
        edgeViews.keySet().forEach(this::showLabel);
    }

    /** The longest start of a name that fits a width in a font, with an ellipsis when cut; null if not two letters fit. */
    static String shortForm(String name, javafx.scene.text.Font f, double width) {
        if (TextMetrics.width(name, f) <= width) {
            return name;
        }
        for (int n = name.length() - 1; n > 1; n--) {
            String s = name.substring(0, n) + "…";
            if (TextMetrics.width(s, f) <= width) {
                return s;
            }
        }
        return null;
    }

    /** Whether the derived architecture keeps an edge (always, without a derivation or an InputChoice). */
    private boolean derivedKeeps(Edge e) {
        if (derived == null) {
            return true;
        }
        Node to = cell.node(e.to()).orElse(null);
        if (to == null || to.inputChoice() == null) {
            return true;
        }
        var d = derived.get(to.inputChoice().key()).orElse(null);
        if (!(d instanceof io.cellforge.arch.Decision.Inputs in)) {
            return true;
        }
        return in.indices().contains(cell.incoming(to.name()).indexOf(e));
    }

    private double[] size(String n) {
        StackPane v = nodeViews.get(n);
        return new double[] {v.getMinWidth(), v.getMinHeight()};
    }

    private double[] pos(String n) {
        return positions.computeIfAbsent(n, k -> new double[] {0, 0});
    }

    /**
     * Moves the node views to their positions and routes the edges: those between nodes the layout placed follow
     * its routes, the others are curves whose labels find free places (see {@link CellGeometry}).
     */
    private void updateGeometry(Set<String> moved) {
        for (var en : nodeViews.entrySet()) {
            if (moved == null || moved.contains(en.getKey())) {
                double[] p = pos(en.getKey());
                en.getValue().setLayoutX(p[0]);
                en.getValue().setLayoutY(p[1]);
            }
        }
        geometry = CellGeometry.of(cell, positions, this::labelOf);
        for (var en : edgeViews.entrySet()) {
            CellGeometry.Route r = geometry.edges().get(en.getKey());
            if (r == null) {
                continue;
            }
            EdgeView ev = en.getValue();
            List<double[]> pts = r.points();
            ev.path().getElements().setAll(new MoveTo(pts.get(0)[0], pts.get(0)[1]));
            if (r.curve()) {
                ev.path().getElements().add(new CubicCurveTo(pts.get(1)[0], pts.get(1)[1], pts.get(2)[0], pts.get(2)[1], pts.get(3)[0], pts.get(3)[1]));
            } else {
                for (int i = 1; i < pts.size(); i++) {
                    ev.path().getElements().add(new LineTo(pts.get(i)[0], pts.get(i)[1]));
                }
            }
            double[] b = r.end();
            double[] before = r.beforeEnd();
            double len = 9;
            double ang = Math.atan2(b[1] - before[1], b[0] - before[0]);
            ev.head().getPoints().setAll(b[0], b[1], b[0] - len * Math.cos(ang - 0.4), b[1] - len * Math.sin(ang - 0.4),
                    b[0] - len * Math.cos(ang + 0.4), b[1] - len * Math.sin(ang + 0.4));
        }
        applyDetail();
        drawMinimap();
    }

    private double[] outPort(String n) {
        double[] p = pos(n);
        double[] s = size(n);
        return new double[] {p[0] + s[0], p[1] + s[1] / 2};
    }

    private double[] inPort(String n) {
        double[] p = pos(n);
        double[] s = size(n);
        return new double[] {p[0], p[1] + s[1] / 2};
    }

    /** Selection shows as a thicker stroke in the accent colour, and opens a LayerChoice's badge. */
    private void restyle() {
        for (var en : nodeViews.entrySet()) {
            Rectangle r = (Rectangle) en.getValue().getChildren().get(0);
            Node n = (Node) en.getValue().getUserData();
            boolean sel = selection.nodes().contains(en.getKey());
            r.setStroke(sel ? theme.selected() : n.inputChoice() != null ? keyColour(n.inputChoice().key()) : theme.border());
            r.setStrokeWidth(sel ? 3 : n.inputChoice() != null ? 2.2 : 1.2);
        }
        for (var en : edgeViews.entrySet()) {
            showLabel(en.getKey());
            if (!weights.isEmpty()) {
                continue; // a search's colours say which op leads; selection is not shown on them
            }
            boolean sel = selection.edges().contains(en.getKey());
            boolean choice = en.getValue().edge().op() instanceof LayerChoice;
            Color c = sel ? theme.selected() : choice ? theme.choiceEdge() : theme.edge();
            en.getValue().path().setStroke(c);
            en.getValue().path().setStrokeWidth(sel ? 3 : choice ? 1.8 : 1.3);
            en.getValue().head().setFill(c);
        }
    }

    // ---- hit testing --------------------------------------------------------------------------------------

    public Point2D sceneToModel(double sceneX, double sceneY) {
        Point2D local = sceneToLocal(sceneX, sceneY);
        return toModel(local.getX(), local.getY());
    }

    private Point2D toModel(double x, double y) {
        return new Point2D((x - translate.getX()) / scale.getX(), (y - translate.getY()) / scale.getY());
    }

    /** The node whose box holds a model point (ports included), or null. */
    public String nodeAt(Point2D m) {
        if (cell == null) {
            return null;
        }
        for (int i = cell.nodes().size() - 1; i >= 0; i--) {
            String n = cell.nodes().get(i).name();
            if (!nodeViews.containsKey(n)) {
                continue;
            }
            double[] p = pos(n);
            double[] s = size(n);
            if (m.getX() >= p[0] - PORT_R * 2 && m.getX() <= p[0] + s[0] + PORT_R * 2 && m.getY() >= p[1] && m.getY() <= p[1] + s[1]) {
                return n;
            }
        }
        return null;
    }

    private String outPortAt(Point2D m) {
        double tol = (PORT_R + 3) / Math.max(0.5, scale.getX());
        for (String n : nodeViews.keySet()) {
            Node node = (Node) nodeViews.get(n).getUserData();
            double[] o = outPort(n);
            if (node.kind() != NodeKind.OUTPUT && Math.hypot(m.getX() - o[0], m.getY() - o[1]) <= tol) {
                return n;
            }
        }
        return null;
    }

    /** The edge whose label, or whose route within a few pixels, is at a model point; null if none. */
    public List<String> edgeAt(Point2D m) {
        if (geometry == null) {
            return null;
        }
        for (var en : geometry.edges().entrySet()) {
            CellGeometry.Rect b = en.getValue().labelBox();
            if (b != null && m.getX() >= b.x() && m.getX() <= b.x() + b.w() && m.getY() >= b.y() && m.getY() <= b.y() + b.h()) {
                return en.getKey();
            }
        }
        double tol = 5 / scale.getX();
        for (var en : geometry.edges().entrySet()) {
            for (double[] p : en.getValue().sample()) {
                if (Math.hypot(m.getX() - p[0], m.getY() - p[1]) <= tol) {
                    return en.getKey();
                }
            }
        }
        return null;
    }

    // ---- gestures -----------------------------------------------------------------------------------------

    private void pressed(MouseEvent e) {
        if (e.getTarget() instanceof Canvas) {
            return; // the minimap handles its own presses
        }
        requestFocus();
        pressScreen = new Point2D(e.getX(), e.getY());
        pressModel = toModel(e.getX(), e.getY());
        if (e.getButton() == MouseButton.SECONDARY || e.getButton() == MouseButton.MIDDLE) {
            gesture = Gesture.PAN;
            panX = translate.getX();
            panY = translate.getY();
            return;
        }
        if (e.getButton() != MouseButton.PRIMARY || cell == null) {
            return;
        }
        String port = outPortAt(pressModel);
        if (port != null) {
            gesture = Gesture.CONNECT;
            connectFrom = port;
            double[] o = outPort(port);
            rubberLine.setStartX(o[0]);
            rubberLine.setStartY(o[1]);
            rubberLine.setEndX(o[0]);
            rubberLine.setEndY(o[1]);
            overlay.getChildren().setAll(rubberLine);
            return;
        }
        String n = nodeAt(pressModel);
        if (n != null) {
            Selection s = selection;
            if (e.isShiftDown() || e.isShortcutDown()) {
                s = s.toggleNode(n);
            } else if (!s.nodes().contains(n)) {
                s = Selection.node(n);
            }
            select(s);
            gesture = Gesture.MOVE;
            moveStart.clear();
            for (String m : selection.nodes()) {
                moveStart.put(m, pos(m).clone());
            }
            return;
        }
        List<String> edge = edgeAt(pressModel);
        if (edge != null) {
            select(e.isShiftDown() || e.isShortcutDown() ? selection.toggleEdge(edge) : Selection.edge(edge.get(0), edge.get(1)));
            gesture = Gesture.NONE;
            return;
        }
        gesture = Gesture.RUBBER;
        if (!e.isShiftDown() && !e.isShortcutDown()) {
            select(Selection.NONE);
        }
        rubberBand.setX(pressModel.getX());
        rubberBand.setY(pressModel.getY());
        rubberBand.setWidth(0);
        rubberBand.setHeight(0);
        overlay.getChildren().setAll(rubberBand);
    }

    private void dragged(MouseEvent e) {
        Point2D m = toModel(e.getX(), e.getY());
        switch (gesture) {
            case PAN -> {
                autoFit = false;
                translate.setX(panX + e.getX() - pressScreen.getX());
                translate.setY(panY + e.getY() - pressScreen.getY());
                drawMinimap();
            }
            case CONNECT -> {
                rubberLine.setEndX(m.getX());
                rubberLine.setEndY(m.getY());
            }
            case MOVE -> {
                double dx = m.getX() - pressModel.getX();
                double dy = m.getY() - pressModel.getY();
                for (var en : moveStart.entrySet()) {
                    double[] p = pos(en.getKey());
                    p[0] = en.getValue()[0] + dx;
                    p[1] = en.getValue()[1] + dy;
                }
                updateGeometry(moveStart.keySet());
            }
            case RUBBER -> {
                rubberBand.setX(Math.min(m.getX(), pressModel.getX()));
                rubberBand.setY(Math.min(m.getY(), pressModel.getY()));
                rubberBand.setWidth(Math.abs(m.getX() - pressModel.getX()));
                rubberBand.setHeight(Math.abs(m.getY() - pressModel.getY()));
            }
            default -> {
            }
        }
    }

    private void released(MouseEvent e) {
        Point2D m = toModel(e.getX(), e.getY());
        Gesture g = gesture;
        gesture = Gesture.NONE;
        overlay.getChildren().clear();
        switch (g) {
            case CONNECT -> {
                String target = nodeAt(m);
                if (target != null && !target.equals(connectFrom)) {
                    onConnect.test(connectFrom, target);
                }
            }
            case MOVE -> {
                Map<String, double[]> moved = new HashMap<>();
                moveStart.forEach((n, from) -> {
                    if (!Arrays.equals(from, pos(n))) {
                        moved.put(n, pos(n).clone());
                    }
                });
                if (!moved.isEmpty()) {
                    onMove.accept(moved);
                }
            }
            case RUBBER -> {
                Bounds b = rubberBand.getBoundsInLocal();
                if (b.getWidth() < 2 && b.getHeight() < 2) {
                    return;
                }
                Set<String> nodes = new LinkedHashSet<>();
                for (String n : nodeViews.keySet()) {
                    double[] p = pos(n);
                    double[] s = size(n);
                    if (b.intersects(p[0], p[1], s[0], s[1])) {
                        nodes.add(n);
                    }
                }
                Set<List<String>> edges = new LinkedHashSet<>();
                for (var en : geometry.edges().entrySet()) {
                    CellGeometry.Rect lb = en.getValue().labelBox();
                    if (nodes.contains(en.getKey().get(0)) && nodes.contains(en.getKey().get(1))
                            || lb != null && b.intersects(lb.x(), lb.y(), lb.w(), lb.h())) {
                        edges.add(en.getKey());
                    }
                }
                Selection s = new Selection(nodes, edges);
                select(e.isShiftDown() || e.isShortcutDown() ? selection.union(s) : s);
            }
            default -> {
            }
        }
    }

    private void clicked(MouseEvent e) {
        if (e.getButton() != MouseButton.PRIMARY || e.getClickCount() != 2 || cell == null) {
            return;
        }
        Point2D m = toModel(e.getX(), e.getY());
        String n = nodeAt(m);
        if (n != null) {
            onNodeOpen.accept(n);
            return;
        }
        List<String> edge = edgeAt(m);
        if (edge != null) {
            onEdgeOpen.accept(edge);
        }
    }

    private void select(Selection s) {
        selection = s;
        restyle();
        onSelect.accept(s);
    }

    private void scrolled(ScrollEvent e) {
        if (e.isShortcutDown() || e.isControlDown()) {
            zoomAt(e.getDeltaY() > 0 ? 1.1 : 1 / 1.1, e.getX(), e.getY());
        } else {
            pan(e.getDeltaX(), e.getDeltaY());
        }
        e.consume();
    }

    private void key(KeyEvent e) {
        double step = 60;
        if (e.isShortcutDown() || e.isAltDown()) {
            return;
        }
        KeyCode k = e.getCode();
        switch (k) {
            case LEFT -> pan(step, 0);
            case RIGHT -> pan(-step, 0);
            case UP -> pan(0, step);
            case DOWN -> pan(0, -step);
            default -> {
                return;
            }
        }
        e.consume();
    }

    public void pan(double dx, double dy) {
        autoFit = false;
        translate.setX(translate.getX() + dx);
        translate.setY(translate.getY() + dy);
        drawMinimap();
    }

    /** Zooms by a factor keeping the point (x, y) of the view still. */
    public void zoomAt(double factor, double x, double y) {
        autoFit = false;
        double s = Math.max(MIN_SCALE, Math.min(MAX_SCALE, scale.getX() * factor));
        Point2D m = toModel(x, y);
        scale.setX(s);
        scale.setY(s);
        translate.setX(x - m.getX() * s);
        translate.setY(y - m.getY() * s);
        applyDetail();
        drawMinimap();
    }

    public void zoom(double factor) {
        zoomAt(factor, getWidth() / 2, getHeight() / 2);
    }

    /** The model's bounding box: nodes and edge labels. */
    private double[] extent() {
        return geometry == null || nodeViews.isEmpty() ? new double[] {0, 0, 1, 1} : geometry.extent();
    }

    /** Scales and centres the whole cell in the view (never above 100%). */
    public void fit() {
        if (getWidth() <= 0 || getHeight() <= 0) {
            return;
        }
        autoFit = true;
        double[] b = extent();
        double pad = 30;
        double s = Math.min(1, Math.min((getWidth() - 2 * pad) / (b[2] - b[0]), (getHeight() - 2 * pad) / (b[3] - b[1])));
        s = Math.max(MIN_SCALE, s);
        scale.setX(s);
        scale.setY(s);
        translate.setX((getWidth() - (b[2] - b[0]) * s) / 2 - b[0] * s);
        translate.setY((getHeight() - (b[3] - b[1]) * s) / 2 - b[1] * s);
        applyDetail();
        drawMinimap();
    }

    @Override
    protected void layoutChildren() {
        minimap.setLayoutX(getWidth() - minimap.getWidth() - 10);
        minimap.setLayoutY(getHeight() - minimap.getHeight() - 10);
        drawMinimap();
    }

    // ---- minimap ------------------------------------------------------------------------------------------

    /** The whole cell in small with the visible part framed; shown when the cell does not fit the view. */
    private void drawMinimap() {
        GraphicsContext g = minimap.getGraphicsContext2D();
        double w = minimap.getWidth();
        double h = minimap.getHeight();
        g.clearRect(0, 0, w, h);
        if (cell == null || nodeViews.isEmpty() || getWidth() <= 0) {
            minimap.setVisible(false);
            return;
        }
        double[] b = extent();
        Point2D v0 = toModel(0, 0);
        Point2D v1 = toModel(getWidth(), getHeight());
        boolean fits = v0.getX() <= b[0] && v0.getY() <= b[1] && v1.getX() >= b[2] && v1.getY() >= b[3];
        minimap.setVisible(!fits);
        if (fits) {
            return;
        }
        double[] all = {Math.min(b[0], v0.getX()), Math.min(b[1], v0.getY()), Math.max(b[2], v1.getX()), Math.max(b[3], v1.getY())};
        double s = Math.min((w - 8) / (all[2] - all[0]), (h - 8) / (all[3] - all[1]));
        g.setFill(theme.minimap());
        g.fillRoundRect(0, 0, w, h, 8, 8);
        g.setStroke(theme.border());
        g.strokeRoundRect(0.5, 0.5, w - 1, h - 1, 8, 8);
        g.setFill(theme.muted());
        for (String n : nodeViews.keySet()) {
            double[] p = pos(n);
            double[] sz = size(n);
            g.fillRect(4 + (p[0] - all[0]) * s, 4 + (p[1] - all[1]) * s, Math.max(2, sz[0] * s), Math.max(2, sz[1] * s));
        }
        g.setStroke(theme.selected());
        g.setLineWidth(1.5);
        g.strokeRect(4 + (v0.getX() - all[0]) * s, 4 + (v0.getY() - all[1]) * s, (v1.getX() - v0.getX()) * s, (v1.getY() - v0.getY()) * s);
        minimap.setUserData(new double[] {all[0], all[1], s});
    }

    private void minimapPan(MouseEvent e) {
        if (!(minimap.getUserData() instanceof double[] m)) {
            return;
        }
        autoFit = false;
        double mx = m[0] + (e.getX() - 4) / m[2];
        double my = m[1] + (e.getY() - 4) / m[2];
        translate.setX(getWidth() / 2 - mx * scale.getX());
        translate.setY(getHeight() / 2 - my * scale.getY());
        drawMinimap();
        e.consume();
    }

    /** The drawn cell, for a picture export. */
    public Group content() {
        return content;
    }

    /** Where a node's centre is in the scene (the benchmark drags nodes with it). */
    public Point2D nodeCentreInScene(String n) {
        double[] p = pos(n);
        double[] s = size(n);
        return localToScene(translate.getX() + (p[0] + s[0] / 2) * scale.getX(), translate.getY() + (p[1] + s[1] / 2) * scale.getY());
    }

}
