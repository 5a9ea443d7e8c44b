package io.cellforge.app.diagram;

import javafx.scene.Group;
import javafx.scene.layout.Pane;
import javafx.scene.layout.StackPane;
import javafx.scene.paint.Color;
import javafx.scene.shape.Polygon;
import javafx.scene.shape.Polyline;
import javafx.scene.shape.Rectangle;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.Text;

import java.util.List;

/** Draws a {@link Diagram}; every box carries the style class {@code diagram-box} and its model id. */
public final class DiagramView extends Pane {
    static final double MARGIN = 24;

    public DiagramView() {
        getStyleClass().add("diagram");
    }

    public void show(Diagram d) {
        getChildren().clear();
        Group g = new Group();
        g.setLayoutX(MARGIN);
        g.setLayoutY(MARGIN);
        for (Diagram.Arrow a : d.arrows()) {
            g.getChildren().add(arrow(a));
        }
        for (Diagram.Box b : d.boxes()) {
            g.getChildren().add(box(b));
        }
        for (Diagram.Arrow a : d.arrows()) {
            if (a.label() != null) {
                g.getChildren().add(label(a));
            }
        }
        getChildren().add(g);
        setPrefSize(d.width() + 2 * MARGIN, d.height() + 2 * MARGIN);
        setMinSize(d.width() + 2 * MARGIN, d.height() + 2 * MARGIN);
    }

    private static Color fill(Diagram.Kind k) {
        return switch (k) {
            case INPUT -> Color.web("#dbeafe");
            case OUTPUT -> Color.web("#dcfce7");
            case CHOICE_NODE -> Color.web("#fef3c7");
            case STAGE -> Color.web("#f1f5f9");
            default -> Color.WHITE;
        };
    }

    private static StackPane box(Diagram.Box b) {
        Rectangle r = new Rectangle(b.w(), b.h());
        r.setArcWidth(10);
        r.setArcHeight(10);
        r.setFill(fill(b.kind()));
        r.setStroke(b.kind() == Diagram.Kind.CHOICE_NODE ? Color.web("#d97706") : Color.web("#475569"));
        r.setStrokeWidth(b.kind() == Diagram.Kind.CHOICE_NODE ? 2 : 1.2);
        Text name = new Text(b.label());
        name.setFont(Font.font("System", FontWeight.BOLD, 13));
        StackPane p = new StackPane(r);
        if (b.badge().isEmpty()) {
            p.getChildren().add(name);
        } else {
            Text badge = new Text(b.badge());
            badge.setFont(Font.font(11));
            badge.setFill(Color.web("#334155"));
            p.getChildren().add(new javafx.scene.layout.VBox(1, name, badge) {
                {
                    setAlignment(javafx.geometry.Pos.CENTER);
                }
            });
        }
        p.setLayoutX(b.x());
        p.setLayoutY(b.y());
        p.setId("box-" + b.id());
        p.getStyleClass().add("diagram-box");
        p.setUserData(b);
        return p;
    }

    private static Group arrow(Diagram.Arrow a) {
        Polyline line = new Polyline();
        for (double[] p : a.points()) {
            line.getPoints().addAll(p[0], p[1]);
        }
        Color c = a.choice() ? Color.web("#b45309") : Color.web("#64748b");
        line.setStroke(c);
        line.setStrokeWidth(a.choice() ? 1.8 : 1.3);
        Group g = new Group(line);
        g.getStyleClass().add("diagram-arrow");
        List<double[]> pts = a.points();
        if (pts.size() >= 2) {
            double[] end = pts.get(pts.size() - 1);
            double[] prev = pts.get(pts.size() - 2);
            double ang = Math.atan2(end[1] - prev[1], end[0] - prev[0]);
            double len = 9;
            Polygon head = new Polygon(end[0], end[1],
                    end[0] - len * Math.cos(ang - 0.4), end[1] - len * Math.sin(ang - 0.4),
                    end[0] - len * Math.cos(ang + 0.4), end[1] - len * Math.sin(ang + 0.4));
            head.setFill(c);
            g.getChildren().add(head);
        }
        return g;
    }

    private static Group label(Diagram.Arrow a) {
        EdgeLabel l = a.label();
        double x = a.labelX() + (a.labelW() - l.width()) / 2;
        double y = a.labelY() + (a.labelH() - l.height()) / 2;
        Rectangle bg = new Rectangle(x, y, l.width(), l.height());
        bg.setFill(a.choice() ? Color.web("#fffbeb", 0.95) : Color.web("#ffffff", 0.9));
        bg.setStroke(a.choice() ? Color.web("#f59e0b") : Color.web("#cbd5e1"));
        bg.setArcWidth(6);
        bg.setArcHeight(6);
        Text t = new Text(x + EdgeLabel.PAD, y + 13, l.text());
        t.setFont(TextMetrics.LABEL);
        Group g = new Group(bg, t);
        g.getStyleClass().add("diagram-label");
        javafx.scene.control.Tooltip.install(g, new javafx.scene.control.Tooltip(String.join("\n", l.expanded())));
        return g;
    }
}
