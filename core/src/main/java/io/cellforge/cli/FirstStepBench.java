package io.cellforge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.analysis.Evaluator;
import io.cellforge.engine.Backend;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.ops.OpCatalog;
import io.cellforge.ops.Shape;
import io.cellforge.zoo.Zoo;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code bench first-step} and {@code bench compare}: the loss and every gradient of one training pass of the DARTS
 * supernet (the darts-step network) at a fixed seed on a fixed synthetic batch, written by one build and compared
 * with another's, so that the CUDA build can be checked against the CPU build. The batch is drawn with Java's
 * generator, not ND4J's, so that it is the same whatever the backend.
 */
final class FirstStepBench {
    static final long SEED = 1;
    /** Values of each gradient kept, from its start in C order. */
    static final int FIRST = 16;

    private FirstStepBench() {
    }

    /** One pass (weights and alpha gradients) at batch {@code batch}; the JSON object to write. */
    static Map<String, Object> run(int batch) throws io.cellforge.plan.PlanException {
        String backend = Backend.init();
        var space = Zoo.dartsSearch(16, 8, 10, new Shape(3, 32, 32), OpCatalog.DARTS_PRIMITIVES);
        CompiledNetwork net = new CompiledNetwork(Evaluator.supernetPlan(space), CompiledNetwork.Options.darts(SEED));
        Random r = new Random(SEED);
        float[] pixels = new float[batch * 3 * 32 * 32];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) r.nextGaussian();
        }
        INDArray x = Nd4j.create(pixels, new long[] {batch, 3, 32, 32}, DataType.FLOAT);
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, 10);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, (i * 7 + 1) % 10, 1.0);
        }
        var result = net.train(x, y, io.cellforge.engine.relax.Gates.NONE, EnumSet.of(CompiledNetwork.Grad.WEIGHTS, CompiledNetwork.Grad.ARCH));
        Map<String, Object> grads = new TreeMap<>();
        result.gradients().forEach((name, g) -> {
            double[] v = g.reshape(g.length()).toDoubleVector();
            double[] first = new double[Math.min(FIRST, v.length)];
            System.arraycopy(v, 0, first, 0, first.length);
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("norm", g.norm2Number().doubleValue());
            o.put("abs_sum", g.norm1Number().doubleValue());
            o.put("first", first);
            grads.put(name, o);
        });
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("benchmark", "first-step");
        o.put("batch", batch);
        o.put("seed", SEED);
        o.put("backend", backend);
        o.put("loss", result.loss());
        o.put("gradients", grads);
        return o;
    }

    static void write(int batch, Path out) throws io.cellforge.plan.PlanException {
        Map<String, Object> o = run(batch);
        try {
            Files.writeString(out, new ObjectMapper().writeValueAsString(o) + "\n");
        } catch (IOException e) {
            throw new Main.UserError(out + ": cannot be written (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Prints one line per value of {@code b} farther than {@code rtol} from {@code a}'s (a gradient missing on either
     * side counts as one) and returns how many there were. Loss, norms and absolute sums are compared relative to
     * the larger of the two; the first values of a gradient relative to the largest of them, so that a value near
     * zero is not held to its own tiny scale.
     */
    static int compare(Path a, Path b, double rtol, PrintWriter out) {
        JsonNode ja = read(a);
        JsonNode jb = read(b);
        List<String> bad = new ArrayList<>();
        check(bad, "loss", ja.path("loss").asDouble(Double.NaN), jb.path("loss").asDouble(Double.NaN), Math.max(Math.abs(ja.path("loss")
                .asDouble()), Math.abs(jb.path("loss").asDouble())), rtol);
        TreeSet<String> names = new TreeSet<>();
        ja.path("gradients").fieldNames().forEachRemaining(names::add);
        jb.path("gradients").fieldNames().forEachRemaining(names::add);
        int values = 1;
        for (String n : names) {
            JsonNode ga = ja.path("gradients").get(n);
            JsonNode gb = jb.path("gradients").get(n);
            if (ga == null || gb == null) {
                bad.add(n + ": only in " + (ga == null ? b : a));
                continue;
            }
            for (String k : new String[] {"norm", "abs_sum"}) {
                double va = ga.path(k).asDouble(Double.NaN);
                double vb = gb.path(k).asDouble(Double.NaN);
                check(bad, n + " " + k, va, vb, Math.max(Math.abs(va), Math.abs(vb)), rtol);
                values++;
            }
            JsonNode fa = ga.path("first");
            JsonNode fb = gb.path("first");
            if (fa.size() != fb.size()) {
                bad.add(n + ": " + fa.size() + " first values against " + fb.size());
                continue;
            }
            double scale = 0;
            for (int i = 0; i < fa.size(); i++) {
                scale = Math.max(scale, Math.max(Math.abs(fa.get(i).asDouble()), Math.abs(fb.get(i).asDouble())));
            }
            for (int i = 0; i < fa.size(); i++) {
                check(bad, n + "[" + i + "]", fa.get(i).asDouble(Double.NaN), fb.get(i).asDouble(Double.NaN), scale, rtol);
                values++;
            }
        }
        bad.forEach(out::println);
        out.println(bad.isEmpty()
                ? "first-step: " + values + " values of " + names.size() + " gradients and the loss agree to " + rtol + " relative"
                : "first-step: " + bad.size() + " of " + values + " values differ by more than " + rtol + " relative");
        out.flush();
        return bad.size();
    }

    private static void check(List<String> bad, String what, double a, double b, double scale, double rtol) {
        double diff = Math.abs(a - b);
        // NaN on either side fails: the comparison below is false for it
        if (!(diff <= rtol * scale)) {
            bad.add(String.format("%s: %.9g against %.9g (difference %.3g, %.3g relative)", what, a, b, diff,
                    scale > 0 ? diff / scale : Double.NaN));
        }
    }

    private static JsonNode read(Path p) {
        try {
            JsonNode j = new ObjectMapper().readTree(Files.readString(p));
            if (j == null || !j.path("benchmark").asText().equals("first-step") || !j.path("gradients").isObject()) {
                throw new Main.UserError(p + ": not the output of `bench first-step`");
            }
            for (Iterator<String> it = j.path("gradients").fieldNames(); it.hasNext(); ) {
                String n = it.next();
                if (!j.path("gradients").path(n).path("first").isArray()) {
                    throw new Main.UserError(p + ": gradient " + n + " has no list of first values");
                }
            }
            return j;
        } catch (NoSuchFileException e) {
            throw new Main.UserError(p + ": no such file");
        } catch (IOException e) {
            throw new Main.UserError(p + ": " + e.getMessage().lines().findFirst().orElse("cannot be read"));
        }
    }
}
