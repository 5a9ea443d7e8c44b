package io.cellforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.data.DataBundle;
import io.cellforge.engine.Backend;
import io.cellforge.engine.Batches;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.io.LoadException;
import io.cellforge.model.ModelFile;
import io.cellforge.model.TrainedModel;
import io.cellforge.plan.PlanException;
import io.cellforge.train.Retrain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true, description = {"Report a saved model's accuracy on the test images of a data set.",
        "MODEL is a file written by retrain --save; the images are normalised as the model was trained."})
final class EvaluateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL")
    Path model;
    @Option(names = "--data", defaultValue = "digits", description = "default ${DEFAULT-VALUE}")
    String data;
    @Option(names = "--batch", description = "images a pass (default: the batch the model's test accuracy was measured with)")
    Integer batch;
    @Option(names = "--json", description = "print one JSON object with test_accuracy (a fraction) and images")
    boolean json;
    @picocli.CommandLine.Mixin
    SubsetOptions subset;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (batch != null && batch < 1) {
            throw new Main.UserError("--batch must be at least 1");
        }
        TrainedModel m = load(model);
        DataBundle bundle = subset.apply(Inputs.data(data), 1);
        requireFits(model, m, bundle, data);
        Backend.init();
        CompiledNetwork net;
        try {
            net = m.network();
        } catch (TrainedModel.MismatchException e) {
            throw new Main.UserError(model + ": " + e.getMessage());
        } catch (PlanException e) {
            throw new Main.UserError(model + ": its space and architecture give no network: " + e.getMessage());
        }
        int b = batch != null ? batch : m.testBatch();
        Batches normaliser = new Batches(bundle.test(), m.normalisation(), Math.min(b, bundle.test().size()), m.classes().size(), 0);
        double acc = Retrain.accuracy(net, normaliser, bundle.test(), b);
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("test_accuracy", acc);
            o.put("images", bundle.test().size());
            o.put("saved_test_accuracy", m.testAccuracy());
            spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(o));
        } else {
            spec.commandLine().getOut().printf("test accuracy %.4f (%d images)%n", acc, bundle.test().size());
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    static TrainedModel load(Path file) {
        try {
            return ModelFile.read(file);
        } catch (LoadException e) {
            throw new Main.UserError(e.getMessage());
        }
    }

    /** The data's images must be the model's shape and its labels the model's classes. */
    static void requireFits(Path file, TrainedModel m, DataBundle d, String name) {
        if (!d.test().shape().equals(m.input())) {
            throw new Main.UserError(file + ": the model takes " + m.input() + " images, the data '" + name + "' has "
                    + d.test().shape());
        }
        // Fewer classes in the data is fine (as for a search); labels the network has no output for are not.
        if (d.test().classes() > m.classes().size()) {
            throw new Main.UserError(file + ": the model has " + m.classes().size() + " classes, the data '" + name + "' has "
                    + d.test().classes());
        }
        int features;
        try {
            features = m.plan().contextFeatures();
        } catch (io.cellforge.plan.PlanException e) {
            throw new Main.UserError(file + ": " + e.getMessage());
        }
        if (features > 0 && d.test().contextFeatures() != features) {
            throw new Main.UserError(file + ": the model's weight generators read " + features + " context values a sample, the data '"
                    + name + "' have " + (d.test().hasContext() ? d.test().contextFeatures() : "none"));
        }
    }
}
