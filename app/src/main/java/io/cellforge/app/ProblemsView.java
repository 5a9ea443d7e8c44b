package io.cellforge.app;

import io.cellforge.space.Problem;
import javafx.scene.control.ContentDisplay;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.paint.Color;
import javafx.scene.text.Text;

/**
 * The problems of the open space, errors in red and warnings in amber, each in full (wrapped, never cut); a click
 * reveals its place: the cell, the node or edge, the stage, the first choice of a key.
 */
final class ProblemsView extends ListView<Problem> {
    ProblemsView(ProblemsViewModel problems) {
        super(problems.list());
        setId("problems");
        setPlaceholder(new Label("No problems"));
        setCellFactory(l -> new ListCell<>() {
            /** Drawn as a Text that wraps at the list's width: a Text is never cut with an ellipsis as a label is. */
            private final Text line = new Text();

            {
                line.wrappingWidthProperty().bind(l.widthProperty().subtract(30));
                setContentDisplay(ContentDisplay.GRAPHIC_ONLY);
                setPrefWidth(0); // the list does not widen to the text, so the rows wrap
            }

            @Override
            protected void updateItem(Problem p, boolean empty) {
                super.updateItem(p, empty);
                setText(empty || p == null ? null : p.toString());
                line.setText(getText());
                line.setFill(empty || p == null ? Color.TRANSPARENT : p.isError() ? Color.web("#dc2626") : Color.web("#d97706"));
                setGraphic(empty || p == null ? null : line);
            }
        });
        getSelectionModel().selectedItemProperty().addListener((o, a, p) -> {
            if (p != null) {
                problems.reveal(p);
            }
        });
    }
}
