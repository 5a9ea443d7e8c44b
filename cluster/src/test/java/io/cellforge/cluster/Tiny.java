package io.cellforge.cluster;

import io.cellforge.ops.Shape;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Network;
import io.cellforge.space.Node;
import io.cellforge.space.OpCall;
import io.cellforge.space.Preprocess;
import io.cellforge.space.Reduction;
import io.cellforge.space.Role;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;

import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.io.LoadException;
import io.cellforge.search.SearchControl;
import io.cellforge.search.SearchEvents;
import io.cellforge.train.Retrain;
import io.cellforge.trial.DecisionSpace;
import io.cellforge.trial.Estimator;
import io.cellforge.trial.Objective;
import io.cellforge.trial.Scores;
import io.cellforge.trial.Strategies;
import io.cellforge.trial.SubNetEstimator;
import io.cellforge.trial.Trial;
import io.cellforge.trial.TrialRun;
import io.cellforge.trial.TrialRunner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The space of the cluster's tests: 8 architectures, each trained in about a second on the digits. */
final class Tiny {
    static final int BUDGET = 8;
    static final long SEED = 5;
    private static DataBundle digits;

    private Tiny() {
    }

    static synchronized DataBundle digits() throws LoadException {
        if (digits == null) {
            digits = Datasets.digits().sampled(300, 100, 1);
        }
        return digits;
    }

    static Retrain.Config config() {
        return Retrain.Config.darts(1, 32, SEED);
    }

    /** The subnet estimator a local run uses, one OpenMP thread a trial as on the executors. */
    static SubNetEstimator local() throws LoadException {
        return new SubNetEstimator(space(), digits(), config(), 0.8, Runtime.getRuntime().availableProcessors(), null, new SearchControl());
    }

    static SubNetJob job() throws LoadException {
        return SubNetJob.of(space(), digits(), config(), 0.8);
    }

    /** A grid search of {@code budget} trials, two at a time, each trial sunk as it ends. */
    static TrialRun grid(TrialRunner runner, int budget, TrialRunner.Sink sink) throws Exception {
        return grid(runner, budget, sink, () -> false);
    }

    /** The same, asked {@code stop} between rounds. */
    static TrialRun grid(TrialRunner runner, int budget, TrialRunner.Sink sink, java.util.function.BooleanSupplier stop) throws Exception {
        Objective o = Objective.of(Scores.ACCURACY);
        return runner.run(Strategies.create("grid", DecisionSpace.of(space()), o, SEED), local(), o, budget, SEED, List.of(), sink,
                new SearchEvents.Listener() { }, stop);
    }

    /** One cell of two nodes on the 8x8 digits, two ops an edge (core's TinySpace, smaller). */
    static SearchSpace space() {
        List<String> ops = List.of("max_pool_3x3", "sep_conv_3x3");
        List<Node> nodes = List.of(Node.input("in0"),
                Node.intermediate("n1"),
                Node.intermediate("n2").withInputChoice(new InputChoice("n2_switch", 1, Reduction.SUM, false)),
                Node.output("out", Reduction.CONCAT));
        List<Edge> edges = new ArrayList<>();
        edges.add(Edge.of("in0", "n1", LayerChoice.of("n1_p0", ops)));
        edges.add(Edge.of("in0", "n2", OpCall.of("skip_connect")));
        edges.add(Edge.of("n1", "n2", LayerChoice.of("n2_p1", ops)));
        edges.add(Edge.of("n1", "out", OpCall.of("identity")));
        edges.add(Edge.of("n2", "out", OpCall.of("identity")));
        Cell c = new Cell("cell", nodes, edges, Preprocess.DARTS);
        Network net = new Network(new Shape(1, 8, 8), 10, 8, List.of(List.of(OpCall.of("conv", "out", 8), OpCall.of("bn", "affine", 1))),
                List.of(Stage.cell("cell", "cell", Role.NORMAL)), List.of(OpCall.of("relu"), OpCall.of("gap"), OpCall.of("linear")), null, false);
        return new SearchSpace("tiny", "", net, Map.of("cell", c), Map.of(), Map.of(), Map.of());
    }

}
