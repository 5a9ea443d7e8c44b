package io.cellforge.io;

import io.cellforge.analysis.Evaluator;
import io.cellforge.space.Problem;
import io.cellforge.arch.Architecture;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.SearchSpace;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The YAML examples of the seeds (VEGA FineGrainedSpace, ModularNAS), indented as VEGA writes them. */
class ForeignSpacesTest {

    static Imported read(String text) throws LoadException {
        return SpaceFiles.readSpace(text, "seed.yaml", "seed");
    }

    static long params(SearchSpace s) {
        var st = Evaluator.evaluate(s, Architecture.empty());
        assertTrue(st.ok(), st.problems()::toString);
        return st.params();
    }

    @Test
    void vegaCoarseResNet18WithTenClasses() throws Exception {
        Imported im = read("""
                search_space:
                  type: FineGrainedSpace
                  modules: ['resnet']
                  resnet:
                    type: ResNet
                    depth: 18
                    num_class: 10
                """);
        // torchvision's 11,689,512 with a 10-way classifier instead of 1000: 512*10+10 instead of 512*1000+1000.
        assertEquals(11_689_512 - 513_000 + 5_130, params(im.space()));
        // What VEGA 0.9 does differently (no identity shortcut) and what the file does not say (its input size).
        assertEquals(2, im.notMapped().size(), im.notMapped()::toString);
        assertTrue(im.notMapped().get(0).message().contains("identity shortcut"), im.notMapped()::toString);
        assertTrue(im.notMapped().get(1).message().contains("assumed 3x224x224"), im.notMapped()::toString);
        // Imported, not our schema: saving goes elsewhere; our own YAML of it reads back as our schema.
        assertFalse(im.ownSchema());
        assertTrue(read(io.cellforge.io.SpaceYaml.write(im.space())).ownSchema());
    }

    @Test
    void vegaFineGrainedResNet50FromBlocks() throws Exception {
        Imported im = read("""
                search_space:
                  type: FineGrainedSpace
                  modules: ['init', 'bottlelayer', 'pooling', 'view', 'linear']
                  init:
                    type: InitialBlock
                    init_plane: 64
                  bottlelayer:
                    type: BasicLayer
                    in_plane: 64
                    expansion: 4
                    block:
                      type: BottleneckBlock
                    layer_reps: [3, 4, 6, 3]
                  pooling:
                    type: AdaptiveAvgPool2d
                    output_size: !!python/tuple [1, 1]
                  view:
                    type: View
                  linear:
                    type: Linear
                    in_features: 2048
                    out_features: 10
                """);
        assertEquals(25_557_032 - 2_049_000 + 20_490, params(im.space()));
    }

    @Test
    void vegaResNetVariantHyperParametersBecomeValueChoices() throws Exception {
        Imported im = read("""
                search_space:
                  type: FineGrainedSpace
                  hyper_parameters:
                    resnet18.doublechannel: [0, 0, 1, 0, 1, 0, 1, 0]
                    resnet18.downsample: [0, 0, 1, 0, 1, 0, 1, 0]
                  modules: ['resnet18']
                  resnet18:
                    type: ResNetVariant
                    base_depth: 18
                    base_channel: 64
                    doublechannel: [0, 0, 1, 0, 1, 0, 1, 0]
                    downsample: [0, 0, 1, 0, 1, 0, 1, 0]
                """);
        assertEquals(16, im.space().values().size());
        assertTrue(im.space().values().containsKey("resnet18.doublechannel.2"));
    }

    @Test
    void vegaQuantizationIsReportedAsNotMappedWithItsLine() throws Exception {
        Imported im = read("""
                search_space:
                  type: FineGrainedSpace
                  modules: ['resnet', 'process']
                  resnet:
                    type: ResNet
                    depth: 20
                    block:
                      type: BasicBlock
                    init_plane: 16
                    out_plane: 64
                    num_reps: 9
                    items:
                      inchannel: [16, 16, 16, 16, 32, 32, 32, 64, 64]
                      outchannel: [16, 16, 16, 32, 32, 32, 64, 64, 64]
                      stride: [1, 1, 1, 2, 1, 1, 2, 1, 1]
                  process:
                    type: Quant
                    nbit_w_list: [8, 4, 8, 4]
                    nbit_a_list: [8, 4, 4, 8]
                """);
        assertEquals(9, im.space().network().stages().size());
        Problem p = im.notMapped().stream().filter(q -> q.place().equals("process")).findFirst().orElseThrow();
        assertEquals("seed.yaml:17:5", p.source());
        assertTrue(p.message().contains("Quant"), p.message());
    }

    @Test
    void modularNasMobileNetV2SpaceWithBinGate() throws Exception {
        Imported im = read("""
                search_space:
                  type: SearchSpace
                  modules: ['custom']
                  custom:
                    type: ModNasArchSpace
                    model:
                      type: CIFAR_MobileNetV2_GPU
                    construct:
                      mixed_op:
                        type: BinGate
                        primitives:
                          - MB3E3
                          - MB3E6
                          - MB5E3
                          - MB5E6
                          - MB7E3
                          - MB7E6
                search_algorithm:
                  type: ModNasAlgorithm
                  optim:
                    type: BinaryGateOptim
                """);
        SearchSpace s = im.space();
        assertEquals("BinGate", s.meta().get("modnas.mixed_op"));
        long slots = s.mutablesByKey().values().stream().filter(m -> m instanceof LayerChoice).count();
        // A mixed op over every Slot, as DefaultMixedOpConstructor converts them: the _GPU table has 22.
        assertEquals(22, slots);
        assertTrue(im.notMapped().stream().anyMatch(p -> p.place().equals("search_algorithm")));
    }

    @Test
    void modularNasUnknownPrimitiveIsAnErrorAtItsLine() {
        LoadException e = assertThrows(LoadException.class, () -> read("""
                model:
                  type: ImageNet_MobileNetV2
                mixed_op:
                  type: WeightedSum
                  primitives: [MB3E3, MB9E9]
                """));
        assertTrue(e.getMessage().startsWith("seed.yaml:5:"), e.getMessage());
        assertTrue(e.getMessage().contains("primitive 'MB9E9' is not read"), e.getMessage());
    }

    @Test
    void modularNasArchDescIsReadAsAnArchitecture() throws Exception {
        StringBuilder desc = new StringBuilder();
        for (int i = 0; i < 17; i++) {
            desc.append("      - MB5E3\n");
        }
        Imported im = read("search_space:\n  type: SearchSpace\n  modules: [custom]\n  custom:\n    type: ModNasArchSpace\n"
                + "    model:\n      type: ImageNet_MobileNetV2\n    arch_desc:\n" + desc);
        // An arch_desc builds the network (DefaultSlotArchDescConstructor): one primitive on each of the 17 Slots.
        assertTrue(im.space().mutablesByKey().isEmpty());
        assertEquals(17, im.space().network().stages().size());
        assertTrue(Evaluator.evaluate(im.space(), io.cellforge.arch.Architecture.empty()).ok());
    }
}
