package io.cellforge.io;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.arch.Genotype;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.OpCall;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The arch_desc Cellforge writes, loaded back by readers that follow ModularNAS's own loading code (CreeperLin/modnas
 * 21a5166) line by line, with the names ModularNAS registers.
 */
class ModularNasDescTest {

    /** Registry.get_reg_name (modnas/registry/registry.py). */
    static String reg(String id) {
        return id.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace(" ", "");
    }

    /**
     * The Slot builders ModularNAS registers: mobilenetv2.py's MB{k}E{e}, k in 3, 5, 7, 9 and e in 1, 3, 6, 9; ops.py's
     * AVG, MAX, IDT, NIL and AP, MP, SC, SS, NC, DC, DD, FC with kernel sizes 1, 3, 5, ..., 13.
     */
    static final Set<String> REGISTERED = new HashSet<>();

    static {
        for (int k : new int[] {3, 5, 7, 9}) {
            for (int e : new int[] {1, 3, 6, 9}) {
                REGISTERED.add(reg("MB" + k + "E" + e));
            }
        }
        for (String n : List.of("AVG", "MAX", "IDT", "NIL")) {
            REGISTERED.add(reg(n));
        }
        for (int k : new int[] {1, 3, 5, 7, 9, 11, 13}) {
            for (String p : List.of("AP", "MP", "SC", "SS", "NC", "DC", "DD", "FC")) {
                REGISTERED.add(reg(p + k));
            }
        }
    }

    /** parse_arch_desc: yaml.load(desc, Loader=yaml.SafeLoader). */
    static Object parse(String text) {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    }

    /**
     * DefaultSlotArchDescConstructor.__call__ over a model of {@code slots} Slots (DefaultSlotTraversalConstructor:
     * every Slot in model.modules() order): convert takes get_next_desc (idx += 1; arch_desc[idx]; a one-item list
     * unwrapped) and builds that name on the Slot. {@code fixFirst}: MobileNetV2ArchDescConstructor, whose first Slot is
     * predefined and whose get_next_desc result is dropped. Returns what each Slot builds (null: predefined).
     */
    static List<String> loadSlots(String text, int slots, boolean fixFirst) {
        List<?> archDesc = (List<?>) parse(text);
        int idx = -1;
        List<String> built = new ArrayList<>();
        for (int s = 0; s < slots; s++) {
            idx += 1;
            assertTrue(idx < archDesc.size(), "IndexError: arch_desc has " + archDesc.size() + " items, the model " + slots + " Slots");
            Object desc = archDesc.get(idx);
            if (desc instanceof List<?> l && l.size() == 1) {
                desc = l.get(0);
            }
            if (fixFirst && s == 0) {
                built.add(null);
                continue;
            }
            String mType = (String) desc;
            assertTrue(REGISTERED.contains(reg(mType)), "build_module('" + mType + "'): not registered");
            built.add(mType);
        }
        return built;
    }

    private static Imported vegaPxl() throws LoadException {
        Path p = ModularNasInteropTest.DIR.resolve("vega_vmaster__pxl.yml");
        assumeTrue(Files.isRegularFile(p));
        return SpaceFiles.readSpace(p);
    }

    @Test
    void mobileNetV2ArchDescHasOnePrimitivePerSlotInSlotOrder() throws Exception {
        SearchSpace s = vegaPxl().space();
        List<String> six = ModularNasInteropTest.SIX;
        Map<String, Decision> d = new LinkedHashMap<>();
        List<String> want = new ArrayList<>();
        int i = 0;
        for (Stage st : s.network().stages()) {
            LayerChoice lc = (LayerChoice) st.op();
            String op = six.get(i * 5 % six.size());
            d.put(lc.key(), new Decision.Op(op));
            want.add(op);
            i++;
        }
        Architecture a = new Architecture(d);
        String text = ArchFormats.write(ArchFormat.MODNAS, s, a);
        // The exporter's form: a list, one item per Slot (22 on CIFAR_MobileNetV2_GPU), each [chosen candidate].
        assertEquals(22, ((List<?>) parse(text)).size());
        assertEquals(want, loadSlots(text, 22, false));
        assertEquals(want.subList(1, 22), loadSlots(text, 22, true).subList(1, 22));
        assertEquals(a, ArchFormats.read(ArchFormat.MODNAS, text, "d.yaml", s));
        // This very file, given as arch_desc to ModularNAS 21a5166 (get_default_constructors, CIFAR_MobileNetV2_GPU,
        // n_classes 10) with torch 1.13, builds 2,896,362 parameters and 64,979,712 multiply-adds.
        io.cellforge.analysis.NetworkStats st = io.cellforge.analysis.Evaluator.evaluate(s, a);
        assertEquals(2_896_362, st.params());
        assertEquals(64_979_712, st.macs());
    }

    @Test
    void theFixedFirstSlotIsWrittenAsThePredefinedBlockItIs() throws Exception {
        // fix_first (combo_nas's converter, and Cellforge's zoo): Slot 0 is MobileInvertedConv(expansion 1, kernel 3),
        // which DefaultSlotArchDescConstructor builds again from the name MB3E1.
        SearchSpace s = Zoo.get("mobilenetv2-imagenet").orElseThrow();
        Map<String, Decision> d = new LinkedHashMap<>();
        s.mutablesByKey().keySet().forEach(k -> d.put(k, new Decision.Op("MB7E6")));
        String text = ArchFormats.write(ArchFormat.MODNAS, s, new Architecture(d));
        List<String> built = loadSlots(text, 17, false);
        assertEquals("MB3E1", built.get(0));
        assertEquals(((OpCall) s.network().stages().get(0).op()).label(), built.get(0));
        assertTrue(built.subList(1, 17).stream().allMatch("MB7E6"::equals), built.toString());
    }

    /** ops.py's names of DARTS's primitives, for the test's own mapping. */
    static final Map<String, String> DARTS_NAMES = Map.of("sep_conv_3x3", "SC3", "sep_conv_5x5", "SC5", "dil_conv_3x3", "DC3",
            "dil_conv_5x5", "DC5", "max_pool_3x3", "MAX", "avg_pool_3x3", "AVG", "skip_connect", "IDT", "none", "NIL");

    /**
     * DARTSLikeNet.build_from_arch_desc (modnas/arch_space/torch/darts.py): one description per cell group
     * (normal, reduce); DAGLayer.build_from_arch_desc (modnas/arch_space/layers.py) zips it with the n_nodes rows of the
     * DAG; each edge (g_child, sidx, _) is found by dag_topology.index(tuple(sidx)), dag_topology being
     * CombinationEnumerator's itertools.combinations(range(cur_state), 1), cur_state = n_input + nidx; its Slot builds
     * g_child (DefaultRecursiveArchDescConstructor.convert: desc[0] of a list). Returns per cell "node:input:op".
     */
    static List<List<String>> loadDarts(String text, int nNodes) {
        List<?> desc = (List<?>) parse(text);
        assertEquals(2, desc.size(), "assert len(self.cell_group) == len(desc)");
        List<List<String>> out = new ArrayList<>();
        for (Object g : desc) {
            List<?> rows = (List<?>) g;
            assertEquals(nNodes, rows.size(), "zip(desc, self.dag) would leave nodes unbuilt or ignore some");
            List<String> cell = new ArrayList<>();
            for (int nidx = 0; nidx < rows.size(); nidx++) {
                int curState = 2 + nidx;
                List<List<Integer>> topology = new ArrayList<>();
                for (int s = 0; s < curState; s++) {
                    topology.add(List.of(s));
                }
                for (Object edge : (List<?>) rows.get(nidx)) {
                    List<?> e = (List<?>) edge;
                    Object gChild = e.get(0);
                    List<?> sidx = (List<?>) e.get(1);
                    int eidx = topology.indexOf(sidx);
                    assertTrue(eidx >= 0, "ValueError: " + sidx + " is not in list " + topology);
                    String name = (String) (gChild instanceof List<?> l ? l.get(0) : gChild);
                    assertTrue(REGISTERED.contains(reg(name)), "build_module('" + name + "'): not registered");
                    cell.add(nidx + ":" + sidx.get(0) + ":" + name);
                }
            }
            out.add(cell);
        }
        return out;
    }

    /** Written for darts-search from DARTS_V2, this file also loads in ModularNAS's DARTS model (torch 1.13, modnas 21a5166). */
    @Test
    void dartsArchDescListsTheEdgesOfEveryNodeAsModularNasReadsThem() throws Exception {
        for (String zoo : List.of("darts-search", "darts-mini")) {
            SearchSpace s = Zoo.get(zoo).orElseThrow();
            Genotype g = Genotype.DARTS_V2;
            Architecture a = ArchFormats.fromGenotype(g, s, "DARTS_V2");
            String text = ArchFormats.write(ArchFormat.MODNAS, s, a);
            List<List<String>> cells = loadDarts(text, 4);
            List<List<String>> want = new ArrayList<>();
            for (List<Genotype.Op> ops : List.of(g.normal(), g.reduce())) {
                List<String> cell = new ArrayList<>();
                for (int j = 0; j < ops.size(); j++) {
                    cell.add(j / 2 + ":" + ops.get(j).input() + ":" + DARTS_NAMES.get(ops.get(j).name()));
                }
                want.add(cell);
            }
            assertEquals(want, cells, zoo);
            assertEquals(a, ArchFormats.read(ArchFormat.MODNAS, text, "d.yaml", s), zoo);
        }
    }

    @Test
    void aDartsArchDescWithAnUnknownPrimitiveIsAnErrorAtItsPlace() {
        SearchSpace s = Zoo.get("darts-mini").orElseThrow();
        String cell = "- - [[[SC3], [0], 2], [[XX9], [1], 2]]\n  - [[[SC3], [0], 3], [[SC3], [1], 3]]\n"
                + "  - [[[SC3], [0], 4], [[SC3], [1], 4]]\n  - [[[SC3], [0], 5], [[SC3], [1], 5]]\n";
        LoadException e = org.junit.jupiter.api.Assertions.assertThrows(LoadException.class,
                () -> ArchFormats.read(ArchFormat.MODNAS, cell + cell, "d.yaml", s));
        assertTrue(e.getMessage().startsWith("d.yaml:1:25: 'XX9' is not a ModularNAS primitive"), e.getMessage());
    }
}
