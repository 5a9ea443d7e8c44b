package io.cellforge.space;

/**
 * Where in a space a problem is, as a structure the designer can reveal (open the cell, select the node or the
 * edge) and as the words a person reads ({@link #toString()}: "cell normal, edge in0->n2", "stage 6", "key k").
 */
public sealed interface Place {
    Place NONE = new None();

    static Place cell(String cell) {
        return new InCell(cell);
    }

    static Place node(String cell, String node) {
        return new CellNode(cell, node);
    }

    static Place edge(String cell, String from, String to) {
        return new CellEdge(cell, from, to);
    }

    /** A stage by its name, as the YAML gives it. */
    static Place stage(String name) {
        return new Stage(-1, name);
    }

    /** A stage by its position in the network and its name. */
    static Place stage(int index, String name) {
        return new Stage(index, name);
    }

    static Place key(String key) {
        return new Key(key);
    }

    /** A part outside the cells and stages: the stem, the head, a ValueChoice, a user op, a section of another tool's file. */
    static Place named(String text) {
        return text.isEmpty() ? NONE : new Named(text);
    }

    /** A finer place inside this one, in words: "stage 2 (reduce 1), repeat", "cell normal, node n2 (key k)". */
    default Place detail(String words) {
        return new Within(this, words);
    }

    /** The cell, node or edge this place is in or on, for revealing it; itself for the others. */
    default Place revealed() {
        return this;
    }

    record None() implements Place {
        @Override
        public String toString() {
            return "";
        }
    }

    record InCell(String cell) implements Place {
        @Override
        public String toString() {
            return "cell " + cell;
        }
    }

    record CellNode(String cell, String node) implements Place {
        @Override
        public String toString() {
            return "cell " + cell + ", node " + node;
        }
    }

    record CellEdge(String cell, String from, String to) implements Place {
        @Override
        public String toString() {
            return "cell " + cell + ", edge " + from + "->" + to;
        }
    }

    record Stage(int index, String name) implements Place {
        @Override
        public String toString() {
            return index < 0 ? "stage " + name : "stage " + index + " (" + name + ")";
        }
    }

    record Key(String key) implements Place {
        @Override
        public String toString() {
            return "key " + key;
        }
    }

    record Named(String text) implements Place {
        @Override
        public String toString() {
            return text;
        }
    }

    record Within(Place part, String words) implements Place {
        @Override
        public Place revealed() {
            return part.revealed();
        }

        @Override
        public String toString() {
            return part + words;
        }
    }
}
