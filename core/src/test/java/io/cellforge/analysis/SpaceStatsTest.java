package io.cellforge.analysis;

import io.cellforge.space.Problem;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.io.SpaceYaml;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ranges of {@link SpaceStats}: the same as before the one-pass walk on the zoo, and exact where they can be. */
class SpaceStatsTest {

    /**
     * Figures of the coordinate search over every key that stats used before (ad09df2), for every zoo space;
     * mobilenetv2-cifar's multiply-adds since it takes ModularNAS's CIFAR strides (stem and the 160-wide stage at 1).
     */
    private static final String ZOO_BEFORE = """
            darts-search 9119789245425254400 99450 481402 20466176 81873408 1930618
            darts-mini 9119789245425254400 14610 98194 211712 1051392 393778
            enas-micro 25628906250000000000000000 18150 374150 6574880 61102880 666150
            enas-macro 160618186625454535808756219904 16594 189394 4829424 82243824 309778
            mobilenetv2-imagenet 2821109907456 2601416 3789032 171498944 376790912 10440680
            mobilenetv2-cifar 2821109907456 1333226 2520842 26014208 51622400 9172490
            resnet-variant 65536 594378 5011080266 28529280 5130977902592 5011080266
            nas-bench-201 15625 73306 1531546 7783040 220119680 1699546
            ofa-mini 4782969 7274 65226 234880 2184832 65226
            ofa-cifar 150094635296999121 221626 955090 19330816 107191552 955090
            dynamic-strokes 216 106 58938 18448 958544 91770
            """;

    @Test
    void zooFiguresAreThoseOfTheSearchOverEveryKey() {
        int spaces = 0;
        for (String line : ZOO_BEFORE.strip().split("\n")) {
            String[] f = line.trim().split(" ");
            SearchSpace s = Zoo.get(f[0]).orElseThrow();
            SpaceStats st = SpaceStats.of(s);
            assertEquals(new BigInteger(f[1]), st.architectures(), f[0]);
            assertEquals(List.of(Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]),
                            Long.parseLong(f[6])),
                    List.of(st.minParams().value(), st.maxParams().value(), st.minMacs().value(), st.maxMacs().value(),
                            st.supernetParams()), f[0]);
            assertArchitecturesHaveTheirFigures(s, st);
            spaces++;
        }
        long searchable = Zoo.entries().stream().filter(e -> !e.builder().get().isFixed()).count();
        assertEquals(searchable, spaces, "every searchable zoo space is listed");
    }

    /** Two cells sharing keys; gated and coupled InputChoices, fixed ops on candidate inputs, a LayerChoice block. */
    static final String CELLS = """
            cellforge: 1
            kind: space
            name: cells
            network:
              input: [3, 8, 8]
              classes: 3
              channels: 4
              stem: [[{op: conv, out: 8, kernel: 3, padding: 1}, bn]]
              stages:
                - {name: c0, cell: k}
                - {name: c1, cell: k}
                - {name: c2, cell: j}
                - {name: b, choice: {key: blk, candidates: [sep_conv_3x3, skip_connect, dil_conv_5x5]}}
              head: [gap, linear]
            cells:
              k:
                preprocess: darts
                inputs: [in0, in1]
                nodes:
                  - {name: n2, input_choice: {key: k2, n_chosen: 1, reduction: sum}}
                  - {name: n3, input_choice: {key: k3, n_chosen: 2, reduction: sum}}
                  - {name: n4, input_choice: {key: k4, n_chosen: any, reduction: sum}}
                output: {name: out, reduction: concat}
                edges:
                  - {from: in0, to: n2, choice: {key: a0, candidates: [none, sep_conv_3x3, max_pool_3x3]}}
                  - {from: in1, to: n2, choice: {key: a1, candidates: [skip_connect, dil_conv_3x3]}}
                  - {from: in0, to: n3, choice: {key: b0, candidates: [none, sep_conv_3x3, sep_conv_5x5]}}
                  - {from: in1, to: n3, op: sep_conv_3x3}
                  - {from: n2, to: n3, choice: {key: b2, candidates: [skip_connect, dil_conv_5x5]}}
                  - {from: in0, to: n4, choice: {key: shared, candidates: [none, sep_conv_3x3]}}
                  - {from: n3, to: n4, choice: {key: shared, candidates: [none, sep_conv_3x3]}}
                  - {from: n2, to: out}
                  - {from: n3, to: out}
                  - {from: n4, to: out}
              j:
                preprocess: darts
                inputs: [in0, in1]
                nodes:
                  - {name: n2, input_choice: {key: k2, n_chosen: 1, reduction: sum}}
                output: {name: out, reduction: concat}
                edges:
                  - {from: in0, to: n2, choice: {key: a0, candidates: [none, sep_conv_3x3, max_pool_3x3]}}
                  - {from: in1, to: n2, choice: {key: a1, candidates: [skip_connect, dil_conv_3x3]}}
                  - {from: n2, to: out}
            """;

    /** ValueChoices in an op and in a stage's width, beside a LayerChoice whose cost depends on both. */
    static final String VALUES = """
            cellforge: 1
            kind: space
            name: values
            network:
              input: [3, 8, 8]
              classes: 10
              channels: 8
              stem: [{op: conv, out: 8}, bn]
              stages:
                - {name: b0, op: {op: my_sep, kernel: $k}, channels: $w, stride: 2}
                - {name: b1, choice: {key: pick, candidates: [sep_conv_3x3, skip_connect, sep_conv_5x5]}}
              head: [gap, linear]
            values:
              k: [3, 5]
              w: [8, 16, 12]
            ops:
              my_sep:
                layers: [relu, {op: dwconv, kernel: $kernel, stride: $stride}, {op: conv, kernel: 1}, bn]
            """;

    /** A loose-ends cell (ENAS micro): which inputs are chosen changes what the output takes. */
    static final String LOOSE = """
            cellforge: 1
            kind: space
            name: loose
            network:
              input: [3, 8, 8]
              classes: 3
              channels: 4
              stem: [[{op: conv, out: 8, kernel: 3, padding: 1}, bn]]
              stages:
                - {name: c0, cell: m}
                - {name: c1, cell: m}
              head: [gap, linear]
            cells:
              m:
                preprocess: enas
                inputs: [in0, in1]
                nodes:
                  - {name: x, input_choice: {key: xi, n_chosen: 1, reduction: sum}}
                  - {name: x2}
                  - {name: y, input_choice: {key: yi, n_chosen: any, reduction: sum, allow_none: true}}
                  - {name: y2}
                output: {name: out, reduction: mean, loose_ends: true}
                edges:
                  - {from: in0, to: x}
                  - {from: in1, to: x}
                  - {from: x, to: x2, choice: {key: xo, candidates: [sep_conv_bn_3x3, skip_connect, avg_pool_bn_3x3]}}
                  - {from: in0, to: y}
                  - {from: in1, to: y}
                  - {from: x2, to: y}
                  - {from: y, to: y2, choice: {key: yo, candidates: [sep_conv_bn_5x5, skip_connect]}}
            """;

    @Test
    void cellSpacesMatchEveryArchitecture() throws Exception {
        assertMatchesBruteForce(SpaceYaml.read(CELLS, "cells.yaml").space());
    }

    @Test
    void valueChoicesMatchEveryArchitecture() throws Exception {
        assertMatchesBruteForce(SpaceYaml.read(VALUES, "values.yaml").space());
    }

    @Test
    void looseEndsMatchEveryArchitecture() throws Exception {
        assertMatchesBruteForce(SpaceYaml.read(LOOSE, "loose.yaml").space());
    }

    @Test
    void keysSharedInconsistentlyDoNotBreakTheWalk() throws Exception {
        // validate rejects both; stats must still answer (or fail as an evaluation does), never index out of range.
        String text = CELLS.replace("- {from: n3, to: n4, choice: {key: shared, candidates: [none, sep_conv_3x3]}}",
                "- {from: n3, to: n4, choice: {key: shared, candidates: [none, sep_conv_3x3, sep_conv_5x5]}}")
                .replace("- {name: n2, input_choice: {key: k2, n_chosen: 1, reduction: sum}}\n                output",
                        "- {name: n2, input_choice: {key: k3, n_chosen: 1, reduction: sum}}\n                output");
        SearchSpace s = SpaceYaml.read(text, "bad.yaml").space();
        assertTrue(Validator.validate(s).stream().anyMatch(Problem::isError));
        SpaceStats st = SpaceStats.of(s);
        assertTrue(st.minParams().value() <= st.maxParams().value());
    }

    @Test
    void aThousandChoicesInOneCellAreCountedExactly() {
        SearchSpace s = LargeSpacesTest.chain(1000, 1);
        SpaceStats st = SpaceStats.of(s);
        assertEquals(BigInteger.TWO.pow(1000), st.architectures());
        assertEquals(Evaluator.evaluate(s, LargeSpacesTest.all(s, "skip_connect")).params(), st.minParams().value());
        assertEquals(Evaluator.evaluate(s, LargeSpacesTest.all(s, "sep_conv_3x3")).macs(), st.maxMacs().value());
    }

    @Test
    void aWeightGeneratorCountsOnlyInTheArchitecturesThatChooseADynamicOp() {
        // All skip_connect carries no generator; the largest has dynamic convs and the generator.
        assertMatchesBruteForce(Zoo.get("dynamic-strokes").orElseThrow());
        // Here a dynamic op is the cheapest in multiply-adds but not in parameters, on some edges only.
        SearchSpace s = Zoo.get("dynamic-strokes").orElseThrow();
        io.cellforge.space.Cell c = s.cells().get("cell");
        List<io.cellforge.space.Edge> edges = new ArrayList<>();
        for (io.cellforge.space.Edge e : c.edges()) {
            edges.add(e.op() instanceof io.cellforge.space.LayerChoice lc && !lc.key().equals("n2_p1")
                    ? new io.cellforge.space.Edge(e.from(), e.to(), io.cellforge.space.LayerChoice.of(lc.key(),
                    List.of("nor_conv_3x3", "dyn_sep_conv_3x3")), e.stride()) : e);
        }
        assertMatchesBruteForce(s.withCell(c.withEdges(edges)));
        // Dynamic ops on the candidate inputs of an InputChoice: the generator counts where a kept input has one.
        assertMatchesBruteForce(io.cellforge.engine.DynamicConvTest.gated());
    }

    private static void assertMatchesBruteForce(SearchSpace s) {
        assertTrue(Validator.validate(s).stream().noneMatch(Problem::isError), () -> Validator.validate(s).toString());
        long[] lo = {Long.MAX_VALUE, Long.MAX_VALUE};
        long[] hi = {Long.MIN_VALUE, Long.MIN_VALUE};
        int valid = 0;
        for (Architecture a : every(s)) {
            NetworkStats n = Evaluator.evaluate(s, a);
            if (n.ok()) {
                valid++;
                lo[0] = Math.min(lo[0], n.params());
                hi[0] = Math.max(hi[0], n.params());
                lo[1] = Math.min(lo[1], n.macs());
                hi[1] = Math.max(hi[1], n.macs());
            }
        }
        assertTrue(valid > 10, "the fixture has architectures");
        SpaceStats st = SpaceStats.of(s);
        assertEquals(List.of(lo[0], hi[0], lo[1], hi[1]),
                List.of(st.minParams().value(), st.maxParams().value(), st.minMacs().value(), st.maxMacs().value()));
        assertArchitecturesHaveTheirFigures(s, st);
    }

    private static void assertArchitecturesHaveTheirFigures(SearchSpace s, SpaceStats st) {
        assertEquals(st.minParams().value(), Evaluator.evaluate(s, st.minParams().arch()).params(), s.name());
        assertEquals(st.maxParams().value(), Evaluator.evaluate(s, st.maxParams().arch()).params(), s.name());
        assertEquals(st.minMacs().value(), Evaluator.evaluate(s, st.minMacs().arch()).macs(), s.name());
        assertEquals(st.maxMacs().value(), Evaluator.evaluate(s, st.maxMacs().arch()).macs(), s.name());
    }

    /** Every combination of every key's options. */
    private static List<Architecture> every(SearchSpace s) {
        List<Map<String, Decision>> all = new ArrayList<>(List.of(new LinkedHashMap<>()));
        for (Map.Entry<String, List<Decision>> e : SpaceStats.options(s).entrySet()) {
            List<Map<String, Decision>> next = new ArrayList<>();
            for (Map<String, Decision> partial : all) {
                for (Decision d : e.getValue()) {
                    Map<String, Decision> m = new LinkedHashMap<>(partial);
                    m.put(e.getKey(), d);
                    next.add(m);
                }
            }
            all = next;
        }
        return all.stream().map(Architecture::new).toList();
    }
}
