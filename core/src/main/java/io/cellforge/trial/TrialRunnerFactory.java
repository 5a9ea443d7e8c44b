package io.cellforge.trial;

import io.cellforge.data.DataBundle;
import io.cellforge.space.SearchSpace;
import io.cellforge.train.Retrain;

import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.BooleanSupplier;

/**
 * Runners of trials on a cluster rather than this machine's threads, found on the classpath (ServiceLoader) so
 * that core needs none of a cluster's jars: the cellforge-cluster module (built with {@code mvn -Pspark})
 * provides one on Apache Spark.
 */
public interface TrialRunnerFactory {

    /** What a user builds and runs to get one. */
    String HOW = "build the cluster module (mvn -B -Pspark -DskipTests package) and run cluster/target/cellforge-cluster.jar, "
            + "as the README's \"Trials on a Spark cluster\" says";

    /**
     * A runner whose trials each train the child network as
     * {@code new SubNetEstimator(space, data, config, trainPortion, ...)} does here, on the cluster at
     * {@code master} (spark://host:7077, local[4], ...), in rounds of {@code parallel} as {@link LocalTrialRunner}'s,
     * so that it scores and proposes what a local run of as many parallel trials does. Its workers build their own
     * estimator from these: the estimator its {@code run} is given is not called. The {@code stop} its run is given
     * lets the trials running end, as a local run's does; {@code cancel} (the trainings' own control, as
     * {@code SubNetEstimator}'s) ends them where they are.
     */
    TrialRunner subNet(String master, SearchSpace space, DataBundle data, Retrain.Config config, double trainPortion, int parallel,
                       BooleanSupplier cancel);

    /** The factory on the classpath, if any. */
    static Optional<TrialRunnerFactory> find() {
        return ServiceLoader.load(TrialRunnerFactory.class).findFirst();
    }
}
