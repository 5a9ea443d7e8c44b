package io.cellforge.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.data.Dataset;
import io.cellforge.data.Datasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** retrain --save, evaluate, retrain --init and export-onnx on the command line, on the bundled digits. */
class ModelCliTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSavedModelEvaluatesToItsRetrainingsAccuracyAndExportsToAnOnnxGraphThatAgrees(@TempDir Path dir) throws Exception {
        Path arch = CliTest.tinyArchitecture(dir);
        Path model = dir.resolve("tiny.zip");
        CliTest.Run r = run("retrain", arch.toString(), "--epochs", "1", "--lr", "0.1", "--save", model.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        double trained = JSON.readTree(r.out()).get("test_accuracy").asDouble();
        assertTrue(r.err().contains("saved: " + model), r.err());

        CliTest.Run e = run("evaluate", model.toString(), "--data", "digits", "--json");
        assertEquals(0, e.code(), e.err());
        JsonNode j = JSON.readTree(e.out());
        assertEquals(trained, j.get("test_accuracy").asDouble(), 0.0, "the reloaded model is the trained one");
        assertEquals(trained, j.get("saved_test_accuracy").asDouble(), 0.0);

        Path onnx = dir.resolve("tiny.onnx");
        CliTest.Run x = run("export-onnx", model.toString(), onnx.toString());
        assertEquals(0, x.code(), x.err());
        assertTrue(x.err().contains("input 'pixels' N x 1 x 8 x 8 raw pixels in [0, 1]"), x.err());
        // Logits agree to 1e-5: at most a near tie may fall the other way on another CPU, one image of 359.
        assertEquals(trained, onnxAccuracy(onnx, Datasets.digits().test()), 1.0 / Datasets.digits().test().size() + 1e-12,
                "ONNX Runtime classifies the test images alike");

        CliTest.Run more = run("retrain", "--init", model.toString(), "--epochs", "1", "--lr", "0.01", "--json");
        assertEquals(0, more.code(), more.err());
        assertTrue(more.err().contains("init: " + model), more.err());
        assertTrue(JSON.readTree(more.out()).get("test_accuracy").asDouble() >= trained - 0.05, "continues from the saved weights: " + more.out());
    }

    @Test
    void brokenModelsAndMisfitsAreOneLineNamingTheFileAndTheTensor(@TempDir Path dir) throws Exception {
        CliTest.Run missing = run("evaluate", dir.resolve("none.zip").toString());
        assertEquals(1, missing.code());
        assertEquals("cellforge: " + dir.resolve("none.zip") + ": no such file", missing.err().strip());

        CliTest.Run noModel = run("export-onnx", dir.toString(), dir.resolve("x.onnx").toString());
        assertEquals(1, noModel.code());
        assertTrue(noModel.err().strip().endsWith("holds no retrained model (model.zip); retrain with --save " + dir.resolve("model.zip")
                + " first"), noModel.err());

        Path arch = CliTest.tinyArchitecture(dir);
        Path model = dir.resolve("model.zip");
        assertEquals(0, run("retrain", arch.toString(), "--epochs", "1", "--save", model.toString()).code());
        // a run folder holding its model exports
        assertEquals(0, run("export-onnx", dir.toString(), dir.resolve("run.onnx").toString()).code());

        // images of another size than the model takes
        Path csv = DataFitCliTest.csv(dir, 24, 28, 10);
        CliTest.Run misfit = run("evaluate", model.toString(), "--data", csv.toString());
        assertEquals(1, misfit.code());
        assertEquals("cellforge: " + model + ": the model takes 1x8x8 images, the data '" + csv + "' has 1x28x28", misfit.err().strip());

        Path cut = dir.resolve("cut.zip");
        String tensor = rewrite(model, cut, "tensors/conv_w_", b -> java.util.Arrays.copyOf(b, b.length - 4));
        CliTest.Run c = run("evaluate", cut.toString());
        assertEquals(1, c.code());
        assertTrue(c.err().startsWith("cellforge: " + cut + "!" + tensor + ": holds "), c.err());
        assertTrue(c.err().contains("(a tensor of the wrong size)"), c.err());
        assertEquals(1, c.err().strip().lines().count(), c.err());

        Path other = dir.resolve("other.arch.yaml");
        Files.writeString(other, "cellforge: 1\nkind: architecture\nspace: tiny-darts\nchoices:\n  n1_p0: max_pool_3x3\n  n1_switch: [0]\n");
        CliTest.Run wrong = run("retrain", other.toString(), "--init", model.toString(), "--epochs", "1");
        assertEquals(1, wrong.code());
        String last = wrong.err().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("cellforge: " + model + ": the model to continue from is not this network: tensor '"), wrong.err());
    }

    @Test
    void aDynamicModelEvaluatesOnDataWithItsContextAndRefusesDataWithout(@TempDir Path dir) throws Exception {
        Path arch = dir.resolve("dyn.arch.yaml");
        Files.writeString(arch, "cellforge: 1\nkind: architecture\nspace: dynamic-strokes\nchoices:\n  n1_p0: dyn_sep_conv_3x3\n"
                + "  n2_p0: skip_connect\n  n2_p1: skip_connect\n");
        Path model = dir.resolve("dyn.zip");
        CliTest.Run r = run("retrain", arch.toString(), "--zoo", "dynamic-strokes", "--data", "strokes", "--subset", "200",
                "--epochs", "1", "--save", model.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        double trained = JSON.readTree(r.out()).path("test_accuracy").asDouble();
        CliTest.Run e = run("evaluate", model.toString(), "--data", "strokes", "--json");
        assertEquals(0, e.code(), e.err());
        assertEquals(trained, JSON.readTree(e.out()).path("test_accuracy").asDouble(), 1e-9);
        // the same shape and classes, no context
        Path csv = DataFitCliTest.csv(dir, 24, 16, 2);
        CliTest.Run plain = run("evaluate", model.toString(), "--data", csv.toString());
        assertEquals(1, plain.code());
        assertEquals("cellforge: " + model + ": the model's weight generators read 4 context values a sample, the data '" + csv
                + "' have none", plain.err().strip());
        CliTest.Run onnx = run("export-onnx", model.toString(), dir.resolve("dyn.onnx").toString());
        assertEquals(1, onnx.code());
        assertTrue(onnx.err().contains("ONNX's Conv takes one kernel for the whole batch"), onnx.err());
        assertTrue(Files.notExists(dir.resolve("dyn.onnx")));
    }

    /** A copy of the zip with the first entry whose name starts with {@code prefix} changed; returns its name. */
    static String rewrite(Path from, Path to, String prefix, java.util.function.UnaryOperator<byte[]> change) throws Exception {
        String changed = null;
        try (ZipFile z = new ZipFile(from.toFile()); OutputStream o = Files.newOutputStream(to); ZipOutputStream out = new ZipOutputStream(o)) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                byte[] b = z.getInputStream(e).readAllBytes();
                if (changed == null && e.getName().startsWith(prefix)) {
                    changed = e.getName();
                    b = change.apply(b);
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(b);
                out.closeEntry();
            }
        }
        return changed;
    }

    /** The share of {@code d}'s images ONNX Runtime classifies right, fed raw pixels in [0, 1]. */
    static double onnxAccuracy(Path onnx, Dataset d) throws Exception {
        int per = (int) d.shape().size();
        float[] x = new float[d.size() * per];
        for (int i = 0; i < x.length; i++) {
            x[i] = d.value(i);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {d.size(), d.shape().channels(), d.shape().height(),
                     d.shape().width()});
             OrtSession.Result r = s.run(Map.of("pixels", t))) {
            float[][] logits = (float[][]) r.get("logits").orElseThrow().getValue();
            int ok = 0;
            for (int i = 0; i < logits.length; i++) {
                int best = 0;
                for (int c = 1; c < logits[i].length; c++) {
                    best = logits[i][c] > logits[i][best] ? c : best;
                }
                ok += best == d.labels()[i] ? 1 : 0;
            }
            return (double) ok / d.size();
        }
    }
}
