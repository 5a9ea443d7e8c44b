package io.cellforge.space;

/**
 * A tensor in a cell. Its value is the reduction ({@code merge}) of its active incoming edges; an InputChoice
 * makes the incoming edges candidates of which only the chosen are active. An output node with
 * {@code looseEnds} takes every intermediate node that no active edge consumes (ENAS micro).
 */
public record Node(String name, NodeKind kind, Reduction merge, InputChoice inputChoice, boolean looseEnds) {
    public Node {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a node needs a name");
        }
        merge = merge == null ? Reduction.SUM : merge;
    }

    public static Node input(String name) {
        return new Node(name, NodeKind.INPUT, Reduction.SUM, null, false);
    }

    public static Node intermediate(String name) {
        return new Node(name, NodeKind.INTERMEDIATE, Reduction.SUM, null, false);
    }

    public static Node output(String name, Reduction merge) {
        return new Node(name, NodeKind.OUTPUT, merge, null, false);
    }

    public Node withInputChoice(InputChoice c) {
        return new Node(name, kind, c == null ? merge : c.reduction(), c, looseEnds);
    }

    /** The reduction in force: the InputChoice's when there is one. */
    public Reduction reduction() {
        return inputChoice != null ? inputChoice.reduction() : merge;
    }
}
