package io.cellforge.trial;

import io.cellforge.arch.Architecture;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Basic evolution (ModularNAS's EvolutionOptim): the first {@code population} architectures are random; then a
 * child crosses two parents drawn from the {@code select} best members (each decision from one or the other) and
 * mutates each decision with probability 1/keys. When a scored child joins, the worst member is eliminated
 * (regularized evolution removes the oldest instead).
 */
public final class Evolution implements TrialStrategy {
    public static final int POPULATION = 20;
    public static final int SELECT = 5;

    private record Member(int[] options, double fitness, int age) {
    }

    private final DecisionSpace space;
    private final Objective objective;
    private final int population;
    private final int select;
    private final Random rng;
    private final List<Member> members = new ArrayList<>();
    private int proposed;
    private int observed;

    public Evolution(DecisionSpace space, Objective objective, int population, int select, long seed) {
        if (population < 2 || select < 1) {
            throw new IllegalArgumentException("evolution needs a population of at least 2 and a selection of at least 1");
        }
        this.space = space;
        this.objective = objective;
        this.population = population;
        this.select = select;
        this.rng = new Random(seed);
    }

    @Override
    public Optional<Architecture> propose() {
        proposed++;
        if (proposed <= population || members.isEmpty()) {
            return Optional.of(space.architecture(space.random(rng)));
        }
        List<Member> best = new ArrayList<>(members);
        best.sort(Comparator.comparingDouble(Member::fitness).reversed().thenComparingInt(Member::age));
        List<Member> pool = best.subList(0, Math.min(select, best.size()));
        int[] a = pool.get(rng.nextInt(pool.size())).options();
        int[] b = pool.get(rng.nextInt(pool.size())).options();
        int[] child = new int[a.length];
        List<DecisionSpace.Key> keys = space.keys();
        for (int k = 0; k < child.length; k++) {
            child[k] = rng.nextBoolean() ? a[k] : b[k];
            if (rng.nextDouble() < 1.0 / child.length) {
                child[k] = rng.nextInt(keys.get(k).size());
            }
        }
        return Optional.of(space.architecture(child));
    }

    @Override
    public void observe(Trial trial) {
        members.add(new Member(space.options(trial.architecture()), objective.fitness(trial.scores()), observed++));
        if (members.size() > population) {
            // The worst dies; of equals, the oldest.
            Member worst = members.stream().min(Comparator.comparingDouble(Member::fitness).thenComparingInt(Member::age)).orElseThrow();
            members.remove(worst);
        }
    }

    /** The population, in the order members joined. */
    List<Architecture> population() {
        return members.stream().map(m -> space.architecture(m.options())).toList();
    }

    @Override
    public String name() {
        return "evolution";
    }
}
