package io.cellforge.io;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.SpaceStats;
import io.cellforge.analysis.Validator;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Genotype;
import io.cellforge.cli.Main;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded mutations of real inputs (the zoo files, DARTS genotypes, NNI dicts, NAS-Bench-201 strings): every one
 * must end in a model or in a LoadException that names its place, never in another exception or a hang.
 */
class FuzzTest {
    static final Pattern LOCATED = Pattern.compile("^fuzz[^:]*:\\d+:\\d+: .+", Pattern.DOTALL);
    static final String[] TOKENS = {"0", "-1", "2", "99999999999", "1e309", "0.5", "none", "sep_conv_3x3", "xx", "$k", "$",
            "[", "]", "{", "}", ":", ",", "-", "- ", "&a", "*a", "!!python/tuple", "~", "\"", "'", "\t", "   ", "\n", "#",
            "in0", "out", "n2", "reduction", "concat", "cell", "choice", "stride: 2", "n_chosen: 9", "key: k", "? "};

    private final Random rnd = new Random(20261122);
    private int cases;

    private String mutate(String text) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        int edits = 1 + rnd.nextInt(3);
        for (int i = 0; i < edits && !lines.isEmpty(); i++) {
            int at = rnd.nextInt(lines.size());
            String line = lines.get(at);
            switch (rnd.nextInt(8)) {
                case 0 -> lines.remove(at);
                case 1 -> lines.add(at, line);
                case 2 -> lines.set(at, line.length() < 2 ? line : line.substring(0, rnd.nextInt(line.length())));
                case 3 -> lines.set(at, " " + line);
                case 4 -> lines.set(at, insert(line, TOKENS[rnd.nextInt(TOKENS.length)]));
                case 5 -> {
                    int j = rnd.nextInt(lines.size());
                    lines.set(at, lines.get(j));
                    lines.set(j, line);
                }
                case 6 -> lines.set(at, line.replaceAll("\\b\\d+\\b", java.util.regex.Matcher.quoteReplacement(TOKENS[rnd.nextInt(6)])));
                default -> lines.set(at, line.replaceFirst("[a-z_0-9]+", java.util.regex.Matcher.quoteReplacement(TOKENS[rnd.nextInt(TOKENS.length)])));
            }
        }
        return String.join("\n", lines) + "\n";
    }

    private String mutateChars(String text) {
        StringBuilder b = new StringBuilder(text);
        int edits = 1 + rnd.nextInt(4);
        String alphabet = "()[]{}'\",=:~|+0123456789abcnoe_- \n";
        for (int i = 0; i < edits && b.length() > 0; i++) {
            int at = rnd.nextInt(b.length());
            switch (rnd.nextInt(3)) {
                case 0 -> b.deleteCharAt(at);
                case 1 -> b.insert(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                default -> b.setCharAt(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
        }
        return b.toString();
    }

    private String insert(String line, String token) {
        int at = line.isEmpty() ? 0 : rnd.nextInt(line.length());
        return line.substring(0, at) + token + line.substring(at);
    }

    /** Runs one case; only LoadException with a place, or success, may come out. */
    private void check(String input, Consumer<String> body) {
        cases++;
        long t0 = System.nanoTime();
        try {
            body.accept(input);
        } catch (Located e) {
            assertTrue(LOCATED.matcher(e.getMessage()).matches(), () -> "error without a place: " + e.getMessage() + "\n---\n" + input);
        } catch (RuntimeException | AssertionError e) {
            fail("input ended in " + e + "\n---\n" + input, e);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 5_000, () -> "took " + ms + " ms:\n" + input);
    }

    /** A LoadException carried out of a lambda. */
    static final class Located extends RuntimeException {
        Located(LoadException e) {
            super(e.getMessage(), null, false, false);
        }
    }

    private static void use(SearchSpace s) {
        Validator.validate(s);
        Evaluator.supernet(s);
        Evaluator.evaluate(s, SpaceStats.first(s));
    }

    @Test
    void tenThousandMutatedInputsEndInAModelOrALocatedError() {
        assertTimeoutPreemptively(Duration.ofMinutes(4), () -> {
            for (Zoo.Entry e : Zoo.entries()) {
                String text = SpaceYaml.write(e.builder().get());
                int n = e.name().startsWith("resnet") ? 200 : 500;
                for (int i = 0; i < n; i++) {
                    check(mutate(text), t -> {
                        try {
                            use(SpaceFiles.readSpace(t, "fuzz.yaml", "fuzz").space());
                        } catch (LoadException ex) {
                            throw new Located(ex);
                        }
                    });
                }
            }
            SearchSpace darts = Zoo.get("darts-search").orElseThrow();
            String genotype = Genotype.DARTS_V2.toString();
            for (int i = 0; i < 2000; i++) {
                check(mutateChars(genotype), t -> {
                    try {
                        Genotype g = ArchFormats.parseGenotype(t, "fuzz.genotype");
                        Evaluator.evaluate(Zoo.dartsEval(g, 16, 8, 10, false, true), Architecture.empty());
                        ArchFormats.fromGenotype(g, darts, "fuzz.genotype:1:1");
                    } catch (LoadException ex) {
                        throw new Located(ex);
                    }
                });
            }
            String nni;
            try {
                nni = ArchFormats.write(ArchFormat.NNI, darts, ArchFormats.fromGenotype(Genotype.DARTS_V1, darts, "x"));
            } catch (LoadException ex) {
                throw new AssertionError(ex);
            }
            for (int i = 0; i < 2000; i++) {
                check(rnd.nextBoolean() ? mutateChars(nni) : mutate(nni), t -> {
                    try {
                        Evaluator.evaluate(darts, ArchFormats.read(ArchFormat.NNI, t, "fuzz.json", darts));
                    } catch (LoadException ex) {
                        throw new Located(ex);
                    }
                });
            }
            SearchSpace nb = Zoo.get("nas-bench-201").orElseThrow();
            for (int i = 0; i < 1000; i++) {
                check(mutateChars("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"), t -> {
                    try {
                        Evaluator.evaluate(nb, ArchFormats.read(ArchFormat.NB201, t, "fuzz.nb201", nb));
                    } catch (LoadException ex) {
                        throw new Located(ex);
                    }
                });
            }
        });
        assertTrue(cases >= 10_000, "ran " + cases + " cases");
    }

    /** Through the command line and on disk: one line on error, exit 0 or 1, and the input file untouched. */
    @Test
    void theCommandLineNeverCrashesNorTouchesItsInput(@TempDir Path dir) throws Exception {
        String text = SpaceYaml.write(Zoo.get("darts-mini").orElseThrow());
        Path f = dir.resolve("fuzz.yaml");
        for (int i = 0; i < 300; i++) {
            String m = mutate(text);
            Files.writeString(f, m);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.run(new String[] {i % 2 == 0 ? "validate" : "stats", f.toString()}, new PrintWriter(out), new PrintWriter(err));
            assertTrue(code == 0 || code == 1, () -> "exit " + code + ": " + err + "\n---\n" + m);
            assertTrue(!err.toString().contains("internal error") && !err.toString().contains("\tat "), err::toString);
            assertEquals(m, Files.readString(f));
        }
    }
}
