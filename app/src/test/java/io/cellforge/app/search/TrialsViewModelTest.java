package io.cellforge.app.search;

import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.search.SearchControl;
import io.cellforge.space.Problem;
import io.cellforge.space.SearchSpace;
import io.cellforge.train.Retrain;
import io.cellforge.trial.LocalTrialRunner;
import io.cellforge.trial.TrialLog;
import io.cellforge.trial.TrialRunFiles;
import io.cellforge.trial.TrialRunner;
import io.cellforge.trial.TrialRunnerFactory;
import io.cellforge.trial.Constraint;
import io.cellforge.trial.DecisionSpace;
import io.cellforge.trial.Objective;
import io.cellforge.trial.Scores;
import io.cellforge.trial.Strategies;
import io.cellforge.trial.Trial;
import io.cellforge.trial.TrialStrategy;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trials of a run as the views hold them, without a window: which trial the cell canvas shows as they arrive. */
class TrialsViewModelTest {
    private final SearchSpace space = Zoo.get("darts-mini").orElseThrow();
    private final TrialStrategy proposals = Strategies.create("random", DecisionSpace.of(space), Objective.of(Scores.ACCURACY), 1);

    private Trial trial(int index, double accuracy, double params) {
        return new Trial(index, proposals.propose().orElseThrow(), new Scores(Map.of(Scores.ACCURACY, accuracy, Scores.PARAMS, params)), 1, index);
    }

    @Test
    void theCanvasFollowsTheBestFeasibleTrialSoFarUntilAPersonPicksAnother() {
        TrialsViewModel vm = new TrialsViewModel();
        vm.begin(space, new Objective(Scores.ACCURACY, List.of(Constraint.parse("params<=100")), false, 1), List.of(Scores.ACCURACY), 6);
        vm.add(List.of(trial(0, 0.9, 500)));
        assertNull(vm.selectedProperty().get(), "a trial that breaks the constraint is never the best shown");
        vm.add(List.of(trial(1, 0.5, 50), trial(2, 0.6, 60)));
        assertEquals(2, vm.selectedProperty().get().index());
        assertEquals(space.cells().keySet(), vm.selectedSpaceProperty().get().cells().keySet());
        assertFalse(vm.selectedSpaceProperty().get().cells().get("normal").edges().isEmpty());
        vm.add(List.of(trial(3, 0.7, 70)));
        assertEquals(3, vm.selectedProperty().get().index(), "a new best is shown");

        vm.select(1); // picked by a click
        vm.add(List.of(trial(4, 0.8, 80)));
        assertEquals(1, vm.selectedProperty().get().index(), "the pick stays");
        assertEquals(4, vm.best().index());
    }

    /** A cluster runner that records what it was given and runs the trials here. */
    static final class Recording implements TrialRunnerFactory {
        final List<String> masters = new ArrayList<>();
        final List<Retrain.Config> configs = new ArrayList<>();
        final List<Double> portions = new ArrayList<>();
        final List<Integer> parallels = new ArrayList<>();
        final List<java.util.function.BooleanSupplier> cancels = new ArrayList<>();

        @Override
        public TrialRunner subNet(String master, SearchSpace space, DataBundle data, Retrain.Config config, double trainPortion, int parallel,
                                  java.util.function.BooleanSupplier cancel) {
            masters.add(master);
            configs.add(config);
            portions.add(trainPortion);
            parallels.add(parallel);
            cancels.add(cancel);
            LocalTrialRunner here = new LocalTrialRunner(parallel);
            return (strategy, estimator, objective, budget, seed, logged, sink, listener, stop) -> {
                listener.warning("executor 1 lost (worker lost): its trials run again on the others");
                return here.run(strategy, estimator, objective, budget, seed, logged, sink, listener, stop);
            };
        }
    }

    private static TrialsViewModel.Checked check(TrialsViewModel vm, Path dir) {
        return vm.check("random", Zoo.get("darts-mini").orElseThrow(), 3, null, "digits", spec -> Datasets.digits(), dir.resolve("lut"));
    }

    @Test
    void aClusterIsRefusedWhereItCannotRunTheTrialsAndSaysHowToGetOne(@TempDir Path dir) {
        TrialsViewModel vm = new TrialsViewModel();
        vm.clusterRunners(Optional::empty);
        vm.clusterProperty().set(" spark://10.0.0.5:7077 ");
        vm.estimatorProperty().set(TrialsViewModel.SUBNET);
        List<String> problems = check(vm, dir).problems().stream().map(Problem::toString).toList();
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("Cluster spark://10.0.0.5:7077: this Cellforge has no cluster runner; " + TrialRunnerFactory.HOW),
                problems.get(0));

        vm.clusterRunners(() -> Optional.of(new Recording()));
        vm.estimatorProperty().set(TrialsViewModel.SUPERNET);
        problems = check(vm, dir).problems().stream().map(Problem::toString).toList();
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("Cluster spark://10.0.0.5:7077: a cluster runs subnet trials"), problems.get(0));
        vm.estimatorProperty().set(TrialsViewModel.SUBNET);
        vm.latencyProperty().set(true);
        problems = check(vm, dir).problems().stream().map(Problem::toString).toList();
        assertTrue(problems.size() == 1 && problems.get(0).contains("latency is timed on this machine"), problems.toString());

        vm.latencyProperty().set(false);
        vm.clusterRunners(Optional::empty);
        vm.clusterProperty().set("  ");
        assertTrue(check(vm, dir).problems().isEmpty(), "an empty field runs here, no runner needed");
    }

    @Test
    void subnetTrialsGoToTheClusterWithTheSettingsOfTheLocalEstimator(@TempDir Path dir) throws Exception {
        TrialsViewModel vm = new TrialsViewModel();
        Recording cluster = new Recording();
        vm.clusterRunners(() -> Optional.of(cluster));
        vm.clusterProperty().set("spark://127.0.0.1:7077");
        vm.estimatorProperty().set(TrialsViewModel.SUBNET);
        vm.budgetProperty().set(2);
        vm.parallelProperty().set(2);
        vm.childEpochsProperty().set(1);
        vm.trainBatchProperty().set(32);
        TrialsViewModel.Checked c = check(vm, dir);
        assertTrue(c.problems().isEmpty(), c.problems().toString());
        Path run = dir.resolve("run");
        java.nio.file.Files.createDirectories(run);
        List<Trial> heard = new ArrayList<>();
        List<String> warned = new ArrayList<>();
        SearchControl trials = new SearchControl();
        var result = TrialsViewModel.run(c.plan(), run, false, heard::add, text -> { }, warned::add, () -> false, new SearchControl(), trials);
        assertEquals(List.of("spark://127.0.0.1:7077"), cluster.masters);
        assertEquals(List.of(2), cluster.parallels);
        assertEquals(List.of(0.8), cluster.portions);
        Retrain.Config config = cluster.configs.get(0);
        assertEquals(List.of(1, 32, 3L), List.of(config.epochs(), config.batchSize(), config.seed()));
        assertEquals(Retrain.Config.darts(1, 32, 3), config);
        assertTrue(result.completed());
        assertEquals(2, heard.size(), "the live views hear each trial");
        assertEquals(List.of("executor 1 lost (worker lost): its trials run again on the others"), warned, "and the runner's warnings");
        assertFalse(cluster.cancels.get(0).getAsBoolean());
        trials.stop();
        assertTrue(cluster.cancels.get(0).getAsBoolean(), "quitting the trials' trainings cancels the cluster's");
        assertEquals(2, TrialLog.read(run.resolve(TrialLog.FILE)).size());
        assertFalse(TrialRunFiles.settings(run).orElseThrow().containsKey("cluster"), "a run may resume elsewhere: no cluster in run.json");
    }
}
