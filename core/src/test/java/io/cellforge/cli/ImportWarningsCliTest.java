package io.cellforge.cli;

import io.cellforge.io.SpaceYaml;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the commands say of an imported file, and how they tell a space from an architecture. */
class ImportWarningsCliTest {

    static final String VEGA = """
            search_space:
              type: FineGrainedSpace
              modules: ['init', 'quant', 'layer', 'head']
              init:
                type: SmallInputInitialBlock
                init_plane: 32
              quant:
                type: Quant
                nbit_w_list: [4, 8]
              layer:
                type: BasicLayer
                in_plane: 32
                expansion: 1
                block:
                  type: BasicBlock
                layer_reps: [2, 2]
              head:
                type: LinearClassificationHead
                base_channel: 128
                num_class: 10
            """;

    static List<String> warningLines(String text) {
        return Arrays.stream(text.split("\n")).filter(l -> l.contains(": warning")).toList();
    }

    @Test
    void statsAndConvertPrintTheWarningsValidatePrints(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("vega.yaml");
        Files.writeString(f, VEGA);
        CliTest.Run v = run("validate", f.toString());
        assertEquals(0, v.code(), v.out() + v.err());
        List<String> expected = warningLines(v.out());
        assertTrue(expected.stream().anyMatch(l -> l.contains("vega.yaml:8:5") && l.contains("Quant")), v.out());

        CliTest.Run s = run("stats", f.toString());
        assertEquals(0, s.code(), s.err());
        assertEquals(expected, warningLines(s.err()), "stats: " + s.err());
        // The figures stay alone on stdout (JSON too), the warnings go to stderr.
        CliTest.Run j = run("stats", f.toString(), "--json");
        assertTrue(j.out().strip().startsWith("{") && j.out().strip().endsWith("}"), j.out());
        assertEquals(expected, warningLines(j.err()));

        CliTest.Run c = run("convert", f.toString(), dir.resolve("out.yaml").toString());
        assertEquals(0, c.code(), c.err());
        assertEquals(expected, warningLines(c.err()), "convert: " + c.err());
    }

    @Test
    void anArchitectureNamingASearchSpaceIsStillAnArchitecture(@TempDir Path dir) throws Exception {
        // The space's name contains "search_space"; so does a comment. The file is an architecture all the same.
        String space = SpaceYaml.write(Zoo.get("nas-bench-201").orElseThrow().withName("my_search_space"));
        Files.writeString(dir.resolve("my_search_space.yaml"), space);
        Path arch = dir.resolve("arch.yaml");
        Files.writeString(arch, "# found by a search over search_space my_search_space\n"
                + "cellforge: 1\nkind: architecture\nspace: my_search_space\nchoices:\n"
                + String.join("", Zoo.get("nas-bench-201").orElseThrow().mutablesByKey().keySet().stream()
                .map(k -> "  " + k + ": nor_conv_3x3\n").toList()));
        CliTest.Run r = run("convert", arch.toString(), dir.resolve("arch.nb201").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",
                Files.readString(dir.resolve("arch.nb201")).strip());
        // A ModularNAS arch_desc whose comment mentions search_space is an architecture too.
        Path desc = dir.resolve("desc.modnas.yaml");
        Files.writeString(desc, "# arch_desc of the search_space below\n"
                + String.join("", Zoo.get("mobilenetv2-cifar").orElseThrow().mutablesByKey().keySet().stream()
                .map(k -> "- MB3E6\n").toList()));
        r = run("convert", desc.toString(), dir.resolve("desc.json").toString(), "--zoo", "mobilenetv2-cifar");
        assertEquals(0, r.code(), r.err());
    }
}
