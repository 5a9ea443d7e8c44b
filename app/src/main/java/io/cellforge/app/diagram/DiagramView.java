package io.cellforge.app.diagram;

import io.cellforge.space.SearchSpace;
import javafx.geometry.Point2D;
import javafx.scene.Group;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.Pane;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Polygon;
import javafx.scene.shape.Polyline;
import javafx.scene.shape.Rectangle;
import javafx.scene.text.Font;
import javafx.scene.text.Text;
import javafx.scene.transform.Scale;
import javafx.scene.transform.Translate;
import javafx.util.Duration;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Draws a network's stack, laid out ({@link NetworkLayout}) for the view's shape and fitted to it until the person
 * zooms; every box carries the style class {@code diagram-box} and its model id. Knows nothing of documents: a click
 * on a box, Shift+click, Escape and a double-click are reported to callbacks, and a box's tooltip text is asked of
 * a describer when the figures change. A weight generator's frame ({@code diagram-frame}) and its dashed connectors
 * ({@code diagram-weights}, ending on the weight port of the box they feed) are drawn in a colour of their own.
 */
public final class DiagramView extends Pane {
    static final double MARGIN = 24;
    private static final double MIN_SCALE = 0.15;
    private static final double MAX_SCALE = 3;

    private final Group content = new Group();
    private final Scale scale = new Scale(1, 1);
    private final Translate translate = new Translate();
    private final Map<String, StackPane> boxes = new HashMap<>();
    private SearchSpace space;
    private Diagram diagram;
    private double laidOutAspect;
    private boolean autoFit = true;
    private Set<String> selected = Set.of();
    private Function<String, String> describer = id -> "";
    private BiConsumer<String, Boolean> onPick = (id, add) -> { };
    private Runnable onClear = () -> { };
    private Consumer<String> onOpen = id -> { };
    private double[] drag;

    public DiagramView() {
        getStyleClass().add("diagram");
        setFocusTraversable(true);
        content.getTransforms().setAll(translate, scale);
        getChildren().add(content);
        Rectangle clip = new Rectangle();
        clip.widthProperty().bind(widthProperty());
        clip.heightProperty().bind(heightProperty());
        setClip(clip);
        widthProperty().addListener((o, a, b) -> resized());
        heightProperty().addListener((o, a, b) -> resized());
        setOnMousePressed(e -> {
            requestFocus();
            drag = new double[] {e.getX(), e.getY()};
        });
        setOnMouseDragged(e -> {
            if (drag != null) {
                autoFit = false;
                translate.setX(translate.getX() + e.getX() - drag[0]);
                translate.setY(translate.getY() + e.getY() - drag[1]);
                drag = new double[] {e.getX(), e.getY()};
            }
        });
        setOnMouseClicked(e -> {
            if (e.getButton() != MouseButton.PRIMARY || !e.isStillSincePress()) {
                return;
            }
            String id = boxAt(e.getTarget());
            if (id == null) {
                if (!e.isShiftDown()) {
                    onClear.run();
                }
            } else if (e.getClickCount() == 2) {
                onOpen.accept(id);
            } else {
                onPick.accept(id, e.isShiftDown());
            }
        });
        setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ESCAPE) {
                onClear.run();
                e.consume();
            }
        });
        addEventHandler(ScrollEvent.SCROLL, e -> {
            if (e.isControlDown()) {
                zoomAt(e.getDeltaY() > 0 ? 1.1 : 1 / 1.1, e.getX(), e.getY());
            } else {
                autoFit = false;
                translate.setX(translate.getX() + e.getDeltaX());
                translate.setY(translate.getY() + e.getDeltaY());
            }
            e.consume();
        });
    }

    /** A click on a box: its id, and whether Shift adds it to the selection. */
    public void setOnPick(BiConsumer<String, Boolean> f) {
        onPick = f;
    }

    /** Escape, or a click beside the boxes. */
    public void setOnClear(Runnable r) {
        onClear = r;
    }

    /** A double-click on a box. */
    public void setOnOpen(Consumer<String> f) {
        onOpen = f;
    }

    /** The text of a box's tooltip, by its id. */
    public void setDescriber(Function<String, String> f) {
        describer = f;
        refreshTooltips();
    }

    /** Draws another space's network (or the same one edited), laid out for the view's shape; fitted unless zoomed. */
    public void show(SearchSpace s) {
        space = s;
        relayout();
        if (autoFit) {
            fit();
        }
    }

    /** The boxes as laid out now, in the content's coordinates (for tests and the window). */
    public Diagram diagram() {
        return diagram;
    }

    public void setSelection(Set<String> ids) {
        selected = Set.copyOf(ids);
        boxes.forEach((id, p) -> styleBox(p, selected.contains(id)));
    }

    public void refreshTooltips() {
        boxes.forEach((id, p) -> ((Tooltip) p.getProperties().get(Tooltip.class)).setText(describer.apply(id)));
    }

    public double zoom() {
        return scale.getX();
    }

    /** Scales and centres the whole stack in the view (never above 100%); it follows the view's size from then on. */
    public void fit() {
        autoFit = true;
        if (diagram == null || getWidth() <= 0 || getHeight() <= 0) {
            return;
        }
        double w = diagram.width() + 2 * MARGIN;
        double h = diagram.height() + 2 * MARGIN;
        double s = Math.max(MIN_SCALE, Math.min(1, Math.min(getWidth() / w, getHeight() / h)));
        scale.setX(s);
        scale.setY(s);
        translate.setX((getWidth() - w * s) / 2 + MARGIN * s);
        translate.setY((getHeight() - h * s) / 2 + MARGIN * s);
    }

    public void zoom(double factor) {
        zoomAt(factor, getWidth() / 2, getHeight() / 2);
    }

    private void zoomAt(double factor, double x, double y) {
        autoFit = false;
        double s = Math.max(MIN_SCALE, Math.min(MAX_SCALE, scale.getX() * factor));
        Point2D m = new Point2D((x - translate.getX()) / scale.getX(), (y - translate.getY()) / scale.getY());
        scale.setX(s);
        scale.setY(s);
        translate.setX(x - m.getX() * s);
        translate.setY(y - m.getY() * s);
    }

    private double aspect() {
        return getWidth() > 0 && getHeight() > 0 ? getWidth() / getHeight() : NetworkLayout.ASPECT;
    }

    private void resized() {
        if (space != null && autoFit) {
            if (Math.abs(aspect() - laidOutAspect) > 1e-3) {
                relayout();
            }
            fit();
        }
    }

    private void relayout() {
        laidOutAspect = aspect();
        diagram = NetworkLayout.of(space, laidOutAspect);
        boxes.clear();
        content.getChildren().clear();
        for (Diagram.Frame f : diagram.frames()) {
            content.getChildren().add(frame(f));
        }
        for (Diagram.Arrow a : diagram.arrows()) {
            content.getChildren().add(diagram.feedsWeights(a) ? weights(a) : arrow(a));
        }
        for (Diagram.Box b : diagram.boxes()) {
            StackPane p = box(b);
            boxes.put(b.id(), p);
            content.getChildren().add(p);
        }
        setSelection(selected);
        refreshTooltips();
    }

    private static String boxAt(Object target) {
        for (Object x = target; x instanceof javafx.scene.Node n; x = n.getParent()) {
            if (n.getUserData() instanceof Diagram.Box b) {
                return b.id();
            }
        }
        return null;
    }

    private static Color fill(Diagram.Kind k) {
        return switch (k) {
            case INPUT -> Color.web("#dbeafe");
            case OUTPUT -> Color.web("#dcfce7");
            case CHOICE_NODE -> Color.web("#fef3c7");
            case STAGE -> Color.web("#f1f5f9");
            case CONTEXT -> Color.web("#e0f2fe");
            case GENERATOR -> Color.web("#ede9fe");
            default -> Color.WHITE;
        };
    }

    private static void styleBox(StackPane p, boolean on) {
        Rectangle r = (Rectangle) p.getChildren().get(0);
        r.setStroke(on ? Color.web("#2563eb") : Color.web("#475569"));
        r.setStrokeWidth(on ? 2.5 : 1.2);
        p.pseudoClassStateChanged(javafx.css.PseudoClass.getPseudoClass("selected"), on);
    }

    private StackPane box(Diagram.Box b) {
        Rectangle r = new Rectangle(b.w(), b.h());
        r.setArcWidth(10);
        r.setArcHeight(10);
        r.setFill(fill(b.kind()));
        Text name = new Text(b.label());
        name.setFont(TextMetrics.NAME);
        StackPane p = new StackPane(r);
        if (b.badge().isEmpty()) {
            p.getChildren().add(name);
        } else {
            Text badge = new Text(b.badge());
            badge.setFont(TextMetrics.BADGE);
            badge.setFill(Color.web("#334155"));
            VBox lines = new VBox(1, name, badge);
            lines.setAlignment(javafx.geometry.Pos.CENTER);
            p.getChildren().add(lines);
        }
        p.setLayoutX(b.x());
        p.setLayoutY(b.y());
        p.setId("box-" + b.id());
        p.getStyleClass().add("diagram-box");
        p.setUserData(b);
        styleBox(p, false);
        Tooltip tip = new Tooltip();
        tip.setShowDelay(Duration.millis(300));
        tip.setShowDuration(Duration.INDEFINITE);
        tip.setFont(Font.font("Monospaced", 12));
        tip.setId("tooltip-" + b.id());
        Tooltip.install(p, tip);
        p.getProperties().put(Tooltip.class, tip);
        return p;
    }

    /** The colour of a weight generator: its frame, the connectors that carry its kernels, the weight ports. */
    public static final Color GENERATOR = Color.web("#7c3aed");

    private static Group frame(Diagram.Frame f) {
        Rectangle r = new Rectangle(f.x(), f.y(), f.w(), f.h());
        r.setArcWidth(12);
        r.setArcHeight(12);
        r.setFill(Color.web("#7c3aed", 0.06));
        r.setStroke(GENERATOR);
        r.setStrokeWidth(1.2);
        r.getStrokeDashArray().setAll(6.0, 3.0);
        Text t = new Text(f.x() + NetworkLayout.FRAME_PAD, f.y() + 13, f.label());
        t.setFont(TextMetrics.FRAME);
        t.setFill(GENERATOR);
        Group g = new Group(r, t);
        g.setId("frame-" + f.id());
        g.getStyleClass().add("diagram-frame");
        g.setMouseTransparent(true);
        return g;
    }

    /**
     * A weights connector: dashed in the generator's colour, ending on a diamond, the weight port of the
     * convolutions of the box it enters.
     */
    private static Group weights(Diagram.Arrow a) {
        Polyline line = new Polyline();
        for (double[] p : a.points()) {
            line.getPoints().addAll(p[0], p[1]);
        }
        line.setStroke(GENERATOR);
        line.setStrokeWidth(1.3);
        line.getStrokeDashArray().setAll(4.0, 3.0);
        double[] end = a.points().get(a.points().size() - 1);
        double d = 4.5;
        Polygon port = new Polygon(end[0], end[1] - 2 * d, end[0] + d, end[1] - d, end[0], end[1], end[0] - d, end[1] - d);
        port.setFill(GENERATOR);
        Group g = new Group(line, port);
        g.getStyleClass().add("diagram-weights");
        g.setId("weights-" + a.from() + "-" + a.to());
        String generator = NetworkLayout.generatorOf(a.from());
        Tooltip.install(g, new Tooltip("kernels of the dynamic convolutions of " + a.to() + ", made per sample by generator " + generator));
        return g;
    }

    private static Group arrow(Diagram.Arrow a) {
        Polyline line = new Polyline();
        for (double[] p : a.points()) {
            line.getPoints().addAll(p[0], p[1]);
        }
        // An arrow from a box to itself is the identity shortcut around it.
        boolean shortcut = a.from().equals(a.to());
        Color c = shortcut ? Color.web("#0d9488") : Color.web("#64748b");
        line.setStroke(c);
        line.setStrokeWidth(1.3);
        if (shortcut) {
            line.getStrokeDashArray().setAll(5.0, 3.0);
        }
        Group g = new Group(line);
        g.getStyleClass().add(shortcut ? "diagram-shortcut" : "diagram-arrow");
        List<double[]> pts = a.points();
        if (pts.size() >= 2) {
            double[] end = pts.get(pts.size() - 1);
            double[] prev = pts.get(pts.size() - 2);
            double ang = Math.atan2(end[1] - prev[1], end[0] - prev[0]);
            double len = shortcut ? 7 : 9;
            Polygon head = new Polygon(end[0], end[1],
                    end[0] - len * Math.cos(ang - 0.4), end[1] - len * Math.sin(ang - 0.4),
                    end[0] - len * Math.cos(ang + 0.4), end[1] - len * Math.sin(ang + 0.4));
            head.setFill(c);
            g.getChildren().add(head);
        }
        return g;
    }
}
