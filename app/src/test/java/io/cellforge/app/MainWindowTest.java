package io.cellforge.app;

import io.cellforge.space.Problem;
import io.cellforge.io.SpaceYaml;
import io.cellforge.zoo.Zoo;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The window as a newcomer first sees it, headless under Monocle. */
@ExtendWith(ApplicationExtension.class)
class MainWindowTest {
    private MainViewModel vm;

    @Start
    void start(Stage stage) throws Exception {
        vm = new MainViewModel(new Workspace(Files.createTempDirectory("cellforge-home")));
        stage.setScene(new MainWindow(vm, stage).scene());
        stage.sizeToScene(); // the primary stage is shared: not the size another test class left it at
        vm.documents().openZoo(CellforgeApp.DEFAULT_SPACE);
        stage.show();
    }

    private static Set<String> boxIds(FxRobot robot) {
        return robot.lookup(".diagram-box").queryAll().stream().filter(Node::isVisible).map(Node::getId).collect(Collectors.toSet());
    }

    private static Set<String> nodeIds(FxRobot robot) {
        return robot.lookup(".canvas-node").queryAll().stream().map(Node::getId).collect(Collectors.toSet());
    }

    @Test
    void theDefaultSpaceOpensWithItsNormalCellDrawn(FxRobot robot) {
        assertEquals(Set.of("node-in0", "node-in1", "node-n2", "node-n3", "node-n4", "node-n5", "node-out"), nodeIds(robot));
        // 14 LayerChoice edges, each with a compact badge ("8 ops" by its key's colour), and 4 edges into the output.
        assertEquals(18, robot.lookup(".canvas-edge").queryAll().size());
        assertEquals(14, robot.lookup(".canvas-label").queryAll().size());
        // (Looked up each time: a redraw replaces the label.)
        java.util.function.Supplier<java.util.List<String>> texts = () -> robot.lookup("#label-in0-n2").queryAs(javafx.scene.Group.class)
                .getChildren().stream().filter(t -> t instanceof javafx.scene.text.Text).map(t -> ((javafx.scene.text.Text) t).getText()).toList();
        assertEquals(java.util.List.of("8 ops"), texts.get());
        // Selected, the badge opens to its key and its 8 candidates.
        robot.interact(() -> vm.state().selectionProperty().set(io.cellforge.app.Selection.edge("in0", "n2")));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1 + 8, texts.get().size(), texts.get().toString());
        assertEquals("normal_n2_p0", texts.get().get(0));
        assertTrue(robot.lookup("#node-n5").queryAll().stream().anyMatch(n -> robot.from(n).lookup((javafx.scene.text.Text t) -> t.getText().equals("choose 2 of 5, sum")).tryQuery().isPresent()));
    }

    @Test
    void theStatusLineCountsTheSpace(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> robot.lookup("#status").queryAs(Label.class).getText().contains("architectures"));
        String s = robot.lookup("#status").queryAs(Label.class).getText();
        assertTrue(s.startsWith("darts-mini: 9.119e18 architectures"), s);
    }

    @Test
    void choosingTheNetworkInTheOutlineDrawsTheStack(FxRobot robot) {
        robot.clickOn("Network");
        WaitForAsyncUtils.waitForFxEvents();
        Set<String> ids = boxIds(robot);
        assertTrue(ids.containsAll(Set.of("box-input", "box-stem", "box-cell 0", "box-cell 4", "box-head")), ids.toString());
        robot.clickOn("reduce");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(nodeIds(robot).contains("node-n5"));
    }

    @Test
    void aBrokenFileShowsItsErrorAndKeepsTheFile(FxRobot robot, @TempDir Path dir) throws Exception {
        Path f = dir.resolve("broken.yaml");
        String text = SpaceYaml.write(Zoo.get("nas-bench-201").orElseThrow()).replace("classes: 10", "classes: ten");
        Files.writeString(f, text);
        robot.interact(() -> vm.documents().openFile(f));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !vm.problems().list().isEmpty() && vm.problems().list().get(0).isError());
        WaitForAsyncUtils.waitForFxEvents();
        @SuppressWarnings("unchecked")
        ListView<Problem> problems = robot.lookup("#problems").queryAs(ListView.class);
        String first = problems.getItems().get(0).toString();
        assertTrue(first.contains("broken.yaml:7:12: expected a number, found 'ten'"), first);
        assertEquals(text, Files.readString(f));
    }

    @Test
    void openingAFileRemovesTheTempFilesThatAKilledSaveOfItLeft(FxRobot robot, @TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("tiny.yaml"), SpaceYaml.write(Zoo.get("nas-bench-201").orElseThrow()));
        Path stale = Files.writeString(dir.resolve(".tiny.yaml8123456789.tmp"), "cellforge: 1\nna");
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.fromMillis(0)); // long before this process started
        Path running = Files.writeString(dir.resolve(".tiny.yaml99.tmp"), "a save under way"); // written after it started
        Path other = Files.writeString(dir.resolve(".tiny.yaml.tmp"), "another program's");
        Files.setLastModifiedTime(other, java.nio.file.attribute.FileTime.fromMillis(0));
        robot.interact(() -> vm.documents().openFile(f));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> vm.state().documentProperty().get().file() != null);
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(running) && Files.exists(other));
    }

    @Test
    void aSpaceWithErrorsShowsNoParameterCountsInTheStatusLine(FxRobot robot, @TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("wide.yaml"), SpaceYaml.write(Zoo.get("nas-bench-201").orElseThrow()).replace("channels: 16", "channels: 24"));
        robot.interact(() -> vm.documents().openFile(f));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.problems().statusProperty().get().startsWith("nas-bench-201: "));
        String s = vm.problems().statusProperty().get();
        assertEquals("nas-bench-201: 15,625 architectures; parameters and multiply-adds once the problems below are fixed", s);
        assertTrue(vm.problems().list().stream().anyMatch(Problem::isError));
    }

    @Test
    void aVegaPipelineOpensItsSearchStepAndAnotherStepOnRequest(FxRobot robot, @TempDir Path dir) throws Exception {
        // A pipeline of two steps, each with a space: the search step opens, the menu offers the other.
        Path f = Files.writeString(dir.resolve("pipe.yml"), """
                pipeline: [nas, fully_train]
                nas:
                    pipe_step: {type: NasPipeStep}
                    dataset: {type: Cifar10}
                    search_space:
                        type: FineGrainedSpace
                        modules: ['resnet']
                        resnet: {type: ResNet, depth: 18, num_class: 10}
                fully_train:
                    pipe_step: {type: TrainPipeStep}
                    dataset: {type: Cifar100}
                    model:
                        model_desc:
                            modules: ['resnet']
                            resnet: {type: ResNet, depth: 34, num_class: 100}
                """);
        robot.interact(() -> vm.documents().openFile(f));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> "nas".equals(vm.documents().pipelineStepProperty().get()));
        assertEquals(java.util.List.of("nas", "fully_train"), vm.documents().pipelineSteps());
        assertEquals(10, vm.state().spaceProperty().get().network().classes());
        assertFalse(menuItem(robot, "menu-pipelineStep").isDisable(), "File > Import > Another step is offered");
        robot.interact(() -> vm.documents().openPipelineStep("fully_train"));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> "fully_train".equals(vm.documents().pipelineStepProperty().get()));
        assertEquals(100, vm.state().spaceProperty().get().network().classes());
        // Another document: no pipeline steps to offer.
        robot.interact(() -> vm.documents().openZoo("nas-bench-201"));
        assertTrue(vm.documents().pipelineSteps().isEmpty());
        assertTrue(menuItem(robot, "menu-pipelineStep").isDisable());
    }

    private static javafx.scene.control.MenuItem menuItem(FxRobot robot, String id) {
        java.util.ArrayDeque<javafx.scene.control.MenuItem> todo = new java.util.ArrayDeque<>(
                robot.lookup(".menu-bar").queryAs(javafx.scene.control.MenuBar.class).getMenus());
        while (!todo.isEmpty()) {
            javafx.scene.control.MenuItem m = todo.pop();
            if (id.equals(m.getId())) {
                return m;
            }
            if (m instanceof javafx.scene.control.Menu menu) {
                todo.addAll(menu.getItems());
            }
        }
        throw new AssertionError("no menu item " + id);
    }

    /** Opens a file that cannot be opened and returns what the problems pane and the status bar say. */
    private String[] openBroken(FxRobot robot, Path f) throws Exception {
        robot.interact(() -> vm.documents().openFile(f));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> vm.problems().statusProperty().get().startsWith("Could not open"));
        WaitForAsyncUtils.waitForFxEvents();
        @SuppressWarnings("unchecked")
        ListView<Problem> problems = robot.lookup("#problems").queryAs(ListView.class);
        assertEquals(1, problems.getItems().size());
        return new String[] {problems.getItems().get(0).toString(), robot.lookup("#message").queryAs(Label.class).getText()};
    }

    @Test
    void aNameGivenAsAListShowsTheSameOneLineAsTheCli(FxRobot robot, @TempDir Path dir) throws Exception {
        Path f = dir.resolve("listname.yaml");
        Files.writeString(f, SpaceYaml.write(Zoo.get("nas-bench-201").orElseThrow()).replaceFirst("(?m)^name: .*$", "name: [a, b]"));
        for (String shown : openBroken(robot, f)) {
            assertTrue(shown.contains(f + ":3:"), shown);
            assertFalse(shown.contains("Exception") || shown.contains("\n"), shown);
        }
    }

    @Test
    void aFileLinkedToADeviceIsRefusedInOneLineInsteadOfReadForEver(FxRobot robot, @TempDir Path dir) throws Exception {
        Path f = Files.createSymbolicLink(dir.resolve("zero.yaml"), Path.of("/dev/zero"));
        String[] shown = openBroken(robot, f);
        assertTrue(shown[0].startsWith(f + ": "), shown[0]);
        assertTrue(shown[1].startsWith("Could not open zero.yaml: " + f + ": "), shown[1]);
        for (String s : shown) {
            assertFalse(s.contains("Exception") || s.contains("\n"), s);
        }
    }

    @Test
    void aBlockNetworkWithoutCellsShowsItsStack(FxRobot robot) {
        robot.interact(() -> vm.documents().openZoo("resnet18"));
        Set<String> ids = boxIds(robot);
        assertTrue(ids.containsAll(Set.of("box-stem", "box-layer1", "box-layer4", "box-head")), ids.toString());
    }
}
