package io.cellforge.zoo;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.NetworkStats;
import io.cellforge.space.Problem;
import io.cellforge.analysis.SpaceStats;
import io.cellforge.analysis.Validator;
import io.cellforge.io.SpaceYaml;
import io.cellforge.space.SearchSpace;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZooTest {

    static Stream<String> names() {
        return Zoo.entries().stream().map(Zoo.Entry::name);
    }

    @ParameterizedTest
    @MethodSource("names")
    void everyZooSpaceValidatesWithoutErrors(String name) {
        SearchSpace s = Zoo.get(name).orElseThrow();
        List<Problem> errors = Validator.validate(s).stream().filter(Problem::isError).toList();
        assertTrue(errors.isEmpty(), () -> name + ": " + errors);
    }

    @ParameterizedTest
    @MethodSource("names")
    void everyZooSpaceHasAValidSmallestAndLargestArchitecture(String name) {
        SearchSpace s = Zoo.get(name).orElseThrow();
        SpaceStats st = SpaceStats.of(s);
        assertTrue(st.minParams().value() > 0, name);
        assertTrue(st.minParams().value() <= st.maxParams().value(), name);
        NetworkStats smallest = Evaluator.evaluate(s, st.minParams().arch());
        assertTrue(smallest.ok(), () -> smallest.problems().toString());
        assertEquals(st.minParams().value(), smallest.params());
    }

    @ParameterizedTest
    @MethodSource("names")
    void loadSaveLoadGivesAnEqualModel(String name) throws Exception {
        SearchSpace s = Zoo.get(name).orElseThrow();
        String text = SpaceYaml.write(s);
        SearchSpace back = SpaceYaml.read(text, name + ".yaml").space();
        assertEquals(s, back);
        assertEquals(text, SpaceYaml.write(back));
    }

    @ParameterizedTest
    @MethodSource("names")
    void theBundledYamlFileIsTheBuildersOutput(String name) throws IOException {
        try (InputStream in = Zoo.class.getResourceAsStream("/cellforge/spaces/" + name + ".yaml")) {
            assertNotNull(in, "resources/spaces/" + name + ".yaml is missing; run the zoo command to write it");
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(SpaceYaml.write(Zoo.get(name).orElseThrow()), text,
                    "resources/spaces/" + name + ".yaml differs from the builder: regenerate it");
        }
    }
}
