package io.cellforge.io;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A YAML node with its place in the file. Built from SnakeYAML's composed node tree, which constructs no
 * objects (so no tag can instantiate a class); every accessor fails with "file:line:column: what is wrong".
 */
public final class YNode {
    private static final int MAX_CHARS = 20_000_000;
    /**
     * PyYAML writes an anchor and aliases wherever one list is shared (60 LayerChoices over one candidate list), so
     * aliases are allowed freely; what a bomb needs, and what is bounded, is the size they expand the document to.
     */
    static final int MAX_ALIASES = 100_000;
    static final int MAX_EXPANDED_NODES = 2_000_000;
    static final int MAX_DEPTH = 64;
    /**
     * SnakeYAML's reader copies what it has not consumed each time it reads ahead, so one long line (a comment, a
     * word, a quoted string without spaces) costs the square of its length: 4 million characters took 12 s.
     */
    static final int MAX_LINE_CHARS = 1_000_000;

    private final Node node;
    private final String source;
    /** The mapping key this node is the value of, to name the field in errors; null for list items and the root. */
    private final String key;

    private YNode(Node node, String source) {
        this(node, source, null);
    }

    private YNode(Node node, String source, String key) {
        this.node = node;
        this.source = source;
        this.key = key;
    }

    /** Parses one YAML document; an empty document is an error. */
    public static YNode parse(String text, String source) throws LoadException {
        if (text.length() > MAX_CHARS) {
            throw new LoadException(source, "file is larger than " + MAX_CHARS / 1_000_000 + " million characters");
        }
        int line = 1;
        for (int start = 0, i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '\n' || text.charAt(i) == '\r') {
                if (i - start > MAX_LINE_CHARS) {
                    throw new LoadException(source + ":" + line + ":1", "line is longer than " + String.format("%,d", MAX_LINE_CHARS)
                            + " characters, the most Cellforge reads in one line of YAML");
                }
                line++;
                start = i + 1;
            }
        }
        LoaderOptions opts = new LoaderOptions();
        opts.setMaxAliasesForCollections(MAX_ALIASES);
        opts.setNestingDepthLimit(MAX_DEPTH);
        opts.setCodePointLimit(MAX_CHARS);
        opts.setAllowRecursiveKeys(false);
        // Only nodes are composed, never objects, so a tag (VEGA writes !!python/tuple) cannot run anything;
        // it is read as the list or mapping it tags.
        opts.setTagInspector(tag -> true);
        Yaml yaml = new Yaml(new SafeConstructor(opts));
        Node root;
        try {
            root = yaml.compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = m == null ? source : source + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            throw new LoadException(where, "YAML syntax: " + firstLine(problem));
        } catch (YAMLException e) {
            throw new LoadException(source, "YAML: " + firstLine(String.valueOf(e.getMessage())));
        } catch (RuntimeException e) {
            // SnakeYAML throws plain runtime exceptions on some malformed streams; still a reading error.
            throw new LoadException(source, "YAML could not be read: " + firstLine(String.valueOf(e.getMessage())));
        }
        if (root == null) {
            throw new LoadException(source + ":1:1", "the file is empty");
        }
        new AliasCheck(source).walk(root, 0);
        return new YNode(root, source);
    }

    /**
     * Measures the document as its readers will see it, aliases expanded, without expanding them: an anchored node's
     * size and height are counted once and added at each alias. Refuses alias cycles, nesting deeper than
     * {@link #MAX_DEPTH} through aliases, and aliases that add more than {@link #MAX_EXPANDED_NODES} nodes (billion
     * laughs). Only anchored nodes are remembered, so a file without aliases costs no memory here.
     */
    private static final class AliasCheck {
        private final String source;
        private final Map<Node, long[]> anchored = new java.util.IdentityHashMap<>();
        private final java.util.Set<Node> open = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        private long added;

        AliasCheck(String source) {
            this.source = source;
        }

        /** The expanded size and height of {@code n}. */
        long[] walk(Node n, int depth) throws LoadException {
            if (depth > MAX_DEPTH) {
                throw new LoadException(where(n, source), "nested more than " + MAX_DEPTH + " levels deep");
            }
            long[] known = anchored.get(n);
            if (known != null) {
                if (depth + known[1] > MAX_DEPTH) {
                    throw new LoadException(where(n, source), "nested more than " + MAX_DEPTH + " levels deep");
                }
                added += known[0];
                if (added > MAX_EXPANDED_NODES) {
                    throw new LoadException(where(n, source), "aliases expand the document by more than "
                            + String.format("%,d", MAX_EXPANDED_NODES) + " nodes (a YAML bomb?)");
                }
                return known;
            }
            boolean anchor = n.getAnchor() != null;
            if (anchor && !open.add(n)) {
                throw new LoadException(where(n, source), "an alias refers to a node that contains it");
            }
            long size = 1;
            long height = 0;
            List<Node> children = new ArrayList<>();
            if (n instanceof MappingNode m) {
                for (NodeTuple t : m.getValue()) {
                    children.add(t.getKeyNode());
                    children.add(t.getValueNode());
                }
            } else if (n instanceof SequenceNode s) {
                children = s.getValue();
            }
            for (Node c : children) {
                long[] r = walk(c, depth + 1);
                size += r[0];
                height = Math.max(height, r[1] + 1);
            }
            long[] measured = {size, height};
            if (anchor) {
                open.remove(n);
                anchored.put(n, measured);
            }
            return measured;
        }
    }

    private static String firstLine(String s) {
        int i = s.indexOf('\n');
        return (i < 0 ? s : s.substring(0, i)).trim();
    }

    private static String where(Node n, String source) {
        Mark m = n.getStartMark();
        return m == null ? source : source + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
    }

    public String where() {
        return where(node, source);
    }

    public String source() {
        return source;
    }

    public LoadException error(String message) {
        return new LoadException(where(), message);
    }

    /** The node's tag as written ({@code tag:yaml.org,2002:python/object:archai.nas.model_desc.ModelDesc}); never constructed. */
    public String tag() {
        return node.getTag().getValue();
    }

    public boolean isMap() {
        return node instanceof MappingNode;
    }

    public boolean isSeq() {
        return node instanceof SequenceNode;
    }

    public boolean isScalar() {
        return node instanceof ScalarNode;
    }

    public boolean isNull() {
        return node instanceof ScalarNode s && ("null".equals(s.getTag().getValue().replace("tag:yaml.org,2002:", ""))
                || s.getValue().isEmpty() || s.getValue().equals("~") || s.getValue().equals("null"));
    }

    /** A mapping with string keys, in file order; duplicate keys are an error. */
    public Map<String, YNode> map() throws LoadException {
        if (!(node instanceof MappingNode m)) {
            throw error(expected("a mapping (key: value)"));
        }
        Map<String, YNode> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            YNode k = new YNode(t.getKeyNode(), source);
            String key = k.str();
            if (out.put(key, new YNode(t.getValueNode(), source, key)) != null) {
                throw k.error("key '" + key + "' appears twice");
            }
        }
        return out;
    }

    /** Like {@link #map()}, and every key must be one of {@code allowed}. */
    public Map<String, YNode> map(Collection<String> allowed) throws LoadException {
        Map<String, YNode> m = map();
        for (NodeTuple t : ((MappingNode) node).getValue()) {
            YNode k = new YNode(t.getKeyNode(), source);
            String key = k.str();
            if (!allowed.contains(key)) {
                String hint = allowed.stream().filter(a -> a.startsWith(key.substring(0, Math.min(2, key.length()))))
                        .findFirst().map(a -> " (did you mean '" + a + "'?)").orElse("");
                throw k.error("unknown key '" + key + "'" + hint + "; expected one of " + String.join(", ", allowed));
            }
        }
        return m;
    }

    public List<YNode> seq() throws LoadException {
        if (!(node instanceof SequenceNode s)) {
            throw error(expected("a list"));
        }
        List<YNode> out = new ArrayList<>();
        for (Node c : s.getValue()) {
            out.add(new YNode(c, source));
        }
        return out;
    }

    public String str() throws LoadException {
        if (!(node instanceof ScalarNode s)) {
            throw error(expected("a string"));
        }
        return s.getValue();
    }

    /** "name must be a string, found a list" for a field, "expected a string, found a list" for a list item. */
    private String expected(String what) {
        return (key == null ? "expected " + what : key + " must be " + what) + ", found " + describe();
    }

    public double number() throws LoadException {
        if (!isScalar()) {
            throw error(expected("a number"));
        }
        String v = str().trim();
        try {
            double d = Double.parseDouble(v.replace("_", ""));
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw error("expected a finite number, found '" + v + "'");
            }
            return d;
        } catch (NumberFormatException e) {
            throw error("expected a number, found '" + v + "'");
        }
    }

    public int integer() throws LoadException {
        double d = number();
        if (d != Math.rint(d) || Math.abs(d) > 1e9) {
            throw error("expected a whole number, found '" + str() + "'");
        }
        return (int) d;
    }

    public int integer(int min, int max) throws LoadException {
        int v = integer();
        if (v < min || v > max) {
            throw error((key == null ? "expected" : key + " must be") + " a whole number from " + min + " to " + max + ", found " + v);
        }
        return v;
    }

    public boolean bool() throws LoadException {
        if (!isScalar()) {
            throw error(expected("true or false"));
        }
        String v = str().trim().toLowerCase();
        return switch (v) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw error("expected true or false, found '" + v + "'");
        };
    }

    public boolean isNumber() {
        if (!(node instanceof ScalarNode s)) {
            return false;
        }
        try {
            Double.parseDouble(s.getValue().trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    public String describe() {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        String v = ((ScalarNode) node).getValue();
        return v.isEmpty() ? "nothing" : "'" + (v.length() > 40 ? v.substring(0, 40) + "..." : v) + "'";
    }

    public static Optional<YNode> opt(Map<String, YNode> m, String key) {
        YNode n = m.get(key);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
    }

    public static YNode req(Map<String, YNode> m, String key, YNode parent) throws LoadException {
        YNode n = m.get(key);
        if (n == null || n.isNull()) {
            throw parent.error("missing '" + key + "'");
        }
        return n;
    }
}
