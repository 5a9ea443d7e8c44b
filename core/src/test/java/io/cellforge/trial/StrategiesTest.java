package io.cellforge.trial;

import io.cellforge.arch.Architecture;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StrategiesTest {
    static final DecisionSpace NB201 = DecisionSpace.of(Zoo.get("nas-bench-201").orElseThrow());
    static final DecisionSpace DARTS = DecisionSpace.of(Zoo.get("darts-mini").orElseThrow());
    static final Objective ACCURACY = Objective.of(Scores.ACCURACY);

    /** A synthetic objective: the sum of a fixed random worth of each decision, in 0..1. */
    record Additive(DecisionSpace space, double[][] worth) implements Estimator {
        static Additive of(DecisionSpace space, long seed) {
            Random r = new Random(seed);
            double[][] w = new double[space.keys().size()][];
            for (int k = 0; k < w.length; k++) {
                w[k] = new double[space.keys().get(k).size()];
                for (int i = 0; i < w[k].length; i++) {
                    w[k][i] = r.nextDouble();
                }
            }
            return new Additive(space, w);
        }

        @Override
        public Scores estimate(Architecture a, long seed) {
            int[] o = space.options(a);
            double s = 0;
            for (int k = 0; k < o.length; k++) {
                s += worth[k][o[k]];
            }
            return new Scores(Map.of(Scores.ACCURACY, s / o.length));
        }

        @Override
        public String name() {
            return "additive";
        }
    }

    static List<Trial> run(TrialStrategy s, Estimator e, int budget) throws Exception {
        return new LocalTrialRunner(1).run(s, e, ACCURACY, budget, 7, List.of(), TrialRunner.Sink.NONE, new io.cellforge.search.SearchEvents.Listener() {
        }, () -> false).trials();
    }

    @Test
    void everyStrategyIsReproducibleBySeed() throws Exception {
        Additive e = Additive.of(DARTS, 1);
        for (String name : Strategies.NAMES) {
            if (name.equals("grid")) {
                continue; // darts-mini is too large for a grid; the grid has no seed
            }
            List<Architecture> a = run(Strategies.create(name, DARTS, ACCURACY, 11), e, 40).stream().map(Trial::architecture).toList();
            List<Architecture> b = run(Strategies.create(name, DARTS, ACCURACY, 11), e, 40).stream().map(Trial::architecture).toList();
            List<Architecture> c = run(Strategies.create(name, DARTS, ACCURACY, 12), e, 40).stream().map(Trial::architecture).toList();
            assertEquals(a, b, name);
            assertNotEquals(a, c, name + ": another seed, other proposals");
        }
    }

    @Test
    void gridVisitsEveryArchitectureOfASmallSpaceOnceThenStops() throws Exception {
        List<Trial> t = run(new GridSearch(NB201), Additive.of(NB201, 1), 20_000);
        assertEquals(15_625, t.size());
        assertEquals(15_625, new HashSet<>(t.stream().map(Trial::architecture).toList()).size());
    }

    @Test
    void gridRefusesASpaceTooLargeToEnumerateNamingItsSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GridSearch(DARTS));
        assertTrue(e.getMessage().contains(DARTS.size().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("1000000"), e.getMessage());
    }

    @Test
    void randomSearchDoesNotRepeatAndEndsWithTheSpace() throws Exception {
        List<Trial> t = run(new RandomSearch(NB201, 3), Additive.of(NB201, 1), 20_000);
        assertEquals(15_625, t.size());
        assertEquals(15_625, new HashSet<>(t.stream().map(Trial::architecture).toList()).size());
    }

    @Test
    void reasPopulationAgesTheOldestDiesNotTheWorst() {
        RegularizedEvolution rea = new RegularizedEvolution(NB201, ACCURACY, 3, 2, 1);
        List<Architecture> seen = new ArrayList<>();
        double[] acc = {0.1, 0.9, 0.5, 0.7, 0.2};
        for (int i = 0; i < acc.length; i++) {
            Architecture a = rea.propose().orElseThrow();
            seen.add(a);
            rea.observe(new Trial(i, a, new Scores(Map.of(Scores.ACCURACY, acc[i])), 0, 0));
        }
        // The best (0.9, second) died of age; the worst of the last three (0.2) lives.
        assertEquals(seen.subList(2, 5), rea.population());
    }

    @Test
    void reaChildrenDifferFromTheirParentInExactlyOneDecision() {
        // A population of one: the parent is its only member.
        RegularizedEvolution rea = new RegularizedEvolution(NB201, ACCURACY, 1, 1, 2);
        Architecture parent = rea.propose().orElseThrow();
        for (int i = 0; i < 50; i++) {
            rea.observe(new Trial(i, parent, new Scores(Map.of(Scores.ACCURACY, 0.5)), 0, 0));
            Architecture child = rea.propose().orElseThrow();
            int[] a = NB201.options(parent);
            int[] b = NB201.options(child);
            int diff = 0;
            for (int k = 0; k < a.length; k++) {
                diff += a[k] != b[k] ? 1 : 0;
            }
            assertEquals(1, diff);
            parent = child;
        }
    }

    @Test
    void evolutionEliminatesTheWorstNotTheOldest() {
        Evolution ev = new Evolution(NB201, ACCURACY, 3, 2, 1);
        List<Architecture> seen = new ArrayList<>();
        double[] acc = {0.5, 0.9, 0.1, 0.7};
        for (int i = 0; i < acc.length; i++) {
            Architecture a = ev.propose().orElseThrow();
            seen.add(a);
            ev.observe(new Trial(i, a, new Scores(Map.of(Scores.ACCURACY, acc[i])), 0, 0));
        }
        assertEquals(List.of(seen.get(0), seen.get(1), seen.get(3)), ev.population());
    }

    @Test
    void reinforcesPolicyMovesTowardARewardedOption() {
        Reinforce r = new Reinforce(NB201, ACCURACY, Reinforce.LEARNING_RATE, Reinforce.BASELINE_DECAY, 4);
        String rewarded = NB201.keys().get(0).options().get(2).toString();
        double before = r.probabilities(0)[2];
        for (int i = 0; i < 150; i++) {
            Architecture a = r.propose().orElseThrow();
            double reward = a.get(NB201.keys().get(0).name()).orElseThrow().toString().equals(rewarded) ? 1 : 0;
            r.observe(new Trial(i, a, new Scores(Map.of(Scores.ACCURACY, reward)), 0, 0));
        }
        assertEquals(0.2, before, 1e-12);
        assertTrue(r.probabilities(0)[2] > 0.6, "p = " + r.probabilities(0)[2]);
    }

    @Test
    void tpeFindsBetterThanRandomOnASyntheticObjective() throws Exception {
        double tpe = 0;
        double random = 0;
        int seeds = 20;
        for (int s = 0; s < seeds; s++) {
            Additive e = Additive.of(DARTS, 100 + s);
            tpe += best(run(Strategies.create("tpe", DARTS, ACCURACY, s), e, 80));
            random += best(run(Strategies.create("random", DARTS, ACCURACY, s), e, 80));
        }
        tpe /= seeds;
        random /= seeds;
        assertTrue(tpe > random + 0.02, "TPE " + tpe + " against random " + random);
    }

    static double best(List<Trial> trials) {
        return trials.stream().mapToDouble(t -> t.scores().accuracy()).max().orElseThrow();
    }

    @Test
    void aDecisionSpaceNumbersMatchTheGridsOrder() {
        GridSearch g = new GridSearch(NB201);
        for (int i = 0; i < 30; i++) {
            assertEquals(BigInteger.valueOf(i), NB201.index(g.propose().orElseThrow()));
        }
    }
}
