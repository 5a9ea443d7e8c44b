package io.cellforge.search;

import io.cellforge.data.DataBundle;
import io.cellforge.plan.PlanException;
import io.cellforge.settings.SearchConfig;
import io.cellforge.space.SearchSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * How long a one-shot search step takes on this machine, and so how much data a search of a given length can
 * take: the app's Quick look sizes its training sample from a measured step, not from a constant.
 */
@FunctionalInterface
public interface StepTimer {
    /**
     * Seconds per search step of {@code space} on {@code data} with {@code cfg}'s strategy and batch; {@code cancel}
     * stopped: ends at the next step, and the figure is NaN.
     */
    double secondsPerStep(SearchSpace space, DataBundle data, SearchConfig cfg, SearchControl cancel) throws PlanException;

    /**
     * The real steps of {@link OneShotSearch} (the supernet compiled, the strategy's weight and architecture steps),
     * {@code steps} of them after one warm-up step that is not counted (it compiles and warms the engine), on a
     * stratified sample of the data just large enough for them.
     */
    static StepTimer measured(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("time at least one step, not " + steps);
        }
        return (space, data, cfg, cancel) -> {
            SearchConfig one = cfg.toBuilder().epochs(1).warmup(0).build();
            int batch = Math.min(cfg.batchSize(), Math.max(1, data.train().size() / 2));
            double part = Math.min(cfg.trainPortion(), 1 - cfg.trainPortion());
            int need = (int) Math.min(data.train().size(), Math.ceil((steps + 1) * batch / part) + 2);
            DataBundle sample = data.sampled(need, null, cfg.seed());
            SearchControl inner = new SearchControl();
            List<Double> seconds = new ArrayList<>();
            SearchEvents.Listener listener = new SearchEvents.Listener() {
                @Override
                public void step(SearchEvents.Step s) {
                    if (s.step() > 0) { // the first step compiles and warms the engine
                        seconds.add(Math.min(batch, sample.train().size()) / s.imagesPerSecond());
                    }
                    if (seconds.size() >= steps || cancel.isStopped()) {
                        inner.stop();
                    }
                }
            };
            new OneShotSearch(space, sample, one).run(listener, inner);
            if (seconds.isEmpty() || cancel.isStopped()) {
                return Double.NaN; // stopped: a step or two is no measure
            }
            return seconds.stream().mapToDouble(Double::doubleValue).sum() / seconds.size();
        };
    }

    /**
     * Training images a one-shot search of {@code cfg}'s epochs and batch can take to end in about {@code seconds}
     * at {@code secondsPerStep}, rounded to two significant figures, at least one batch and at most the
     * {@code available} images; empty when all of them end in time. An epoch is as many steps as the smaller
     * half of the training images ({@code cfg.trainPortion()}: weights on one, architecture on the other) holds
     * full batches.
     */
    static OptionalInt trainingImagesFor(double seconds, double secondsPerStep, SearchConfig cfg, int available) {
        if (!(secondsPerStep > 0) || Double.isInfinite(secondsPerStep)) {
            throw new IllegalArgumentException("a step time must be a positive number of seconds, not " + secondsPerStep);
        }
        if (searchSeconds(available, secondsPerStep, cfg) <= seconds) {
            return OptionalInt.empty();
        }
        long stepsPerEpoch = Math.max(1, (long) Math.floor(seconds / (cfg.epochs() * secondsPerStep)));
        double part = Math.min(cfg.trainPortion(), 1 - cfg.trainPortion());
        long n = readable((long) Math.ceil(stepsPerEpoch * cfg.batchSize() / part));
        return OptionalInt.of((int) Math.max(Math.min(cfg.batchSize(), available), Math.min(n, available)));
    }

    /** The seconds a search of {@code images} training images takes at {@code secondsPerStep} (the steps only). */
    static double searchSeconds(int images, double secondsPerStep, SearchConfig cfg) {
        long train = Math.max(Math.min(Math.round(images * cfg.trainPortion()), images - 1), Math.min(1, images));
        long valid = images - train;
        long batch = cfg.batchSize();
        long steps = Math.min(train / Math.max(1, Math.min(batch, train)), valid / Math.max(1, Math.min(batch, valid)));
        return cfg.epochs() * steps * secondsPerStep;
    }

    /** Two significant figures: 1,834 reads 1,800; 64 stays 64. */
    private static long readable(long n) {
        if (n < 100) {
            return n;
        }
        long unit = 1;
        while (n / unit >= 100) {
            unit *= 10;
        }
        return Math.round((double) n / unit) * unit;
    }
}
