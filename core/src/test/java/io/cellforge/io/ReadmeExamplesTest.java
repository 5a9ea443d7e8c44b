package io.cellforge.io;

import io.cellforge.analysis.Evaluator;
import io.cellforge.space.Problem;
import io.cellforge.analysis.Validator;
import io.cellforge.arch.Architecture;
import io.cellforge.space.SearchSpace;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README documents the schema with examples; they must stay real files. */
class ReadmeExamplesTest {

    static List<String> yamlBlocks() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        List<String> out = new ArrayList<>();
        int at = 0;
        while ((at = readme.indexOf("```yaml\n", at)) >= 0) {
            int end = readme.indexOf("```", at + 8);
            out.add(readme.substring(at + 8, end));
            at = end + 3;
        }
        return out;
    }

    @Test
    void theSchemaExampleIsAValidSpaceAndTheArchitectureExampleFitsIt() throws Exception {
        // The whole files (the others are fragments of one): the schema's example space, then its architecture.
        List<String> blocks = yamlBlocks().stream().filter(b -> b.startsWith("cellforge: 1")).toList();
        assertEquals(2, blocks.size());
        SearchSpace s = SpaceYaml.read(blocks.get(0), "README.md").space();
        List<Problem> errors = Validator.validate(s).stream().filter(Problem::isError).toList();
        assertTrue(errors.isEmpty(), errors::toString);
        Architecture a = ArchFormats.read(ArchFormat.YAML, blocks.get(1), "README.md", s);
        var st = Evaluator.evaluate(s, a);
        assertTrue(st.ok(), st.problems()::toString);
        assertEquals(s, SpaceYaml.read(SpaceYaml.write(s), "again").space());
    }

    @Test
    void theSearchSettingsExampleReadsAndNamesEverySetting() throws Exception {
        String settings = yamlBlocks().get(0);
        var c = SearchConfigYaml.read(settings, "README.md", null).build();
        assertEquals(50, c.epochs());
        assertEquals(new io.cellforge.settings.Augment(4, true, 16), c.augment());
        for (String key : SearchConfigYaml.KEYS) {
            assertTrue(settings.lines().anyMatch(l -> l.strip().startsWith(key + ":")), key + " documented");
        }
    }
}
