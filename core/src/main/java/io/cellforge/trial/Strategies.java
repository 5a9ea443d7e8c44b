package io.cellforge.trial;

import java.util.List;

/** The multi-trial strategies by the names the CLI and the trial log give them, with their published defaults. */
public final class Strategies {
    public static final List<String> NAMES = List.of("random", "grid", "evolution", "rea", "reinforce", "tpe");

    private Strategies() {
    }

    public static boolean isMultiTrial(String name) {
        return NAMES.contains(name);
    }

    /** A new strategy; the same name, space, objective and seed give the same proposals for the same scores. */
    public static TrialStrategy create(String name, DecisionSpace space, Objective objective, long seed) {
        return switch (name) {
            case "random" -> new RandomSearch(space, seed);
            case "grid" -> new GridSearch(space);
            case "evolution" -> new Evolution(space, objective, Evolution.POPULATION, Evolution.SELECT, seed);
            case "rea" -> new RegularizedEvolution(space, objective, RegularizedEvolution.POPULATION, RegularizedEvolution.SAMPLE, seed);
            case "reinforce" -> new Reinforce(space, objective, Reinforce.LEARNING_RATE, Reinforce.BASELINE_DECAY, seed);
            case "tpe" -> new Tpe(space, objective, Tpe.STARTUP, Tpe.GAMMA, Tpe.CANDIDATES, Tpe.PRIOR_WEIGHT, seed);
            default -> throw new IllegalArgumentException("strategy '" + name + "' is not a multi-trial strategy; available: "
                    + String.join(", ", NAMES));
        };
    }
}
