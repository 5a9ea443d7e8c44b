package io.cellforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.arch.Architecture;
import io.cellforge.data.DataBundle;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.Escape;
import io.cellforge.io.ArchFormats;
import io.cellforge.io.Imported;
import io.cellforge.model.ModelFile;
import io.cellforge.model.TrainedModel;
import io.cellforge.plan.PlanException;
import io.cellforge.search.SearchEvents;
import io.cellforge.search.SearchControl;
import io.cellforge.space.SearchSpace;
import io.cellforge.train.Retrain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "retrain", mixinStandardHelpOptions = true, description = {"Train the network an architecture chooses from scratch and report its test accuracy.",
        "ARCH is any architecture file (its space is found by name, beside it, or given with --space/--zoo);",
        "with --init MODEL it may be left out: the model's own network is trained further."})
final class RetrainCommand implements Callable<Integer> {
    @Parameters(paramLabel = "ARCH", arity = "0..1")
    Path arch;
    @Option(names = "--save", paramLabel = "MODEL", description = "keep the trained network as a model file (a .zip: weights, "
            + "BatchNorm statistics, space, architecture, normalisation; see docs/model-format.md), for evaluate, export-onnx and --init")
    Path save;
    @Option(names = "--init", paramLabel = "MODEL", description = "continue training a saved model (its weights, statistics and normalisation)")
    Path init;
    @Option(names = "--space", paramLabel = "FILE")
    Path space;
    @Option(names = "--zoo", paramLabel = "NAME")
    String zoo;
    @Option(names = "--data", defaultValue = "digits", description = "default ${DEFAULT-VALUE}")
    String data;
    @Option(names = "--epochs", defaultValue = "20", description = "default ${DEFAULT-VALUE}")
    int epochs;
    @Option(names = "--batch", defaultValue = "64", description = "default ${DEFAULT-VALUE}")
    int batch;
    @Option(names = "--lr", defaultValue = "0.025", description = "default ${DEFAULT-VALUE}, cosine to 0")
    double lr;
    @Option(names = "--seed", defaultValue = "1")
    long seed;
    @Option(names = "--drop-path", defaultValue = "0", paramLabel = "P",
            description = "drop-path probability at the last epoch, rising linearly from 0 (DARTS on CIFAR-10: 0.2; default ${DEFAULT-VALUE})")
    double dropPath;
    @Option(names = "--json", description = "print one JSON object with test_accuracy (a fraction) and params")
    boolean json;
    @Option(names = "--strict-shape", description = "refuse data whose shape or classes differ from the space's, instead of adapting the network's input and classes to them")
    boolean strictShape;

    @picocli.CommandLine.Mixin
    AugmentOptions augmentation;
    @picocli.CommandLine.Mixin
    SubsetOptions subset;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (epochs < 1 || batch < 1) {
            throw new Main.UserError("--epochs and --batch must be at least 1");
        }
        if (!(dropPath >= 0 && dropPath < 1)) { // NaN fails too
            throw new Main.UserError("--drop-path must be at least 0 and below 1");
        }
        if (!(lr > 0 && lr < Double.POSITIVE_INFINITY)) {
            throw new Main.UserError("--lr must be a positive number");
        }
        io.cellforge.settings.Augment augment = augmentation.augment();
        PrintWriter err = spec.commandLine().getErr();
        if (arch == null && init == null) {
            throw new Main.UserError("name an architecture file (ARCH), or a saved model with --init");
        }
        io.cellforge.io.SourceMap sources = io.cellforge.io.SourceMap.empty();
        Architecture a = null;
        SearchSpace s;
        SearchSpace named = null;
        if (arch != null) {
            String text = Inputs.text(arch);
            ArchFormat f = ArchFormat.byFileName(arch).filter(x -> x != ArchFormat.YAML).orElse(ArchFormats.sniff(text));
            Imported context = Inputs.contextOf(f, text, arch, space, zoo);
            sources = context.sources();
            named = context.space();
            a = Inputs.arch(f, text, arch, named, err);
        }
        TrainedModel start = init == null ? null : EvaluateCommand.load(init);
        if (save != null) {
            try { // before the training, not after it
                io.cellforge.io.FileWrites.checkWritableFolder(save.toAbsolutePath().getParent());
            } catch (java.io.IOException e) {
                throw new Main.UserError("--save " + save + ": " + e.getMessage());
            }
        }
        DataBundle bundle = subset.apply(Inputs.data(data), seed);
        if (bundle.sample().partial()) {
            err.println("data: " + bundle.sample().line());
        }
        java.util.Optional<float[][]> recorded = java.util.Optional.empty();
        if (arch == null) {
            a = start.arch(); // the model's own network, trained further
            EvaluateCommand.requireFits(init, start, bundle, data);
            s = start.space();
        } else {
            s = DataFit.fit(named, bundle, strictShape, err);
            // An architecture in a search's run folder is fed as the search fed it (and as its export will be);
            // a continued model as it was trained.
            recorded = start != null || arch.toAbsolutePath().getParent() == null ? java.util.Optional.empty()
                    : io.cellforge.data.DataReport.recordedNormalisation(arch.toAbsolutePath().getParent(), data, bundle.train().shape().channels());
            recorded.ifPresent(n -> err.println(Escape.line("normalise: as the search (" + arch.toAbsolutePath().getParent().resolve(
                    io.cellforge.data.DataReport.FILE) + "): " + io.cellforge.data.DataReport.describe(n))));
        }
        if (start != null) {
            err.println(Escape.line("init: " + init + " (test accuracy " + String.format(java.util.Locale.ROOT, "%.4f", start.testAccuracy())
                    + " when saved); normalise as it was trained: " + io.cellforge.data.DataReport.describe(start.normalisation())));
        }
        SearchControl control = new SearchControl();
        // The interrupt guard closes last: Ctrl+C waits until the result below is printed.
        try (var interrupt = new Inputs.StopOnInterrupt(control)) {
            Retrain.Result r;
            try {
                Progress progress = new Progress(err, ProgressLine.onStderr(err));
                r = Retrain.run(s, a, bundle, Retrain.Config.darts(epochs, batch, seed).withLr(lr)
                        .withAugment(augment).withDropPath(dropPath).withNormalisation(recorded.orElse(null)).withInit(start),
                        progress::epoch, progress::step, control);
            } catch (PlanException e) {
                throw Inputs.planError(e, sources, space == null ? "" : space.toString());
            } catch (IllegalArgumentException e) {
                if (start == null) {
                    throw e;
                }
                throw new Main.UserError(init + ": " + e.getMessage());
            }
            if (save != null) {
                if (r.model() == null) {
                    err.println(Escape.line("not saved to " + save + ": the retraining was stopped before its last epoch"));
                } else {
                    try {
                        ModelFile.write(save, r.model());
                    } catch (java.io.IOException e) {
                        throw new Main.UserError(save + ": cannot write the model: " + io.cellforge.io.FileWrites.reason(e));
                    }
                    err.println(Escape.line("saved: " + save));
                }
            }
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("test_accuracy", r.testAccuracy());
                o.put("params", r.params());
                o.put("epochs", r.epochs().size());
                o.put("completed", r.completed());
                o.put("backend", r.backend());
                o.put("data", new io.cellforge.data.DataReport(data, bundle, r.normalisation()).toJson());
                spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(o));
            } else {
                spec.commandLine().getOut().printf("test accuracy %.4f (%d images), %,d parameters%n", r.testAccuracy(),
                        bundle.test().size(), r.params());
            }
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    /** The search's progress for retraining: a bar and ETA (a line every 30 s off a terminal), a line per epoch. */
    static final class Progress {
        private final PrintWriter err;
        private final ProgressLine line;

        /** The clock starts here, before the network is compiled: a second or two of an ETA of minutes. */
        Progress(PrintWriter err, ProgressLine line) {
            this.err = err;
            this.line = line;
            line.start();
        }

        void step(Retrain.Step s) {
            line.step(s.epoch(), s.epochs(), s.step(), s.steps(),
                    String.format(java.util.Locale.ROOT, "loss %.3f  acc %.2f", s.trainLoss(), s.trainAccuracy()), s.imagesPerSecond());
        }

        void epoch(Retrain.Epoch e) {
            err.printf("%sepoch %d/%d  train loss %.3f acc %.3f  test acc %.4f  %.0f s  ETA %s%n", line.clearBar(), e.epoch() + 1,
                    e.epochs(), e.trainLoss(), e.trainAccuracy(), e.testAccuracy(), e.seconds(),
                    SearchEvents.duration(line.eta(e.epoch() + 1, e.epochs())));
            err.flush();
        }
    }
}
