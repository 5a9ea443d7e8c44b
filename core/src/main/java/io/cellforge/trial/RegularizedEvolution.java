package io.cellforge.trial;

import io.cellforge.arch.Architecture;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Regularized (aging) evolution, Real et al. 2019 (ModularNAS's RegularizedEvolutionOptim): the first
 * {@code population} architectures are random; then each child is the best of {@code sample} members drawn at
 * random from the population, with exactly one decision changed. Each scored child joins the population and the
 * oldest member dies, whatever its score.
 */
public final class RegularizedEvolution implements TrialStrategy {
    /** NAS-Bench-201's settings for REA (population 10, sample size 3). */
    public static final int POPULATION = 10;
    public static final int SAMPLE = 3;

    record Member(int[] options, double fitness) {
    }

    private final DecisionSpace space;
    private final Objective objective;
    private final int population;
    private final int sample;
    private final Random rng;
    private final Deque<Member> members = new ArrayDeque<>();
    private int proposed;

    public RegularizedEvolution(DecisionSpace space, Objective objective, int population, int sample, long seed) {
        if (population < 1 || sample < 1) {
            throw new IllegalArgumentException("population and sample size must be at least 1");
        }
        this.space = space;
        this.objective = objective;
        this.population = population;
        this.sample = sample;
        this.rng = new Random(seed);
    }

    @Override
    public Optional<Architecture> propose() {
        proposed++;
        if (proposed <= population || members.isEmpty()) {
            return Optional.of(space.architecture(space.random(rng)));
        }
        List<Member> all = new ArrayList<>(members);
        Member parent = null;
        for (int i = 0; i < sample; i++) {
            Member m = all.get(rng.nextInt(all.size()));
            if (parent == null || m.fitness() > parent.fitness()) {
                parent = m;
            }
        }
        return Optional.of(space.architecture(space.mutateOne(parent.options(), rng)));
    }

    @Override
    public void observe(Trial trial) {
        members.addLast(new Member(space.options(trial.architecture()), objective.fitness(trial.scores())));
        if (members.size() > population) {
            members.removeFirst();
        }
    }

    /** The population, oldest first. */
    List<Architecture> population() {
        return members.stream().map(m -> space.architecture(m.options())).toList();
    }

    @Override
    public String name() {
        return "rea";
    }
}
