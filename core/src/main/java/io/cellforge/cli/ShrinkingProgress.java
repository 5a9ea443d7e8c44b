package io.cellforge.cli;

import io.cellforge.arch.Architecture;
import io.cellforge.search.ElasticSpace;
import io.cellforge.search.ProgressiveShrinking;
import io.cellforge.search.SearchEvents;

import java.io.PrintWriter;

/** `search --estimator ps`: a line per epoch of progressive shrinking, and on a terminal the step redrawn in place. */
final class ShrinkingProgress implements ProgressiveShrinking.Listener {
    private final PrintWriter err;
    private final boolean tty = System.console() != null;
    private int epochs;
    private int steps;

    ShrinkingProgress(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void phase(ElasticSpace.Phase phase, int epochsPerPhase, int stepsPerEpoch) {
        epochs = epochsPerPhase;
        steps = stepsPerEpoch;
    }

    @Override
    public void step(ElasticSpace.Phase phase, int epoch, int step, Architecture sampled, double loss) {
        if (tty) {
            err.printf("\r  %-9s epoch %d/%d  step %d/%d  loss %.4f", phase.label(), epoch + 1, epochs, step + 1, steps, loss);
            err.flush();
        }
    }

    @Override
    public void epoch(ElasticSpace.Phase phase, int epoch, double meanLoss, double seconds) {
        err.printf("%s  %-9s epoch %d/%d  loss %.4f  %s%s%n", tty ? "\r" : "", phase.label(), epoch + 1, epochs, meanLoss,
                SearchEvents.duration(seconds), tty ? "          " : ""); // spaces: over the longer step line
        err.flush();
    }
}
