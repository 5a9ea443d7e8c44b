package io.cellforge.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** The options of `search` that only a multi-trial strategy (random, grid, evolution, rea, reinforce, tpe) reads. */
final class TrialOptions {
    @Option(names = "--estimator", paramLabel = "NAME", description = {"multi-trial: how a trial is scored: table (default; --table),",
            "subnet (each child trained --epochs on --data, validated on a fifth of its training images),",
            "supernet (a SPOS supernet trained --epochs once, each child scored by its path),",
            "ps (an elastic MobileNetV2, e.g. --zoo ofa-mini, trained once by progressive shrinking, each child scored by its slice)"})
    String estimator;
    @Option(names = "--ps-epochs", paramLabel = "N", description = "multi-trial, ps: epochs of each of the four phases (default --epochs)")
    Integer psEpochs;
    @Option(names = "--latency", description = {"multi-trial: also score latency (ms) measured here: each distinct layer timed once,",
            "cached in --latency-cache (default: the run folder)"})
    boolean latency;
    @Option(names = "--latency-cache", paramLabel = "DIR", description = "multi-trial: the folder of the latency table's cache")
    Path latencyCache;
    @Option(names = "--table", paramLabel = "FILE", description = "multi-trial, table: a CSV of architecture strings and their scores")
    Path table;
    @Option(names = "--arch-column", paramLabel = "NAME", defaultValue = "ArchitectureString",
            description = "multi-trial, table: the column of architecture strings (default ${DEFAULT-VALUE})")
    String archColumn;
    @Option(names = "--score-column", paramLabel = "NAME", split = ",",
            description = "multi-trial, table: score columns; the first is the accuracy (percentages become fractions)")
    List<String> scoreColumns;
    @Option(names = "--budget", paramLabel = "N", description = "multi-trial: the number of trials (default 100)")
    Integer budget;
    @Option(names = "--constraint", paramLabel = "SCORE<=X", description = "multi-trial: e.g. macs<=2e8, params<=1e6 (repeatable)")
    List<String> constraints;
    @Option(names = "--penalty", description = "multi-trial: constraints as a penalty on the objective instead of a filter")
    boolean penalty;
    @Option(names = "--objectives", paramLabel = "A,B", split = ",",
            description = "multi-trial: the objective (default accuracy) and a second one for a Pareto front, e.g. accuracy,params")
    List<String> objectives;
    @Option(names = "--parallel", paramLabel = "N", description = "multi-trial: trials run at once (default 1)")
    Integer parallel;
    @Option(names = "--cluster", paramLabel = "URL", description = {"multi-trial, subnet: run the trials on an Apache Spark cluster,",
            "e.g. spark://host:7077, or local[4] embedded here (needs the cluster module: mvn -Pspark)"})
    String cluster;
}
