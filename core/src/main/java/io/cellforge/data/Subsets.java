package io.cellforge.data;

import java.util.Arrays;

/** Stratified samples: a quick look at large data keeps the proportions of its classes. */
public final class Subsets {
    private Subsets() {
    }

    /**
     * Why a sample of {@code n} of {@code of} {@code which} images ("training", "test") cannot be drawn, or null: the
     * one line the command line ({@code asked} = {@code --subset}) and the app ({@code Training images}) both say.
     */
    public static String refusal(String asked, int n, int of, String which) {
        return n >= 1 && n <= of ? null : String.format("%s %d: the data have %,d %s images; give 1..%d", asked, n, of, which, of);
    }

    /**
     * The indices (ascending) of {@code n} of the images labelled {@code labels}: each class gets its share of
     * {@code n} rounded down, and the images left over go to the classes with the largest remainders (ties to
     * the lower class), so every class is within one image of its exact share. Which images of a class are
     * taken is drawn with {@code seed}: same seed, same sample.
     */
    public static int[] stratified(int[] labels, int classes, int n, long seed) {
        if (n < 0 || n > labels.length) {
            throw new IllegalArgumentException("a sample of " + n + " from " + labels.length + " images");
        }
        int[] counts = new int[classes];
        for (int l : labels) {
            counts[l]++;
        }
        int[] quota = new int[classes];
        double[] rest = new double[classes];
        int given = 0;
        for (int c = 0; c < classes; c++) {
            double exact = (double) n * counts[c] / labels.length;
            quota[c] = (int) Math.floor(exact);
            rest[c] = exact - quota[c];
            given += quota[c];
        }
        Integer[] byRest = new Integer[classes];
        for (int c = 0; c < classes; c++) {
            byRest[c] = c;
        }
        Arrays.sort(byRest, (a, b) -> rest[a] != rest[b] ? Double.compare(rest[b], rest[a]) : Integer.compare(a, b));
        for (int k = 0; given < n; k++) {
            int c = byRest[k % classes];
            if (quota[c] < counts[c]) {
                quota[c]++;
                given++;
            }
        }
        // A seeded shuffle of all images, then the first of each class up to its quota.
        int[] order = Dataset.permutation(labels.length, seed);
        int[] taken = new int[classes];
        int[] out = new int[n];
        int k = 0;
        for (int i : order) {
            int c = labels[i];
            if (taken[c] < quota[c]) {
                taken[c]++;
                out[k++] = i;
            }
        }
        Arrays.sort(out);
        return out;
    }
}
