package io.cellforge.cli;

import io.cellforge.data.DataBundle;
import picocli.CommandLine.Option;

/** {@code --subset N} and {@code --test-subset M}: a quick look at large data, the same for every command. */
final class SubsetOptions {
    @Option(names = "--subset", paramLabel = "N", description = {"a stratified sample of N training images, drawn with --seed",
            "(the class proportions kept; the test images are untouched)"})
    Integer train;
    @Option(names = "--test-subset", paramLabel = "M", description = "a stratified sample of M test images, drawn with --seed")
    Integer test;

    /** The data, sampled as asked; a sample larger than what it is drawn from is refused, naming both. */
    DataBundle apply(DataBundle data, long seed) {
        check("--subset", train, data.train().size(), "training");
        check("--test-subset", test, data.test().size(), "test");
        return data.sampled(train, test, seed);
    }

    private static void check(String option, Integer n, int of, String what) {
        String why = n == null ? null : io.cellforge.data.Subsets.refusal(option, n, of, what);
        if (why != null) {
            throw new Main.UserError(why);
        }
    }
}
