package io.cellforge.app.search;

import java.nio.file.Path;
import java.util.Map;

/**
 * A run as the runs table and the comparison show it, built by {@link SearchViewModel} from the run's folder: its
 * last epoch's figures, the parameters of the network it found (as retrained, with affine BatchNorm; null until it
 * has a result), the seconds its epochs took, its settings and its decisions in words.
 *
 * @param dir       the run's folder: which run this row is
 * @param state     running, finished, stopped early, stopped (resumable) or incomplete
 * @param decisions each decided choice's key and what it chose ("sep_conv_3x3", "inputs [0, 2]", "16")
 */
public record RunRow(Path dir, String name, String state, String strategy, int epochs, Double validAccuracy, Double validLoss,
                     Double trainAccuracy, Double trainLoss, Double testAccuracy, Long params, double seconds, String duration,
                     String data, Map<String, String> settings, Map<String, String> decisions, boolean hasResult) {
}
