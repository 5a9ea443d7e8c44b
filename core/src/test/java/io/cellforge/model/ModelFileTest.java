package io.cellforge.model;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.engine.Batches;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.relax.Gates;
import io.cellforge.io.LoadException;
import io.cellforge.io.SpaceYaml;
import io.cellforge.space.SearchSpace;
import io.cellforge.train.Retrain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFileTest {
    @Test
    void aModelComesBackBitForBitAndItsTensorsAreNumPyFiles(@TempDir Path dir) throws Exception {
        SearchSpace s = Retrain.finalNetwork(SpaceYaml.read(io.cellforge.TestResources.text("/tiny-darts.yaml"), "tiny").space());
        Architecture a = new Architecture(Map.of("n1_p0", new Decision.Op("sep_conv_3x3"), "n1_switch", new Decision.Inputs(List.of(0))));
        CompiledNetwork net = new CompiledNetwork(Evaluator.fixedPlan(s, a), CompiledNetwork.Options.retrain(3));
        DataBundle d = Datasets.digits();
        Batches b = new Batches(d.train(), d.train().channelStats(), 32, 10, 1);
        Batches.Batch batch = b.next();
        net.train(batch.x(), batch.y(), Gates.NONE, EnumSet.of(CompiledNetwork.Grad.WEIGHTS)); // running statistics move
        TrainedModel m = TrainedModel.of(s, a, net, d.train().classNames(), d.train().channelStats(), 0.5, 32);
        assertTrue(m.tensors().keySet().containsAll(List.of(CompiledNetwork.runningMeanName(0), CompiledNetwork.runningVarName(0))));

        Path f = dir.resolve("m.zip");
        ModelFile.write(f, m);
        TrainedModel back = ModelFile.read(f);
        assertEquals(m.tensors().keySet(), back.tensors().keySet());
        m.tensors().forEach((k, t) -> {
            assertArrayEquals(t.shape(), back.tensors().get(k).shape(), k);
            assertArrayEquals(t.values(), back.tensors().get(k).values(), k);
        });
        assertEquals(m.arch(), back.arch());
        assertEquals(m.input(), back.input());
        assertEquals(0.5, back.testAccuracy());
        assertArrayEquals(m.normalisation()[1], back.normalisation()[1]);
        // The reloaded network answers as the trained one.
        Batches.Batch test = b.make(d.test(), new int[] {0, 1, 2, 3});
        assertEquals(0, net.evaluate(test.x(), test.y(), Gates.NONE).logits().dup()
                .sub(back.network().evaluate(test.x(), test.y(), Gates.NONE).logits()).norm2Number().doubleValue(), 0.0);

        try (ZipFile z = new ZipFile(f.toFile())) {
            byte[] npy = z.getInputStream(z.getEntry("tensors/conv_w_0.npy")).readAllBytes();
            assertEquals("\u0093NUMPY", new String(npy, 0, 6, StandardCharsets.ISO_8859_1));
            int header = (npy[8] & 0xff) | (npy[9] & 0xff) << 8;
            assertEquals(0, (10 + header) % 64, "NumPy aligns the data to 64 bytes");
            assertTrue(new String(npy, 10, header, StandardCharsets.US_ASCII)
                    .startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 3, 1, "), "header");
        }
    }

    @Test
    void aFileThatIsNotAModelIsOneLine(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("x.zip"), "not a zip");
        LoadException e = assertThrows(LoadException.class, () -> ModelFile.read(f));
        assertTrue(e.getMessage().startsWith(f + ": not a Cellforge model"), e.getMessage());
    }
}
