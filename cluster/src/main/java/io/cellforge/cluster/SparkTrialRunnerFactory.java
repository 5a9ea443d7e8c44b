package io.cellforge.cluster;

import io.cellforge.data.DataBundle;
import io.cellforge.space.SearchSpace;
import io.cellforge.train.Retrain;
import io.cellforge.trial.TrialRunner;
import io.cellforge.trial.TrialRunnerFactory;

import java.util.function.BooleanSupplier;

/** The cluster runner `search --cluster URL` finds on the classpath: subnet trials on Apache Spark. */
public final class SparkTrialRunnerFactory implements TrialRunnerFactory {
    @Override
    public TrialRunner subNet(String master, SearchSpace space, DataBundle data, Retrain.Config config, double trainPortion, int parallel,
                              BooleanSupplier cancel) {
        SparkLogs.quiet(); // the app comes here without ClusterMain
        return new SparkTrialRunner(master, SubNetJob.of(space, data, config, trainPortion), parallel, cancel);
    }
}
