package io.cellforge.space;

/** An operation from one node to another, with the stride it applies. */
public record Edge(String from, String to, EdgeOp op, int stride) {
    public Edge {
        op = op == null ? OpCall.of("identity") : op;
        if (stride < 1) {
            throw new IllegalArgumentException("stride must be at least 1");
        }
    }

    public static Edge of(String from, String to, EdgeOp op) {
        return new Edge(from, to, op, 1);
    }

    public String label() {
        return from + "->" + to;
    }
}
