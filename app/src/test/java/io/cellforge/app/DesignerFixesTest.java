package io.cellforge.app;

import io.cellforge.edit.SpaceEdits;
import io.cellforge.space.SearchSpace;
import javafx.scene.control.ButtonBase;
import javafx.scene.control.Label;
import javafx.scene.control.Labeled;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TextArea;
import javafx.scene.input.KeyCode;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The designer's small faults a new user met (issue 13), each pinned where a person sees it. */
@ExtendWith(ApplicationExtension.class)
class DesignerFixesTest {
    private MainViewModel vm;
    private MainWindow window;

    @Start
    void start(Stage stage) throws Exception {
        vm = new MainViewModel(new Workspace(Files.createTempDirectory("cellforge-fixes")));
        window = new MainWindow(vm, stage);
        stage.setScene(window.scene());
        stage.sizeToScene(); // the primary stage is shared: not the size another test class left it at
        vm.documents().openZoo("darts-mini");
        stage.show();
    }

    /** Clicks through a menu path, each item once it is shown (a submenu opens after the click that asks for it). */
    static void clickMenu(FxRobot robot, String... path) throws java.util.concurrent.TimeoutException {
        for (String item : path) {
            org.testfx.util.WaitForAsyncUtils.waitFor(60, java.util.concurrent.TimeUnit.SECONDS,
                    () -> robot.lookup(item).tryQuery().filter(javafx.scene.Node::isVisible).isPresent());
            robot.clickOn(item);
        }
    }

    private SearchSpace space() {
        return vm.state().spaceProperty().get();
    }

    /** The text a Labeled draws (its skin's Text), which is what mnemonic parsing and ellipses change. */
    private static String drawn(FxRobot robot, Labeled l) {
        return robot.from(l).lookup((Text t) -> true).queryAll().stream().map(n -> ((Text) n).getText()).findFirst().orElse("");
    }

    private static List<MenuItem> items(List<? extends MenuItem> in) {
        List<MenuItem> out = new ArrayList<>();
        for (MenuItem m : in) {
            out.add(m);
            if (m instanceof Menu sub) {
                out.addAll(items(sub.getItems()));
            }
        }
        return out;
    }

    @Test
    void menuItemsShowKeyNamesWithAllTheirUnderscores(FxRobot robot) {
        String key = space().mutables().get(0).key();
        robot.interact(() -> vm.edits().apply(SpaceEdits.renameKey(key, "my_first_key")));
        String undo = "Undo rename key " + key + " to my_first_key";
        assertEquals(undo, vm.edits().undoTextProperty().get());
        robot.clickOn("Edit");
        WaitForAsyncUtils.waitForFxEvents();
        // The text drawn in the open menu, not the item's property: mnemonic parsing takes the first '_' off the drawing.
        List<String> shown = robot.lookup((Text t) -> t.getText() != null && t.getText().startsWith("Undo rename")).queryAll().stream()
                .map(n -> ((Text) n).getText()).toList();
        robot.push(KeyCode.ESCAPE);
        assertEquals(List.of(undo), shown);
        MenuBar bar = robot.lookup("#menubar").queryAs(MenuBar.class);
        for (Menu m : bar.getMenus()) {
            for (MenuItem it : items(m.getItems())) {
                if (it.getText() != null && it.getText().contains("_")) {
                    assertFalse(it.isMnemonicParsing(), "menu item '" + it.getText() + "' parses mnemonics");
                }
            }
        }
        for (var n : robot.lookup((javafx.scene.Node x) -> x instanceof ButtonBase b && b.getText() != null && b.getText().contains("_")).queryAll()) {
            assertFalse(((ButtonBase) n).isMnemonicParsing(), ((ButtonBase) n).getText());
        }
    }

    @Test
    void theLayerChoiceDialogKeepsItsLabelsWholeAfterAPreset(FxRobot robot) {
        robot.interact(() -> vm.state().setSelection(Selection.edge("in0", "n2")));
        robot.push(KeyCode.CONTROL, KeyCode.L);
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#lc-preset").clickOn("DARTS 8 ops");
        WaitForAsyncUtils.waitForFxEvents();
        for (String name : List.of("Key", "Candidates")) {
            Label l = robot.lookup((Label x) -> name.equals(x.getText())).queryAs(Label.class);
            assertEquals(name, drawn(robot, l), "the label " + name + " is drawn whole");
        }
        Label chosen = robot.lookup("#lc-chosen").queryAs(Label.class);
        assertTrue(chosen.getText().startsWith("8 candidates"), chosen.getText());
        assertFalse(drawn(robot, chosen).endsWith("…"), drawn(robot, chosen));
        robot.clickOn("Cancel");
    }

    @Test
    void aGenotypeThatDoesNotParseKeepsTheDialogOpenWithTheTextAndTheReason(FxRobot robot) throws Exception {
        SearchSpace before = space();
        clickMenu(robot, "File", "Import", "DARTS genotype...");
        String typo = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], normal_concat=[2, 3, 4, 5], reduce=[(, reduce_concat=[2])";
        robot.interact(() -> robot.lookup("#genotype-text").queryAs(TextArea.class).setText(typo));
        robot.clickOn("OK");
        WaitForAsyncUtils.waitForFxEvents();
        TextArea text = robot.lookup("#genotype-text").queryAs(TextArea.class);
        assertTrue(text.getScene().getWindow().isShowing(), "the dialog stays open");
        assertEquals(typo, text.getText(), "the pasted text is kept");
        String error = robot.lookup("#genotype-error").queryAs(Label.class).getText();
        assertTrue(error.startsWith("The genotype does not parse: "), error);
        assertEquals(before, space());

        robot.interact(() -> text.setText(io.cellforge.arch.Genotype.DARTS_V2.toString()));
        assertEquals("", robot.lookup("#genotype-error").queryAs(Label.class).getText(), "a new text clears the reason");
        robot.clickOn("OK");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> "genotype".equals(space().name()));
        assertTrue(Window.getWindows().stream().noneMatch(w -> w.isShowing() && w.getScene() != null
                && w.getScene().lookup("#genotype-text") != null), "closed once the import worked");
    }

    @Test
    void anInvalidNetworkShowsNoParameterFigures(FxRobot robot) throws Exception {
        // 3x3 pixels: the reduction cells have nothing left to halve, so no architecture builds.
        robot.interact(() -> vm.edits().apply(SpaceEdits.setNetwork(space().network().channels(), space().network().classes(),
                new io.cellforge.ops.Shape(1, 3, 3))));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.problems().statusProperty().get().contains("once the problems"));
        String status = vm.problems().statusProperty().get();
        assertFalse(status.contains("-1"), status);
        assertFalse(status.matches(".*parameters [\\d,]+.*"), status);
        assertTrue(vm.problems().list().stream().anyMatch(io.cellforge.space.Problem::isError));
    }

    @Test
    void longErrorsAreReadInFull(FxRobot robot) throws Exception {
        String op = "a very long op name that nobody has, " + "written out in words ".repeat(10);
        robot.interact(() -> vm.edits().apply(io.cellforge.edit.CellEdits.setOp("normal", "n2", "n3", io.cellforge.space.OpCall.of(op))));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.problems().list().stream().anyMatch(p -> p.message().contains(op)));
        io.cellforge.space.Problem p = vm.problems().list().stream().filter(q -> q.message().contains(op)).findFirst().orElseThrow();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> robot.lookup("#problems .list-cell").queryAll().stream()
                .anyMatch(c -> p.toString().equals(((Labeled) c).getText())));
        Labeled row = robot.lookup("#problems .list-cell").queryAll().stream().map(c -> (Labeled) c)
                .filter(c -> p.toString().equals(c.getText())).findFirst().orElseThrow();
        List<String> texts = robot.from(row).lookup((Text t) -> t.getText() != null && !t.getText().isEmpty()).queryAll().stream()
                .map(n -> ((Text) n).getText()).toList();
        assertEquals(List.of(p.toString()), texts, "the row wraps instead of cutting the text");
        assertTrue(row.getHeight() > 2.5 * row.getFont().getSize(), "more than one line: " + row.getHeight());

        String long_ = "Cannot do this: " + "the reason is long, ".repeat(30) + "and it ends here";
        robot.interact(() -> vm.state().error(long_));
        Label message = robot.lookup("#message").queryAs(Label.class);
        assertEquals(long_, message.getTooltip().getText(), "the whole message, where the bar cuts it");
    }

    private io.cellforge.space.Problem found(java.util.function.Predicate<io.cellforge.space.Problem> which) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.problems().list().stream().anyMatch(which));
        return vm.problems().list().stream().filter(which).findFirst().orElseThrow();
    }

    @Test
    void aProblemOfEachKindOfPlaceRevealsItsElement(FxRobot robot) throws Exception {
        // A node of its own (unreachable), an edge with an unknown op, in the reduction cell (not the one shown).
        robot.interact(() -> {
            vm.state().select("reduce");
            vm.edits().addNode(io.cellforge.space.NodeKind.INTERMEDIATE, 200, 200);
            vm.edits().apply(io.cellforge.edit.CellEdits.setOp("reduce", "n2", "n3", io.cellforge.space.OpCall.of("no_such_op")));
            vm.state().select("normal");
        });
        io.cellforge.space.Problem node = found(p -> p.at() instanceof io.cellforge.space.Place.CellNode n && n.cell().equals("reduce"));
        assertEquals(io.cellforge.space.Place.node("reduce", "n6"), node.at());
        assertEquals("cell reduce, node n6", node.place(), "the words stay as the CLI prints them");
        io.cellforge.space.Problem edge = found(p -> p.message().contains("no_such_op"));
        assertEquals(io.cellforge.space.Place.edge("reduce", "n2", "n3"), edge.at());
        assertEquals("cell reduce, edge n2->n3", edge.place());

        robot.interact(() -> vm.problems().reveal(node));
        assertEquals("reduce", vm.state().view());
        assertEquals(Selection.node("n6"), vm.state().selectionProperty().get());
        robot.interact(() -> vm.state().select("normal"));
        robot.interact(() -> vm.problems().reveal(edge));
        assertEquals("reduce", vm.state().view());
        assertEquals(Selection.edge("n2", "n3"), vm.state().selectionProperty().get());

        // A key: its first choice. A stage: the network. A cell: the cell.
        String key = space().cells().get("normal").edges().get(0).op() instanceof io.cellforge.space.LayerChoice lc ? lc.key() : "";
        robot.interact(() -> vm.problems().reveal(io.cellforge.space.Problem.error(io.cellforge.space.Place.key(key), "x")));
        assertEquals("normal", vm.state().view());
        io.cellforge.space.Edge first = space().cells().get("normal").edges().get(0);
        assertEquals(Selection.edge(first.from(), first.to()), vm.state().selectionProperty().get());
        robot.interact(() -> vm.edits().apply(io.cellforge.edit.SpaceEdits.setLayers(5)));
        robot.interact(() -> vm.problems().reveal(io.cellforge.space.Problem.error(io.cellforge.space.Place.stage(2, "cell 2"), "x")));
        assertEquals(DocumentState.NETWORK, vm.state().view());
        robot.interact(() -> vm.problems().reveal(io.cellforge.space.Problem.error(io.cellforge.space.Place.cell("reduce").detail(", input in0"), "x")));
        assertEquals("reduce", vm.state().view());
        // Clicked in the list, as a person does.
        robot.interact(() -> vm.state().select("normal"));
        java.util.function.Supplier<java.util.Optional<Labeled>> rowOf = () -> robot.lookup("#problems .list-cell").queryAll().stream()
                .map(c -> (Labeled) c).filter(c -> edge.toString().equals(c.getText())).findFirst();
        org.testfx.util.WaitForAsyncUtils.waitFor(60, java.util.concurrent.TimeUnit.SECONDS, () -> rowOf.get().isPresent());
        Labeled row = rowOf.get().orElseThrow();
        robot.clickOn(row);
        assertEquals("reduce", vm.state().view());
        assertEquals(Selection.edge("n2", "n3"), vm.state().selectionProperty().get());
    }

    @Test
    void theStatusBarShowsProgressOnlyWhileTheSpaceIsChecked(FxRobot robot) throws Exception {
        org.controlsfx.control.StatusBar bar = robot.lookup("#statusbar").queryAs(org.controlsfx.control.StatusBar.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.problems().statusProperty().get().contains("architectures"));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(0, bar.getProgress(), "idle: no progress, nothing animating");
        // An edit starts a check: under way until its figures are in, then idle again.
        robot.interact(() -> {
            vm.edits().apply(SpaceEdits.setLayers(8));
            assertEquals(-1, bar.getProgress(), "a check under way");
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> bar.getProgress() == 0);
        assertTrue(vm.problems().statusProperty().get().contains("architectures"), vm.problems().statusProperty().get());
        assertTrue(bar.getRightItems().contains(robot.lookup("#status").query()));
        assertTrue(bar.getLeftItems().contains(robot.lookup("#message").query()));
    }

    @Test
    void anInspectorFieldHoldingNoValidValueIsDecorated(FxRobot robot) throws Exception {
        robot.interact(() -> vm.state().select(DocumentState.NETWORK));
        javafx.scene.control.TextField channels = robot.lookup("#insp-channels").queryAs(javafx.scene.control.TextField.class);
        robot.interact(() -> channels.setText("eight"));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !org.controlsfx.control.decoration.Decorator.getDecorations(channels).isEmpty());
        assertTrue(robot.lookup("#insp-channels-error").queryAs(Label.class).getText().contains("whole number"));
        robot.interact(() -> channels.setText("16"));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> org.controlsfx.control.decoration.Decorator.getDecorations(channels) == null
                || org.controlsfx.control.decoration.Decorator.getDecorations(channels).isEmpty());
    }
}
