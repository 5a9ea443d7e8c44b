package io.cellforge.edit;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.NetworkStats;
import io.cellforge.analysis.Validator;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.arch.Fixing;
import io.cellforge.arch.FormatException;
import io.cellforge.arch.Genotype;
import io.cellforge.io.ArchFormats;
import io.cellforge.ops.Shape;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Network;
import io.cellforge.space.Node;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.Reduction;
import io.cellforge.space.Role;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpaceEditsTest {

    @Test
    void renamingAKeyRenamesEveryChoiceSharingItAndEveryReference() throws Exception {
        SearchSpace s = CellEditsTest.drawn().current();
        s = CellEdits.setOp("cell", "in1", "n1", CellEditsTest.THREE).apply(s); // shares e0
        s = SpaceEdits.setValueChoice("cell", "n0", "n1", "kernel", "k", List.of(3.0, 5.0)).apply(
                CellEdits.setOp("cell", "n0", "n1", OpCall.of("conv_bn_relu")).apply(s));
        SearchSpace r = SpaceEdits.renameKey("e0", "shared").apply(s);
        assertEquals(2, r.mutables().stream().filter(m -> m.key().equals("shared")).count());
        assertTrue(r.mutables().stream().noneMatch(m -> m.key().equals("e0")));
        r = SpaceEdits.renameKey("k", "kernel").apply(r);
        assertEquals(List.of("kernel"), List.copyOf(r.values().keySet()));
        OpCall op = (OpCall) r.cells().get("cell").edges().stream().filter(e -> e.from().equals("n0")).findFirst().orElseThrow().op();
        assertEquals(Param.ref("kernel"), op.params().get("kernel"));
        SearchSpace fin = r;
        EditException taken = assertThrows(EditException.class, () -> SpaceEdits.renameKey("shared", "n1_inputs").apply(fin));
        assertTrue(taken.getMessage().contains("already used by a InputChoice") || taken.getMessage().contains("InputChoice"), taken.getMessage());
        assertThrows(EditException.class, () -> SpaceEdits.renameKey("shared", "1bad key").apply(fin));
    }

    @Test
    void aValueChoiceSharedByKeyMustOfferTheSameValues() throws Exception {
        SearchSpace s = CellEditsTest.drawn().current();
        s = CellEdits.setOp("cell", "in1", "n1", OpCall.of("conv_bn_relu")).apply(
                CellEdits.setOp("cell", "n0", "n1", OpCall.of("conv_bn_relu")).apply(s));
        SearchSpace v = SpaceEdits.setValueChoice("cell", "n0", "n1", "kernel", "k", List.of(3.0, 5.0)).apply(s);
        assertEquals(List.of(3.0, 5.0), v.values().get("k").candidates());
        EditException e = assertThrows(EditException.class,
                () -> SpaceEdits.setValueChoice("cell", "in1", "n1", "kernel", "k", List.of(3.0, 7.0)).apply(v));
        assertTrue(e.getMessage().contains("same"), e.getMessage());
        assertThrows(EditException.class, () -> SpaceEdits.setParam("cell", "n0", "n1", "kernel", Param.ref("nope")).apply(v));
        assertThrows(EditException.class, () -> SpaceEdits.setParam("cell", "n0", "n1", "dilation", Param.of(2)).apply(v));
    }

    @Test
    void layersRebuildADartsStackWithReductionsAtThirds() throws Exception {
        SearchSpace s = Zoo.get("darts-mini").orElseThrow();
        SearchSpace eight = SpaceEdits.setLayers(8).apply(s);
        List<Stage> st = eight.network().stages();
        assertEquals(8, st.size());
        assertEquals(Set.of(2, 5), Set.of(java.util.stream.IntStream.range(0, 8).filter(i -> st.get(i).role() == Role.REDUCTION).boxed()
                .toArray(Integer[]::new)));
        assertEquals(Zoo.dartsSearch(8, 8, 10, new Shape(1, 8, 8), io.cellforge.ops.OpCatalog.DARTS_PRIMITIVES).network().stages(), st);
        assertThrows(EditException.class, () -> SpaceEdits.setLayers(4).apply(Zoo.get("resnet18").orElseThrow()));
        SearchSpace n = SpaceEdits.setNetwork(16, 100, new Shape(3, 32, 32)).apply(s);
        assertEquals(16, n.network().channels());
        assertEquals(100, n.network().classes());
    }

    @Test
    void edgesOutOfTheInputsOfAReductionCellHalveTheSize() throws Exception {
        SearchSpace s = Zoo.blank();
        s = CellEdits.addNode("reduce", Node.intermediate("n2")).apply(s);
        s = CellEdits.connect("reduce", "in0", "n2", OpCall.of("max_pool_3x3")).apply(s);
        s = CellEdits.connect("reduce", "n2", "out", OpCall.of("identity")).apply(s);
        assertEquals(List.of(2, 1), s.cells().get("reduce").edges().stream().map(Edge::stride).toList());
    }

    @Test
    void pasteGivesFreshNamesAndFreshKeys() throws Exception {
        SearchSpace s = CellEditsTest.drawn().current();
        Cell c = s.cells().get("cell");
        CellEdits.Fragment f = CellEdits.copy(c, List.of("in0", "n0", "n1", "out"));
        assertEquals(List.of("n0", "n1"), f.nodes().stream().map(Node::name).toList());
        assertEquals(1, f.edges().size());
        SearchSpace p = CellEdits.paste("cell", CellEdits.copy(c, List.of("n0", "n1"))).apply(s);
        Cell pc = p.cells().get("cell");
        assertEquals(List.of("in0", "in1", "n0", "n1", "n2", "n3", "out"), pc.nodes().stream().map(Node::name).toList());
        assertTrue(pc.edges().stream().anyMatch(e -> e.from().equals("n2") && e.to().equals("n3")));
        assertTrue(Validator.validate(p).stream().noneMatch(pr -> pr.isError() && pr.message().contains("key")));
    }

    @Test
    void fixingAnArchitectureGivesTheNetworkItChooses() throws Exception {
        SearchSpace space = Zoo.get("darts-search").orElseThrow();
        Architecture arch = ArchFormats.fromGenotype(Genotype.DARTS_V2, space, "test");
        SearchSpace fixed = Fixing.fix(space, arch);
        assertTrue(fixed.isFixed());
        NetworkStats a = Evaluator.evaluate(space, arch);
        NetworkStats b = Evaluator.evaluate(fixed, Architecture.empty());
        assertTrue(b.ok());
        assertEquals(a.params(), b.params());
        assertEquals(a.macs(), b.macs());
        assertEquals(2, fixed.cells().get("normal").incoming("n3").size());

        SearchSpace mb = Zoo.get("mobilenetv2-cifar").orElseThrow();
        Architecture first = Architecture.empty();
        for (var m : mb.mutablesByKey().values()) {
            first = first.with(m.key(), new Decision.Op(((LayerChoice) m).labels().get(m.key().hashCode() & 3)));
        }
        assertEquals(Evaluator.evaluate(mb, first).params(), Evaluator.evaluate(Fixing.fix(mb, first), Architecture.empty()).params());

        FormatException missing = assertThrows(FormatException.class, () -> Fixing.fix(space, Architecture.empty()));
        assertTrue(missing.getMessage().contains("normal_n2_switch"), missing.getMessage());
        FormatException wrong = assertThrows(FormatException.class,
                () -> Fixing.fix(space, arch.with("normal_n2_p0", new Decision.Op("conv_9x9"))));
        assertTrue(wrong.getMessage().contains("edge in0->n2"), wrong.getMessage());
    }

    // ---- stages -------------------------------------------------------------------------------------------

    private static SearchSpace mobilenet() {
        return Zoo.get("mobilenetv2-imagenet").orElseThrow();
    }

    private static Stage stage(SearchSpace s, String name) {
        return s.network().stages().stream().filter(st -> name.equals(st.name())).findFirst().orElseThrow();
    }

    @Test
    void aBlockStageTakesANewOpWidthStrideRepeatAndShortcut() throws Exception {
        SearchSpace s = mobilenet();
        SearchSpace r = SpaceEdits.setStage("b0", OpCall.of("MB5E3"), Param.of(24), Param.of(2), Param.of(2), false).apply(s);
        Stage b0 = stage(r, "b0");
        assertEquals(OpCall.of("MB5E3"), b0.op());
        assertEquals(Param.of(24), b0.channels());
        assertEquals(Param.of(2), b0.stride());
        assertEquals(Param.of(2), b0.repeat());
        assertFalse(b0.residual());
        assertEquals(s.network().stages().subList(1, 17), r.network().stages().subList(1, 17), "the other stages stay");
        NetworkStats st = Evaluator.evaluate(r, io.cellforge.analysis.SpaceStats.first(r));
        NetworkStats.Part copy0 = st.parts().stream().filter(p -> p.name().equals("b0#0")).findFirst().orElseThrow();
        assertEquals(new Shape(24, 56, 56), copy0.out(), "stride 2 halves 112");
    }

    @Test
    void aBlockStageCanBecomeALayerChoiceAndBackToAFixedOp() throws Exception {
        SearchSpace s = mobilenet();
        Stage b0 = stage(s, "b0");
        SearchSpace r = SpaceEdits.setStage("b0", LayerChoice.of("b0", List.of("MB3E1", "MB5E1")), b0.channels(), b0.stride(),
                null, true).apply(s);
        assertEquals(List.of("MB3E1", "MB5E1"), ((LayerChoice) stage(r, "b0").op()).labels());
        assertTrue(r.mutablesByKey().containsKey("b0"));
        SearchSpace back = SpaceEdits.setStage("b0", OpCall.of("MB3E1"), b0.channels(), b0.stride(), null, true).apply(r);
        assertEquals(s.network(), back.network());
    }

    @Test
    void aStageLayerChoiceSharesAKeyOnlyWithTheSameCandidates() throws Exception {
        SearchSpace s = mobilenet();
        Stage b2 = stage(s, "b2");
        LayerChoice b1 = (LayerChoice) stage(s, "b1").op();
        SearchSpace shared = SpaceEdits.setStage("b2", new LayerChoice("b1", b1.candidates()), b2.channels(), b2.stride(), null,
                true).apply(s);
        assertEquals(15, shared.mutablesByKey().size(), "b1 and b2 decide together: 16 keys less one");
        EditException e = assertThrows(EditException.class, () -> SpaceEdits.setStage("b2",
                LayerChoice.of("b1", List.of("MB3E3", "MB5E3")), b2.channels(), b2.stride(), null, true).apply(s));
        assertTrue(e.getMessage().contains("b2") && e.getMessage().contains("other candidates"), e.getMessage());
    }

    @Test
    void impossibleStageSettingsAreRefusedNamingTheStage() {
        SearchSpace s = mobilenet();
        Stage b3 = stage(s, "b3");
        List<Edit> refused = List.of(
                SpaceEdits.setStage("b3", b3.op(), Param.of(0), b3.stride(), null, true),
                SpaceEdits.setStage("b3", b3.op(), b3.channels(), Param.of(1.5), null, true),
                SpaceEdits.setStage("b3", b3.op(), b3.channels(), b3.stride(), Param.of(0), true),
                SpaceEdits.setStage("b3", b3.op(), b3.channels(), Param.ref("width"), null, true),
                SpaceEdits.setStage("b3", OpCall.of("MB9E9"), b3.channels(), b3.stride(), null, true),
                SpaceEdits.setStage("b3", LayerChoice.of("b3", List.of("MB3E3")), b3.channels(), b3.stride(), null, true),
                SpaceEdits.setStage("b3", LayerChoice.of("b3", List.of("MB3E3", "MB3E3")), b3.channels(), b3.stride(), null, true),
                SpaceEdits.setStage("b3", LayerChoice.of("3b", List.of("MB3E3", "MB5E3")), b3.channels(), b3.stride(), null, true),
                SpaceEdits.setStage("b3", null, b3.channels(), b3.stride(), null, true));
        for (Edit e : refused) {
            EditException x = assertThrows(EditException.class, () -> e.apply(s));
            assertTrue(x.getMessage().contains("b3"), x.getMessage());
        }
        EditException none = assertThrows(EditException.class,
                () -> SpaceEdits.setStage("b99", b3.op(), b3.channels(), b3.stride(), null, true).apply(s));
        assertTrue(none.getMessage().contains("b99"), none.getMessage());
    }

    @Test
    void aCellStageTakesAnotherCellAndRole() throws Exception {
        SearchSpace s = Zoo.get("darts-search").orElseThrow();
        Stage first = s.network().stages().get(0);
        SearchSpace r = SpaceEdits.setCellStage(first.name(), "reduce", Role.REDUCTION).apply(s);
        assertEquals("reduce", r.network().stages().get(0).cell());
        assertEquals(Role.REDUCTION, r.network().stages().get(0).role());
        EditException e = assertThrows(EditException.class, () -> SpaceEdits.setCellStage(first.name(), "nope", Role.NORMAL).apply(s));
        assertTrue(e.getMessage().contains(first.name()) && e.getMessage().contains("nope"), e.getMessage());
        EditException block = assertThrows(EditException.class,
                () -> SpaceEdits.setCellStage("b0", "x", Role.NORMAL).apply(mobilenet()));
        assertTrue(block.getMessage().contains("b0"), block.getMessage());
    }

    @Test
    void theWidthScalesTheStemAndTheStagesThatFollowIt() throws Exception {
        SearchSpace nb201 = Zoo.get("nas-bench-201").orElseThrow();
        // NAS-Bench-201's cells keep their width on every edge: the old setNetwork left the stem at 16 for 8-wide cells.
        assertFalse(Evaluator.supernet(SpaceEdits.setNetwork(8, 10, nb201.network().input()).apply(nb201)).ok());
        SearchSpace at8 = SpaceEdits.setWidth(8).apply(nb201);
        assertEquals(8, at8.network().channels());
        assertEquals(Param.of(8), at8.network().stem().get(0).get(0).params().get("out"));
        assertEquals(List.of(Param.of(16), Param.of(32)), at8.network().stages().stream().filter(st -> st.channels() != null)
                .map(Stage::channels).toList(), "the blocks of 2C and 4C follow");
        NetworkStats stats = Evaluator.supernet(at8);
        assertTrue(stats.ok(), stats.problems()::toString);
        assertTrue(stats.params() < Evaluator.supernet(nb201).params());
        SearchSpace darts = Zoo.get("darts-search").orElseThrow();
        assertEquals(Param.of(24), SpaceEdits.setWidth(8).apply(darts).network().stem().get(0).get(0).params().get("out"), "DARTS's stem of 3C");
        assertEquals(nb201, SpaceEdits.setWidth(16).apply(nb201), "its own width changes nothing");
        // MobileNetV2's blocks of 16 and 24 on a width of 32 have no whole width at 5.
        SearchSpace mobile = Zoo.get("mobilenetv2-cifar").orElseThrow();
        assertTrue(Evaluator.supernet(SpaceEdits.setWidth(8).apply(mobile)).ok());
        EditException odd = assertThrows(EditException.class, () -> SpaceEdits.setWidth(5).apply(mobile));
        assertTrue(odd.getMessage().contains("channels (16) does not follow the network's 32 channels to 5"), odd.getMessage());
    }

    @Test
    void aContextAddedToASpaceWithoutOneComesWithTheStarterGenerator() throws Exception {
        SearchSpace s = Zoo.get("darts-mini").orElseThrow();
        assertFalse(s.network().context().present());
        SearchSpace c = SpaceEdits.setContext(6).apply(s);
        assertEquals(6, c.network().context().features());
        assertEquals(Map.of("g", List.of(OpCall.of("linear", "out", 16), OpCall.of("relu"))), c.network().context().generators());
        SearchSpace dyn = Zoo.get("dynamic-strokes").orElseThrow();
        SearchSpace eight = SpaceEdits.setContext(8).apply(dyn);
        assertEquals(8, eight.network().context().features());
        assertEquals(dyn.network().context().generators(), eight.network().context().generators(), "its generators stay");
        assertThrows(EditException.class, () -> SpaceEdits.setContext(0).apply(dyn));
        assertEquals(Network.Context.NONE, SpaceEdits.removeContext().apply(c).network().context());
    }

    @Test
    void aGeneratorTakesNewLayersThatTheCountsFollow() throws Exception {
        SearchSpace s = Zoo.get("dynamic-strokes").orElseThrow();
        SearchSpace wide = SpaceEdits.setGenerator("g", List.of(OpCall.of("linear", "out", 32), OpCall.of("relu"))).apply(s);
        NetworkStats.Part g = Evaluator.supernet(wide).parts().stream().filter(p -> p.name().equals("generator g")).findFirst().orElseThrow();
        assertEquals(4 * 32 + 32, g.params(), "a 4 -> 32 linear layer with its bias");
        assertEquals(32, g.out().channels());
        EditException unknown = assertThrows(EditException.class, () -> SpaceEdits.setGenerator("h", List.of(OpCall.of("relu"))).apply(s));
        assertTrue(unknown.getMessage().contains("(it has g)"), unknown.getMessage());
        assertThrows(EditException.class, () -> SpaceEdits.setGenerator("g", List.of()).apply(s));
        EditException bad = assertThrows(EditException.class, () -> SpaceEdits.setGenerator("g", List.of(OpCall.of("lineer"))).apply(s));
        assertTrue(bad.getMessage().startsWith("generator g: there is no op 'lineer'; did you mean linear?"), bad.getMessage());
        assertThrows(EditException.class, () -> SpaceEdits.setGenerator("g", List.of(OpCall.of("dyn_conv_3x3"))).apply(s));
    }

    @Test
    void theContextStaysWhileAnOpTakesItsKernelsFromAGenerator() {
        SearchSpace s = Zoo.get("dynamic-strokes").orElseThrow();
        EditException e = assertThrows(EditException.class, () -> SpaceEdits.removeContext().apply(s));
        assertEquals("cell cell, edge in0 -> n1 takes its kernels from a weight generator: give it static ops first", e.getMessage());
    }

    @Test
    void aDynamicOpNamesOneOfTheNetworksGenerators() throws Exception {
        SearchSpace s = SpaceEdits.setContext(4).apply(CellEditsTest.drawn().current());
        s = CellEdits.setOp("cell", "n0", "n1", OpCall.of("dyn_conv_3x3")).apply(s);
        SearchSpace named = SpaceEdits.setParam("cell", "n0", "n1", "generator", Param.ref("g")).apply(s);
        OpCall op = (OpCall) named.cells().get("cell").edges().stream().filter(e -> e.from().equals("n0")).findFirst().orElseThrow().op();
        assertEquals(Param.ref("g"), op.params().get("generator"));
        SearchSpace fin = s;
        EditException e = assertThrows(EditException.class, () -> SpaceEdits.setParam("cell", "n0", "n1", "generator", Param.ref("h")).apply(fin));
        assertTrue(e.getMessage().contains("(it has g)"), e.getMessage());
    }
}
