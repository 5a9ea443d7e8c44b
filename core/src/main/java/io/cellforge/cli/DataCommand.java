package io.cellforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.data.DataBundle;
import io.cellforge.data.DataReport;
import io.cellforge.io.Escape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

@Command(name = "data", mixinStandardHelpOptions = true, description = {"Show what Cellforge sees in a data set, before any search:",
        "format, image shape, classes with their counts, training and test sizes, the memory it takes and its normalisation.",
        "DATA: digits, strokes (16x16, a 4-value context a sample), an IDX folder (MNIST, Fashion-MNIST), a CIFAR-10/100",
        "binary folder, an image folder or a CSV file. IDX and CSV may add a context vector a sample (see the README)."})
final class DataCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DATA")
    String data;
    @Option(names = "--seed", defaultValue = "1", description = "the seed of --subset and --test-subset (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--json", description = "print one JSON object (what a run folder keeps as data.json)")
    boolean json;
    @Mixin
    SubsetOptions subset;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DataBundle bundle = subset.apply(Inputs.data(data), seed);
        DataReport report = DataReport.of(data, bundle);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(report.toJson()));
        } else {
            report.lines().forEach(l -> out.println(Escape.line(l)));
        }
        out.flush();
        return 0;
    }
}
