package io.cellforge.app.search;

import io.cellforge.data.DataBundle;
import io.cellforge.space.SearchSpace;
import io.cellforge.train.Retrain;
import io.cellforge.trial.LocalTrialRunner;
import io.cellforge.trial.TrialRunner;
import io.cellforge.trial.TrialRunnerFactory;
import io.cellforge.zoo.Zoo;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a cluster's runner warns of reaches the search tab's message, and is old news once a trial is scored. */
@ExtendWith(ApplicationExtension.class)
class RunnerWarningTest {
    static final String WAITING = "no executor has joined on spark://10.0.0.5:7077 yet: the trials wait for a worker";

    @Start
    void start(Stage stage) {
        stage.show();
    }

    /** Runs the trials here, once it has warned and the test has seen the warning. */
    static final class Waiting implements TrialRunnerFactory {
        final CountDownLatch seen = new CountDownLatch(1);

        @Override
        public TrialRunner subNet(String master, SearchSpace space, DataBundle data, Retrain.Config config, double trainPortion, int parallel,
                                  BooleanSupplier cancel) {
            LocalTrialRunner here = new LocalTrialRunner(parallel);
            return (strategy, estimator, objective, budget, seed, logged, sink, listener, stop) -> {
                listener.warning(WAITING);
                try {
                    seen.await(5, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return here.run(strategy, estimator, objective, budget, seed, logged, sink, listener, stop);
            };
        }
    }

    @Test
    void aClusterRunnersWarningShowsUntilTheNextTrialIsScored(@TempDir Path dir, FxRobot robot) throws Exception {
        SearchViewModel vm = new SearchViewModel();
        Waiting cluster = new Waiting();
        robot.interact(() -> {
            vm.setRunsRoot(dir);
            vm.useDigits();
            vm.trainSubsetProperty().set("200");
            vm.testSubsetProperty().set("50");
            vm.strategyProperty().set("random");
            TrialsViewModel t = vm.trials();
            t.estimatorProperty().set(TrialsViewModel.SUBNET);
            t.budgetProperty().set(1);
            t.childEpochsProperty().set(1);
            t.clusterRunners(() -> Optional.of(cluster));
            t.clusterProperty().set("spark://10.0.0.5:7077");
            vm.start(Zoo.get("darts-mini").orElseThrow(), null);
        });
        WaitForAsyncUtils.waitFor(5, TimeUnit.MINUTES, () -> WAITING.equals(vm.messageProperty().get()));
        assertTrue(vm.runningProperty().get());
        cluster.seen.countDown();
        WaitForAsyncUtils.waitFor(5, TimeUnit.MINUTES, () -> !vm.runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1, vm.trials().points().size());
        assertEquals("", vm.messageProperty().get(), "the wait ended with the trial");
    }
}
