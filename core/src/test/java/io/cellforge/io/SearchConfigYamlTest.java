package io.cellforge.io;

import io.cellforge.settings.Augment;

import io.cellforge.engine.Batches;
import io.cellforge.settings.SearchConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SearchConfigYamlTest {
    /** YAML of the settings as {@link SearchConfig#toMap()} names them. */
    static String yaml(SearchConfig c) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Object> e : c.toMap().entrySet()) {
            Object v = e.getValue();
            String text = v instanceof double[] d ? "[" + d[0] + ", " + d[1] + "]"
                    : v instanceof Map<?, ?> m ? m.toString().replace("=", ": ") : v.toString();
            b.append(e.getKey()).append(": ").append(text).append('\n');
        }
        return b.toString();
    }

    @Test
    void everySettingReadsBackAsWritten() throws Exception {
        SearchConfig c = SearchConfig.builder("gdas").epochs(7).batchSize(48).seed(9).lr(0.05).lrMin(0.002).momentum(0.8)
                .weightDecay(1e-4).gradClip(3).archLr(1e-3).archBeta1(0.4).archBeta2(0.98).archWeightDecay(2e-3)
                .trainPortion(0.6).tauMax(8).tauMin(0.2).augment(new Augment(4, true, 16)).generations(3).pathSamples(3).warmup(2)
                .build();
        assertEquals(SearchConfigYaml.KEYS, java.util.List.copyOf(c.toMap().keySet()));
        assertEquals(c, SearchConfigYaml.read(yaml(c), "s.yaml", null).build());
    }

    @Test
    void leftOutSettingsKeepTheStrategysDefaultsAndTheCommandLineStrategyWins() throws Exception {
        assertEquals(SearchConfig.builder("gdas").epochs(3).build(), SearchConfigYaml.read("strategy: gdas\nepochs: 3\n", "s", null).build());
        SearchConfig snas = SearchConfigYaml.read("strategy: gdas\n", "s", "snas").build();
        assertEquals("snas", snas.strategy());
        assertEquals(0.03, snas.tauMin());
    }

    @Test
    void errorsNameTheFileAndLine() {
        LoadException e = assertThrows(LoadException.class, () -> SearchConfigYaml.read("epochs: 2\nstrategy: dart\n", "s.yaml", null));
        assertTrue(e.getMessage().startsWith("s.yaml:2:11: unknown strategy 'dart'"), e.getMessage());
        e = assertThrows(LoadException.class, () -> SearchConfigYaml.read("epochs: two\n", "s.yaml", null));
        assertTrue(e.getMessage().startsWith("s.yaml:1:9: expected a number"), e.getMessage());
        e = assertThrows(LoadException.class, () -> SearchConfigYaml.read("arch_betas: [0.5]\n", "s.yaml", null));
        assertTrue(e.getMessage().contains("arch_betas takes two numbers"), e.getMessage());
        e = assertThrows(LoadException.class, () -> SearchConfigYaml.read("train_portion: 1.5\n", "s.yaml", null));
        assertTrue(e.getMessage().contains("train_portion must be between 0 and 1"), e.getMessage());
    }
}
