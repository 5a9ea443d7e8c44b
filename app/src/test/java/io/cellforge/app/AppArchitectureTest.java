package io.cellforge.app;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * JabRef's rule for the app, as far as it holds today: the views (the window, dialogs, inspector, palette, canvas,
 * diagrams and the Search tab's panes) never build edits or reach the engine or ND4J; that goes through the
 * view-models. The Search tab's views also see files, runs, data and retraining ({@code io}, {@code search},
 * {@code data}, {@code train}) only through its view-models, as small records of their own.
 */
class AppArchitectureTest {
    private static final JavaClasses APP = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.cellforge.app");

    @Test
    void viewsNeitherEditNorTouchTheEngine() {
        noClasses().that().resideInAnyPackage("io.cellforge.app.canvas..", "io.cellforge.app.diagram..")
                .or().haveSimpleNameEndingWith("Window").or().haveSimpleNameEndingWith("View").or().haveSimpleNameEndingWith("Pane")
                .or().haveSimpleName("Dialogs").or().haveSimpleName("Inspector").or().haveSimpleName("Palette")
                .should().dependOnClassesThat().resideInAnyPackage("io.cellforge.edit..", "io.cellforge.engine..", "org.nd4j..")
                .check(APP);
    }

    @Test
    void theSearchTabsViewsSeeRunsDataAndFilesOnlyThroughViewModels() {
        noClasses().that().resideInAPackage("io.cellforge.app.search")
                .and(com.tngtech.archunit.base.DescribedPredicate.describe("are views or panes",
                        (com.tngtech.archunit.core.domain.JavaClass c) -> c.getSimpleName().endsWith("View")
                                || c.getSimpleName().endsWith("Pane")
                                || c.getEnclosingClass().map(e -> e.getSimpleName().endsWith("View") || e.getSimpleName().endsWith("Pane")).orElse(false)))
                .should().dependOnClassesThat().resideInAnyPackage("io.cellforge.io..", "io.cellforge.search..", "io.cellforge.data..",
                        "io.cellforge.train..", "io.cellforge.edit..")
                .check(APP);
    }
}
