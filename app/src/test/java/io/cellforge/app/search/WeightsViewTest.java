package io.cellforge.app.search;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The heatmap reads what tells candidates apart, where two decimals read 0.13 for all of them. */
class WeightsViewTest {

    @Test
    void probabilitiesNearUniformReadApart() {
        assertNotEquals(WeightsView.cellText(0.1251), WeightsView.cellText(0.1289));
        assertEquals("0.125", WeightsView.cellText(0.1251));
        assertEquals("0.129", WeightsView.cellText(0.1289));
        assertEquals("0.0123", WeightsView.cellText(0.01234), "three significant digits, not three decimals");
    }

    /** The colour scale spans the deviations from uniform that occur, not 0..1: a 3% lead is full colour when it is the largest. */
    @Test
    void theColourScaleSpreadsTheActualRange() {
        double[] p = {0.1289, 0.1251, 0.1211, 0.125, 0.125, 0.125, 0.125, 0.1249};
        Map<String, double[]> w = Map.of("a", p);
        double spread = WeightsView.maxDeviation(w, List.of("a"));
        assertEquals(0.1289 * 8 - 1, spread, 1e-12);
        assertEquals(1, WeightsView.deviation(p, 0) / spread, 1e-12, "the leader is full colour");
        assertEquals(-(1 - 0.1211 * 8) / spread, WeightsView.deviation(p, 2) / spread, 1e-12);
        assertEquals(0, WeightsView.deviation(p, 3), 1e-12, "uniform reads pale");
    }
}
