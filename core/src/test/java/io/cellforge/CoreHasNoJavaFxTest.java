package io.cellforge;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** core is the library under the app: it must never know JavaFX (JabRef's architecture test, as a scan). */
class CoreHasNoJavaFxTest {

    @Test
    void noSourceInCoreMentionsJavaFx() throws IOException {
        Path src = Path.of("src/main/java");
        assertTrue(Files.isDirectory(src), "run from the core module");
        try (Stream<Path> files = Files.walk(src)) {
            List<Path> offenders = files.filter(p -> p.toString().endsWith(".java")).filter(p -> {
                try {
                    return Files.readString(p).matches("(?s).*\\bimport\\s+(static\\s+)?javafx\\..*");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
            assertTrue(offenders.isEmpty(), "core imports javafx in " + offenders);
        }
    }

    @Test
    void javaFxIsNotOnCoresClasspath() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("javafx.application.Platform"));
        assertFalse(System.getProperty("java.class.path").contains("javafx"), "core must not depend on JavaFX");
    }
}
