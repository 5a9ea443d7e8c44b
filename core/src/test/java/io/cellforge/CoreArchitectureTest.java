package io.cellforge;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layering of core (ArchUnit over the compiled classes): its packages depend on each other in one direction
 * (model, then plans and analysis, files, data, the engine, trained models and their ONNX export, search and training,
 * the command line), no JavaFX
 * anywhere, and ND4J only from the engine up (the model never knows DL4J).
 */
class CoreArchitectureTest {
    private static JavaClasses core;

    @BeforeAll
    static void load() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.cellforge");
    }

    @Test
    void packagesDependInOneDirection() {
        slices().matching("io.cellforge.(*)..").should().beFreeOfCycles().check(core);
    }

    @Test
    void noJavaFx() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("javafx..").check(core);
    }

    @Test
    void nd4jOnlyFromTheEngineUp() {
        noClasses().that().resideOutsideOfPackages("io.cellforge.engine..", "io.cellforge.search..", "io.cellforge.train..",
                "io.cellforge.model..", "io.cellforge.onnx..", "io.cellforge.cli..").should().dependOnClassesThat().resideInAnyPackage("org.nd4j..", "org.bytedeco..").check(core);
    }
}
