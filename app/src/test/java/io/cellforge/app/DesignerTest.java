package io.cellforge.app;

import io.cellforge.arch.Genotype;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.SpaceYaml;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Node;
import io.cellforge.space.OpCall;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.DartsCells;
import io.cellforge.zoo.Zoo;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.TableView;
import javafx.scene.input.DataFormat;
import javafx.scene.input.KeyCode;
import javafx.stage.FileChooser;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The designer driven as a person drives it: palette drags, port drags, clicks, dialogs and shortcuts, headless. */
@ExtendWith(ApplicationExtension.class)
class DesignerTest {
    private MainViewModel vm;
    private MainWindow window;
    private Stage stage;
    private Path dir;
    /** What the file dialogs answer. */
    private Path nextFile;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        dir = Files.createTempDirectory("cellforge-designer");
        vm = new MainViewModel(new Workspace(dir.resolve("home")));
        window = new MainWindow(vm, stage);
        window.setFilePicker(new MainWindow.FilePicker() {
            @Override
            public Optional<Path> open(String title, List<FileChooser.ExtensionFilter> filters) {
                return Optional.ofNullable(nextFile);
            }

            @Override
            public Optional<Path> save(String title, String initialName, List<FileChooser.ExtensionFilter> filters) {
                return Optional.ofNullable(nextFile);
            }
        });
        stage.setScene(window.scene());
        stage.sizeToScene(); // the primary stage is shared: not the size another test class left it at
        vm.documents().newBlank();
        stage.show();
    }

    private SearchSpace space() {
        return vm.state().spaceProperty().get();
    }

    private Cell normal() {
        return space().cells().get("normal");
    }

    private void dragNode(FxRobot robot, double x, double y) {
        javafx.geometry.Point2D p = window.canvas().localToScreen(x, y);
        robot.drag("#palette-intermediate").dropTo(p);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void connect(FxRobot robot, String from, String to) {
        robot.drag("#out-" + from).dropTo("#node-" + to);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void shortcut(FxRobot robot, KeyCode... keys) {
        robot.push(keys);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private ListCell<?> candidateCell(FxRobot robot, String op) {
        return robot.lookup("#lc-candidates .list-cell").queryAll().stream().map(n -> (ListCell<?>) n)
                .filter(c -> op.equals(c.getItem())).findFirst().orElseThrow(() -> new AssertionError("no candidate " + op));
    }

    /**
     * Draws a two-input, three-node cell by drag and drop, makes a LayerChoice of three candidates and an
     * InputChoice keeping 2 of 3, and returns the space after each step (the first is the empty cell).
     */
    private List<SearchSpace> draw(FxRobot robot) {
        List<SearchSpace> steps = new ArrayList<>();
        steps.add(space());
        robot.interact(() -> {
            vm.layout().move(Map.of("in0", new double[] {20, 60}, "in1", new double[] {20, 260}, "out", new double[] {760, 160}));
            window.canvas().fit();
        });
        steps.add(space()); // the move is an undo step of its own
        robot.interact(() -> window.canvas().zoom(1));
        double w = window.canvas().getWidth();
        double h = window.canvas().getHeight();
        dragNode(robot, w * 0.35, h * 0.3);
        steps.add(space());
        dragNode(robot, w * 0.5, h * 0.7);
        steps.add(space());
        dragNode(robot, w * 0.65, h * 0.4);
        steps.add(space());
        assertEquals(List.of("in0", "in1", "n0", "n1", "n2", "out"), normal().nodes().stream().map(Node::name).toList());
        String[][] edges = {{"in0", "n0"}, {"in1", "n0"}, {"n0", "n1"}, {"in1", "n1"}, {"n0", "n2"}, {"n1", "n2"}, {"in1", "n2"}, {"n2", "out"}};
        for (String[] e : edges) {
            connect(robot, e[0], e[1]);
            steps.add(space());
        }
        assertEquals(edges.length, normal().edges().size(), vm.state().messageProperty().get());

        // LayerChoice on in0 -> n0: click its label, Ctrl+L, pick three ops, OK.
        robot.clickOn("#label-in0-n0");
        assertEquals(Selection.edge("in0", "n0"), vm.state().selectionProperty().get());
        shortcut(robot, KeyCode.CONTROL, KeyCode.L);
        for (String op : List.of("sep_conv_3x3", "max_pool_3x3", "skip_connect")) {
            robot.clickOn("#lc-filter").eraseText(30).write(op);
            WaitForAsyncUtils.waitForFxEvents();
            robot.clickOn(robot.from(candidateCell(robot, op)).lookup(".check-box").queryAs(javafx.scene.Node.class));
        }
        assertTrue(robot.lookup("#lc-chosen").queryAs(Label.class).getText().startsWith("3 candidates"));
        robot.clickOn("OK");
        WaitForAsyncUtils.waitForFxEvents();
        steps.add(space());

        // InputChoice on n2: click it, Ctrl+I, n_chosen 2 (of 3), OK.
        robot.clickOn("#node-n2");
        shortcut(robot, KeyCode.CONTROL, KeyCode.I);
        robot.clickOn("#ic-n .text-field").eraseText(5).write("2");
        robot.clickOn("OK");
        WaitForAsyncUtils.waitForFxEvents();
        steps.add(space());
        return steps;
    }

    @Test
    void aCellDrawnByDragAndDropSavesAndReopensEqual(FxRobot robot) throws Exception {
        List<SearchSpace> steps = draw(robot);
        Edge e = normal().edges().get(0);
        assertEquals(List.of("sep_conv_3x3", "max_pool_3x3", "skip_connect"), ((LayerChoice) e.op()).labels());
        InputChoice ic = normal().node("n2").orElseThrow().inputChoice();
        assertEquals(2, ic.nChosen());
        assertEquals("normal_n2_switch", ic.key());
        assertTrue(stage.getTitle().startsWith("*"), stage.getTitle());

        // Save (no file yet: asks where), reopen, compare the model.
        nextFile = dir.resolve("drawn.yaml");
        shortcut(robot, KeyCode.CONTROL, KeyCode.S);
        assertFalse(stage.getTitle().startsWith("*"), stage.getTitle());
        SearchSpace saved = space();
        assertEquals(SpaceYaml.write(saved), Files.readString(nextFile));
        robot.interact(vm.documents()::newBlank);
        assertNotEquals(saved, space());
        shortcut(robot, KeyCode.CONTROL, KeyCode.O);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> saved.equals(space()));
        assertEquals(saved, space());
        assertEquals(List.of(nextFile.toAbsolutePath()), vm.documents().recent());

    }

    @Test
    void aCycleIsRefusedAndUndoAndRedoWalkBackEveryStep(FxRobot robot) {
        List<SearchSpace> steps = draw(robot);
        // n0 -> n2 exists, so n2 -> n0 would close a cycle: refused at the moment of connecting, with the cycle.
        connect(robot, "n2", "n0");
        assertEquals(steps.get(steps.size() - 1), space());
        String m = robot.lookup("#message").queryAs(Label.class).getText();
        assertTrue(m.contains("would make a cycle: n0 -> n2 -> n0"), m);
        assertTrue(vm.state().messageIsErrorProperty().get());

        for (int i = steps.size() - 2; i >= 0; i--) {
            shortcut(robot, KeyCode.CONTROL, KeyCode.Z);
            assertEquals(steps.get(i), space(), "after undoing to step " + i);
        }
        assertFalse(vm.edits().canUndoProperty().get());
        assertEquals(Set.of("in0", "in1", "out"), robot.lookup(".canvas-node").queryAll().stream()
                .map(n -> n.getId().substring(5)).collect(Collectors.toSet()));
        for (int i = 1; i < steps.size(); i++) {
            shortcut(robot, KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.Z);
            assertEquals(steps.get(i), space(), "after redoing step " + i);
        }
        assertEquals(steps.size(), steps.stream().distinct().count(), "every step changed the space");
    }

    @Test
    void everyZooTemplateOpensAndDraws(FxRobot robot) {
        for (Zoo.Entry en : Zoo.entries()) {
            robot.interact(() -> vm.documents().openZoo(en.name()));
            SearchSpace s = space();
            assertEquals(en.name(), s.name());
            if (s.cells().isEmpty()) {
                assertFalse(window.canvas().isVisible(), en.name());
                assertTrue(robot.lookup(".diagram-box").queryAll().size() >= 3, en.name());
            } else {
                Cell first = s.cells().values().iterator().next();
                assertEquals(first.nodes().size(), robot.lookup(".canvas-node").queryAll().size(), en.name());
                assertEquals(first.edges().size(), robot.lookup(".canvas-edge").queryAll().size(), en.name());
            }
        }
    }

    @Test
    void aDartsGenotypeImportsAsTheEvaluationNetworkAndExportsBack(FxRobot robot) throws Exception {
        DesignerFixesTest.clickMenu(robot, "File", "Import", "DARTS genotype...");
        // Pasted, as a person brings a genotype from train_search.py's log.
        robot.interact(() -> javafx.scene.input.Clipboard.getSystemClipboard().setContent(Map.of(DataFormat.PLAIN_TEXT, Genotype.DARTS_V2.toString())));
        robot.clickOn("#genotype-text");
        shortcut(robot, KeyCode.CONTROL, KeyCode.V);
        robot.clickOn("OK");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("genotype", space().name());
        assertTrue(space().isFixed());
        assertEquals(DartsCells.fixed("normal", false, Genotype.DARTS_V2.normal(), Genotype.DARTS_V2.normalConcat()), normal());
        assertEquals(20, space().network().stages().size());
        assertEquals(normal().nodes().size(), robot.lookup(".canvas-node").queryAll().size());
        nextFile = dir.resolve("back.genotype");
        robot.interact(() -> assertTrue(vm.documents().exportArchitecture(ArchFormat.GENOTYPE, nextFile)));
        assertEquals(Genotype.DARTS_V2.toString(), Files.readString(nextFile).strip());
        nextFile = dir.resolve("nni.json");
        robot.interact(() -> assertTrue(vm.documents().exportArchitecture(ArchFormat.NNI, nextFile)));
        assertTrue(Files.readString(nextFile).contains("normal_n2_p0"));
    }

    @Test
    void aGenotypeOfAnotherCellShapeOpensAsItsNetwork(FxRobot robot) {
        // GDAS's dialect: (op, input, weight) triples and reduce=None, its fixed reduction cell. Not an architecture of
        // darts-search, but a network all the same: it opens, and the problems say why it exports as a network only.
        String gdas = "Genotype(normal=[('sep_conv_3x3', 0, 0.2), ('skip_connect', 1, 0.1), ('sep_conv_3x3', 1, 0.2), "
                + "('dil_conv_3x3', 2, 0.1), ('skip_connect', 0, 0.3), ('sep_conv_5x5', 3, 0.1), ('sep_conv_3x3', 0, 0.2), "
                + "('max_pool_3x3', 4, 0.1)], normal_concat=[2, 3, 4, 5], reduce=None, reduce_concat=[2, 3, 4, 5])";
        robot.interact(() -> assertTrue(vm.documents().importGenotype(gdas, 16, 8, false)));
        assertTrue(space().isFixed());
        assertTrue(vm.problems().list().stream().anyMatch(p -> p.message().contains("not an architecture of darts-search")),
                vm.problems()::toString);
    }

    @Test
    void theEightDartsOpsGoOnEverySelectedEdgeAndTheYamlExports(FxRobot robot) throws Exception {
        robot.interact(() -> vm.documents().importGenotype(Genotype.DARTS_V2.toString(), 16, 8, false));
        List<Edge> ops = normal().edges().stream().filter(e -> !e.to().equals("out")).toList();
        assertEquals(8, ops.size());
        robot.clickOn("#label-" + ops.get(0).from() + "-" + ops.get(0).to());
        robot.press(KeyCode.SHIFT);
        for (Edge e : ops.subList(1, ops.size())) {
            robot.clickOn("#label-" + e.from() + "-" + e.to());
        }
        robot.release(KeyCode.SHIFT);
        assertEquals(8, vm.state().selectionProperty().get().edges().size());
        shortcut(robot, KeyCode.CONTROL, KeyCode.L);
        robot.clickOn("#lc-preset").clickOn("DARTS 8 ops");
        robot.clickOn("OK");
        WaitForAsyncUtils.waitForFxEvents();
        Set<String> keys = new java.util.HashSet<>();
        for (Edge e : normal().edges()) {
            if (e.to().equals("out")) {
                assertEquals(OpCall.of("identity"), e.op());
            } else {
                LayerChoice lc = (LayerChoice) e.op();
                assertEquals(io.cellforge.ops.OpCatalog.DARTS_PRIMITIVES, lc.labels());
                keys.add(lc.key());
            }
        }
        assertEquals(8, keys.size(), "one key per edge: " + keys);
        assertTrue(keys.contains("normal_n2_in0"), keys.toString());
        nextFile = dir.resolve("darts-drawn.yaml");
        shortcut(robot, KeyCode.CONTROL, KeyCode.E);
        assertEquals(space(), SpaceYaml.read(Files.readString(nextFile), "x").space());
    }

    @Test
    void architecturesImportOntoTheirSpacesAsFixedNetworks(FxRobot robot) throws Exception {
        String nb201 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
        robot.interact(() -> assertTrue(vm.documents().importArchitecture(nb201, "nb201", Zoo.get("nas-bench-201").orElseThrow())));
        assertTrue(space().isFixed());
        Cell cell = space().cells().values().iterator().next();
        assertEquals(OpCall.of("avg_pool_3x3"), cell.edges().stream().filter(e -> e.from().equals("n1") && e.to().equals("n2"))
                .findFirst().orElseThrow().op());
        assertEquals(cell.nodes().size(), robot.lookup(".canvas-node").queryAll().size());
        nextFile = dir.resolve("back.nb201");
        robot.interact(() -> assertTrue(vm.documents().exportArchitecture(ArchFormat.NB201, nextFile)));
        assertEquals(nb201, Files.readString(nextFile).strip());

        // An NNI choice dict of the DARTS search space: the chosen network, with no choices left.
        robot.interact(() -> vm.documents().importGenotype(Genotype.DARTS_V2.toString(), 16, 8, false));
        nextFile = dir.resolve("v2.json");
        robot.interact(() -> assertTrue(vm.documents().exportArchitecture(ArchFormat.NNI, nextFile)));
        String nni = Files.readString(nextFile);
        robot.interact(() -> vm.documents().openZoo("darts-search"));
        robot.interact(() -> assertTrue(vm.documents().importArchitecture(nni, "v2.json")));
        assertTrue(space().isFixed());
        assertEquals(DartsCells.fixed("normal", false, Genotype.DARTS_V2.normal(), Genotype.DARTS_V2.normalConcat()).edges().stream()
                .map(e -> e.from() + e.to() + e.op()).sorted().toList(), normal().edges().stream().map(e -> e.from() + e.to() + e.op()).sorted().toList());
        // A description that does not fit the space is an error message, and the document stays.
        SearchSpace before = space();
        robot.interact(() -> assertFalse(vm.documents().importArchitecture("{\"nope\": 1}", "bad.json")));
        assertEquals(before, space());
        assertTrue(vm.state().messageIsErrorProperty().get());
    }

    @Test
    void clickingAProblemSelectsItsNode(FxRobot robot) throws Exception {
        robot.interact(() -> vm.edits().addNode(io.cellforge.space.NodeKind.INTERMEDIATE, 300, 200));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> vm.problems().list().stream().anyMatch(p -> p.place().equals("cell normal, node n0")));
        robot.interact(() -> vm.state().setSelection(Selection.NONE));
        robot.clickOn((javafx.scene.Node) robot.lookup(".list-cell").queryAll().stream()
                .filter(c -> c instanceof ListCell<?> lc && lc.getText() != null && lc.getText().contains("node n0: is unreachable"))
                .findFirst().orElseThrow());
        assertEquals(Selection.node("n0"), vm.state().selectionProperty().get());
    }

    @Test
    void doubleClickingACellOfTheNetworkOpensIt(FxRobot robot) {
        shortcut(robot, KeyCode.CONTROL, KeyCode.DIGIT1);
        assertEquals(DocumentState.NETWORK, vm.state().view());
        assertEquals("Network", robot.lookup("#insp-title").queryAs(Label.class).getText());
        robot.doubleClickOn(robot.lookup((javafx.scene.Node n) -> "box-cell 1".equals(n.getId())).queryAs(javafx.scene.Node.class));
        assertEquals("reduce", vm.state().view());
        assertTrue(window.canvas().isVisible());
    }

    @Test
    void shortcutsAreListedAndTheThemeSwitches(FxRobot robot) {
        robot.push(KeyCode.F1);
        WaitForAsyncUtils.waitForFxEvents();
        TableView<?> t = robot.lookup("#shortcuts-table").queryAs(TableView.class);
        assertEquals(Shortcuts.ALL.size(), t.getItems().size());
        robot.clickOn("Close");
        assertFalse(vm.theme().dark());
        shortcut(robot, KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.D);
        assertTrue(vm.theme().dark());
        assertTrue(vm.documents().workspace().darkTheme());
        shortcut(robot, KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.D);
        assertFalse(vm.theme().dark());
    }

    @Test
    void unsavedWorkIsRecoveredAfterACrash(FxRobot robot) throws Exception {
        robot.interact(() -> vm.edits().addNode(io.cellforge.space.NodeKind.INTERMEDIATE, 300, 100));
        SearchSpace edited = space();
        vm.state().drain();
        List<Workspace.Recovery> left = vm.documents().workspace().recoveries();
        assertEquals(1, left.size());
        // A new session on the same home finds the copy and reopens it, unsaved.
        MainViewModel next = new MainViewModel(vm.documents().workspace());
        robot.interact(() -> next.documents().recover(left.get(0)));
        assertEquals(SpaceYaml.write(edited), SpaceYaml.write(next.state().spaceProperty().get()));
        assertTrue(next.documents().isDirty());
        next.state().drain();
        // Saving clears the copy.
        robot.interact(() -> next.documents().saveAs(dir.resolve("kept.yaml")));
        next.state().drain();
        robot.interact(vm.documents()::closed);
        assertEquals(List.of(), vm.documents().workspace().recoveries());
    }

    @Test
    void aRecoveredDocumentIsTiedToItsFileAndUndoRecoveryGoesBackToTheFile(FxRobot robot) throws Exception {
        Path tiny = dir.resolve("tiny.yaml");
        String onDisk = SpaceYaml.write(Zoo.get("nas-bench-201").orElseThrow().withName("tiny"));
        Files.writeString(tiny, onDisk);
        robot.interact(() -> vm.documents().openFile(tiny));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> vm.state().documentProperty().get().file() != null);
        robot.interact(() -> vm.edits().addNode(io.cellforge.space.NodeKind.INTERMEDIATE, 300, 100));
        String edited = SpaceYaml.write(space());
        vm.state().drain();
        List<Workspace.Recovery> left = vm.documents().workspace().recoveries();
        assertEquals(1, left.size());

        // The next session (the first one crashed: its copy is left) recovers it.
        MainViewModel next = new MainViewModel(vm.documents().workspace());
        robot.interact(() -> next.documents().recover(left.get(0)));
        Document d = next.state().documentProperty().get();
        assertEquals(tiny, d.file());
        assertEquals(edited, SpaceYaml.write(next.state().spaceProperty().get()));
        assertEquals("*tiny.yaml (recovered)  [" + dir.toAbsolutePath() + "] - Cellforge", next.documents().titleProperty().get());
        assertEquals("Undo recovery", next.edits().undoTextProperty().get());

        robot.interact(next.edits()::undo);
        // What the file holds, drawn where the layout puts a file without positions.
        assertEquals(SpaceYaml.write(LayoutViewModel.placed(SpaceYaml.read(onDisk, "tiny.yaml").space())),
                SpaceYaml.write(next.state().spaceProperty().get()));
        assertFalse(next.documents().isDirty());
        assertEquals("tiny.yaml  [" + dir.toAbsolutePath() + "] - Cellforge", next.documents().titleProperty().get());
        robot.interact(next.edits()::redo);
        assertTrue(next.documents().isDirty());
        assertTrue(next.documents().titleProperty().get().startsWith("*tiny.yaml (recovered)"), next.documents().titleProperty().get());

        // Save writes to the file, without asking for one.
        boolean[] saved = {false};
        robot.interact(() -> {
            saved[0] = next.documents().save();
        });
        assertTrue(saved[0] && !next.documents().isDirty());
        assertEquals(edited, Files.readString(tiny));
        assertEquals("tiny.yaml  [" + dir.toAbsolutePath() + "] - Cellforge", next.documents().titleProperty().get());
        next.state().drain();
        robot.interact(vm.documents()::closed);
        assertEquals(List.of(), vm.documents().workspace().recoveries());
    }

    @Test
    void aRecoveredDocumentWhoseFileIsGoneStillSavesThere(FxRobot robot) throws Exception {
        Path gone = dir.resolve("gone.yaml");
        vm.documents().workspace().writeRecovery("2147483000-e", gone, SpaceYaml.write(Zoo.blank()));
        Workspace.Recovery r = vm.documents().workspace().recoveries().stream().filter(x -> x.file().getFileName().toString().startsWith("2147483000-e"))
                .findFirst().orElseThrow();
        robot.interact(() -> vm.documents().recover(r));
        assertEquals(gone, vm.state().documentProperty().get().file());
        assertTrue(vm.documents().isDirty());
        assertFalse(vm.edits().canUndoProperty().get());
        assertTrue(vm.documents().titleProperty().get().startsWith("*gone.yaml (recovered)"), vm.documents().titleProperty().get());
        robot.interact(() -> {
            vm.documents().save();
        });
        assertEquals(SpaceYaml.write(LayoutViewModel.placed(Zoo.blank())), Files.readString(gone), "the app's save writes the positions");
    }

    @Test
    void savesAndExportsKeepAnExistingFilesModeAndGiveNewFilesTheUmasksMode(FxRobot robot) throws Exception {
        // The mode a file the user makes gets here (the umask's), whatever the umask of the machine running the tests.
        java.util.Set<java.nio.file.attribute.PosixFilePermission> umask =
                Files.getPosixFilePermissions(Files.writeString(dir.resolve("reference"), ""));
        Path kept = dir.resolve("kept.yaml");
        Files.writeString(kept, "old\n");
        Files.setPosixFilePermissions(kept, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        robot.interact(() -> vm.documents().saveAs(kept));
        assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(kept)));
        assertEquals(SpaceYaml.write(space()), Files.readString(kept));

        robot.interact(() -> vm.documents().openZoo("nas-bench-201"));
        nextFile = dir.resolve("new.png");
        robot.interact(() -> window.exportPicture(false));
        assertEquals(umask, Files.getPosixFilePermissions(nextFile));
        Files.setPosixFilePermissions(nextFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-r--"));
        robot.interact(() -> window.exportPicture(false));
        assertEquals("rw-rw-r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(nextFile)));
        try (var left = Files.list(dir)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        }
    }

    @Test
    void theCellExportsAsSvgAndPng(FxRobot robot) throws Exception {
        robot.interact(() -> vm.documents().openZoo("nas-bench-201"));
        nextFile = dir.resolve("cell.svg");
        robot.interact(() -> window.exportPicture(true));
        String svg = Files.readString(nextFile);
        assertTrue(svg.startsWith("<svg") && svg.contains(">n3<") && svg.contains("nor_conv_3x3"), svg.substring(0, 200));
        nextFile = dir.resolve("cell.png");
        robot.interact(() -> window.exportPicture(false));
        byte[] png = Files.readAllBytes(nextFile);
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G');
    }

    @Test
    void anEditInTheInspectorIsCheckedAsTypedAndCommittedOnEnter(FxRobot robot) {
        robot.interact(() -> vm.documents().openZoo("nas-bench-201"));
        robot.interact(() -> vm.state().select(DocumentState.NETWORK));
        robot.doubleClickOn("#insp-channels").write("x");
        assertTrue(robot.lookup("#insp-channels-error").queryAs(Label.class).getText().contains("whole number"));
        robot.doubleClickOn("#insp-channels").write("32").push(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(32, space().network().channels());
        shortcut(robot, KeyCode.CONTROL, KeyCode.Z);
        assertEquals(16, space().network().channels());
    }

    @Test
    void copyPasteAndDeleteAreSingleUndoSteps(FxRobot robot) {
        robot.interact(() -> vm.documents().openZoo("darts-mini"));
        robot.clickOn("#node-n2");
        robot.press(KeyCode.SHIFT).clickOn("#node-n3").release(KeyCode.SHIFT);
        assertEquals(Set.of("n2", "n3"), vm.state().selectionProperty().get().nodes());
        SearchSpace before = space();
        shortcut(robot, KeyCode.CONTROL, KeyCode.C);
        shortcut(robot, KeyCode.CONTROL, KeyCode.V);
        assertEquals(before.cells().get("normal").nodes().size() + 2, normal().nodes().size());
        assertTrue(normal().edges().stream().anyMatch(e -> e.op() instanceof LayerChoice lc && lc.key().equals("normal_n3_p2_2")));
        shortcut(robot, KeyCode.DELETE);
        assertEquals(before, space());
        shortcut(robot, KeyCode.CONTROL, KeyCode.Z);
        shortcut(robot, KeyCode.CONTROL, KeyCode.Z);
        assertEquals(before, space());
    }

    private double[] at(String node) {
        return vm.layout().positions().get(node).clone();
    }

    @Test
    void aDragIsOneUndoStepAndThePositionsAreSavedAndReopenedWithoutALayout(FxRobot robot) throws Exception {
        robot.interact(() -> vm.documents().openZoo("darts-mini"));
        assertFalse(vm.edits().canUndoProperty().get(), "the first layout is no edit");
        assertFalse(stage.getTitle().startsWith("*"), stage.getTitle());
        double[] laid = at("n2");
        double[] other = at("n3");
        robot.drag("#node-n2").moveBy(60, 30).moveBy(60, 30).release(javafx.scene.input.MouseButton.PRIMARY);
        WaitForAsyncUtils.waitForFxEvents();
        double[] moved = at("n2");
        assertTrue(moved[0] > laid[0] && moved[1] > laid[1], java.util.Arrays.toString(moved));
        assertEquals(new io.cellforge.space.Point(moved[0], moved[1]), space().positions("normal").get("n2"));
        assertEquals("Undo move node n2", vm.edits().undoTextProperty().get(), "one step for the whole drag");
        assertTrue(stage.getTitle().startsWith("*"), stage.getTitle());
        shortcut(robot, KeyCode.CONTROL, KeyCode.Z);
        assertTrue(java.util.Arrays.equals(laid, at("n2")), "undo puts the node back");
        assertFalse(vm.edits().canUndoProperty().get());
        shortcut(robot, KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.Z);
        assertTrue(java.util.Arrays.equals(moved, at("n2")));

        nextFile = dir.resolve("moved.yaml");
        shortcut(robot, KeyCode.CONTROL, KeyCode.S);
        assertTrue(Files.readString(nextFile).contains("layout:"), "the app's save writes the positions");
        robot.interact(vm.documents()::newBlank);
        robot.interact(() -> vm.documents().openFile(nextFile));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.layout().positions().containsKey("n2")
                && space().cells().containsKey("reduce") && !stage.getTitle().startsWith("untitled"));
        assertTrue(java.util.Arrays.equals(moved, at("n2")), "the saved position, not a new layout");
        assertTrue(java.util.Arrays.equals(other, at("n3")));
        assertFalse(vm.edits().canUndoProperty().get());
        assertFalse(stage.getTitle().startsWith("*"), stage.getTitle());
    }

    @Test
    void undoingANodeDeletePutsItBackWhereItWasWithItsEdges(FxRobot robot) {
        robot.interact(() -> vm.documents().openZoo("darts-mini"));
        SearchSpace before = space();
        double[] where = at("n2");
        robot.clickOn("#node-n2");
        shortcut(robot, KeyCode.DELETE);
        assertFalse(normal().node("n2").isPresent());
        shortcut(robot, KeyCode.CONTROL, KeyCode.Z);
        assertEquals(before, space());
        assertTrue(java.util.Arrays.equals(where, at("n2")), "back where it was, not beyond the output: "
                + java.util.Arrays.toString(at("n2")));
        javafx.scene.Node view = robot.lookup("#node-n2").query();
        assertEquals(where[0], view.getLayoutX(), 1e-9);
        assertEquals(where[1], view.getLayoutY(), 1e-9);
    }
}
