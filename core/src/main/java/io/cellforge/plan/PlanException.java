package io.cellforge.plan;

import io.cellforge.space.Problem;

import java.util.List;

/** A space or architecture that cannot become a network; carries every error found, each with its place. */
public class PlanException extends Exception {
    private final List<Problem> problems;

    public PlanException(List<Problem> problems) {
        super(problems.isEmpty() ? "the network cannot be built" : problems.get(0).toString());
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
