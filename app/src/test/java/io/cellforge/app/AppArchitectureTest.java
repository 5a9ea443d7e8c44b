package io.cellforge.app;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * JabRef's rule for the app: the views (the window, dialogs, inspector, palette, the canvas and diagrams, the
 * Search tab's panes and views, and the classes nested in them) touch only view-models. They never build edits,
 * read or write files, runs or data, retrain, or reach the engine or ND4J: that goes through the view-models.
 */
class AppArchitectureTest {
    private static final JavaClasses APP = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.cellforge.app");
    private static final Set<String> NAMED_VIEWS = Set.of("Dialogs", "Inspector", "Palette", "OpPicker");

    private static boolean isView(JavaClass c) {
        String n = c.getSimpleName();
        return c.getPackageName().startsWith("io.cellforge.app.canvas") || c.getPackageName().startsWith("io.cellforge.app.diagram")
                || n.endsWith("Window") || n.endsWith("View") || n.endsWith("Pane") || NAMED_VIEWS.contains(n)
                || c.getEnclosingClass().map(AppArchitectureTest::isView).orElse(false);
    }

    @Test
    void viewsTouchOnlyViewModels() {
        noClasses().that(DescribedPredicate.describe("are views (or nested in one)", AppArchitectureTest::isView))
                .should().dependOnClassesThat().resideInAnyPackage("io.cellforge.edit..", "io.cellforge.io..", "io.cellforge.search..",
                        "io.cellforge.data..", "io.cellforge.train..", "io.cellforge.engine..", "io.cellforge.trial..", "io.cellforge.model..",
                        "io.cellforge.onnx..", "org.nd4j..")
                .check(APP);
    }

    @Test
    void theRuleSeesTheViews() {
        // A rule over no classes passes whatever they do: it must cover the window, the canvas and the Search tab.
        for (String v : new String[] {"io.cellforge.app.MainWindow", "io.cellforge.app.canvas.CellCanvas",
                "io.cellforge.app.search.SearchPane", "io.cellforge.app.Inspector"}) {
            if (!isView(APP.get(v))) {
                throw new AssertionError(v + " is not seen as a view");
            }
        }
    }
}
