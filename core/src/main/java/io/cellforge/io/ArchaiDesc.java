package io.cellforge.io;

import io.cellforge.arch.Genotype;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Archai's model description ({@code ModelDesc.save}: YAML of {@code !!python/object:archai...model_desc.*} tags),
 * read as the DARTS genotype it holds. The tags are only matched as text on the composed node tree; nothing is
 * constructed. Archai's evaluation builds every cell from two templates, the first regular and the first reduction
 * cell of the file ({@code ModelDescBuilder.create_cell_templates}), so those two are the genotype; its cells sum
 * their edges and concatenate every node ({@code concate_channels}). The network around them is
 * {@link io.cellforge.zoo.Zoo#archaiEval}'s.
 */
public final class ArchaiDesc {
    /** Archai ops whose definition (archai/supergraph/nas/operations.py) is the DARTS op of the same name. */
    private static final Set<String> DARTS_OPS = Set.of("none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
            "sep_conv_3x3", "sep_conv_5x5", "sep_conv_7x7", "dil_conv_3x3", "dil_conv_5x5");

    private ArchaiDesc() {
    }

    public static boolean isArchai(String text) {
        String t = text.stripLeading();
        int eol = t.indexOf('\n');
        String first = eol < 0 ? t : t.substring(0, eol);
        return first.startsWith("!!python/object:archai.") && first.strip().endsWith("model_desc.ModelDesc");
    }

    public static Genotype read(String text, String source) throws LoadException {
        YNode root = YNode.parse(text, source);
        if (!root.tag().endsWith("model_desc.ModelDesc")) {
            throw root.error("expected an Archai ModelDesc, found the tag " + root.tag());
        }
        Map<String, YNode> top = root.map();
        YNode cells = YNode.req(top, "_cell_descs", root);
        YNode normal = null;
        YNode reduce = null;
        for (YNode c : cells.seq()) {
            Map<String, YNode> m = c.map();
            YNode type = YNode.req(m, "cell_type", c);
            // CellType is an Enum, saved as !!python/object/apply:...CellType [value].
            String t = type.isSeq() && type.seq().size() == 1 ? type.seq().get(0).str() : type.str();
            if (t.equals("regular") && normal == null) {
                normal = c;
            } else if (t.equals("reduction") && reduce == null) {
                reduce = c;
            } else if (!t.equals("regular") && !t.equals("reduction")) {
                throw type.error("unknown cell_type '" + t + "' (Archai has regular and reduction)");
            }
        }
        if (normal == null || reduce == null) {
            throw cells.error("an Archai DARTS model needs a regular and a reduction cell");
        }
        Cell n = cell(normal, false);
        Cell r = cell(reduce, true);
        return new Genotype(n.ops, n.concat, r.ops, r.concat, n.inputs, r.inputs);
    }

    private record Cell(List<Genotype.Op> ops, List<Integer> inputs, List<Integer> concat) {
    }

    private static Cell cell(YNode c, boolean reduction) throws LoadException {
        Map<String, YNode> m = c.map();
        for (String stem : List.of("s0_op", "s1_op")) {
            String name = opName(YNode.req(m, stem, c));
            // Cell.__init__ builds these from ModelDescBuilder's choice; both are the DARTS preprocessing ops.
            if (!name.equals("prepr_normal") && !name.equals("prepr_reduce")) {
                throw m.get(stem).error(stem + " '" + name + "' is not the DARTS preprocessing (prepr_normal, prepr_reduce)");
            }
        }
        YNode post = YNode.req(m, "post_op", c);
        if (!opName(post).equals("concate_channels")) {
            throw post.error("post_op '" + opName(post) + "': Cellforge's DARTS cell concatenates its nodes (concate_channels)");
        }
        List<Genotype.Op> ops = new ArrayList<>();
        List<Integer> inputs = new ArrayList<>();
        List<YNode> nodes = YNode.req(m, "_nodes", c).seq();
        for (int i = 0; i < nodes.size(); i++) {
            YNode node = nodes.get(i);
            List<YNode> edges = YNode.req(node.map(), "edges", node).seq();
            if (edges.isEmpty()) {
                throw node.error("node " + (i + 2) + " has no edges");
            }
            for (YNode e : edges) {
                Map<String, YNode> em = e.map();
                List<YNode> ids = YNode.req(em, "input_ids", e).seq();
                if (ids.size() != 1) {
                    throw e.error("an edge with " + ids.size() + " input_ids feeds a multi-input op; a DARTS edge has one");
                }
                int from = ids.get(0).integer(0, i + 1);
                YNode op = YNode.req(em, "op_desc", e);
                String name = opName(op);
                if (!DARTS_OPS.contains(name)) {
                    throw op.error("op '" + name + "' is not one of the DARTS ops Archai defines as DARTS does ("
                            + String.join(", ", DARTS_OPS.stream().sorted().toList()) + ")");
                }
                YNode params = YNode.req(op.map(), "params", op);
                YNode stride = YNode.req(params.map(), "stride", params);
                int expected = reduction && from < 2 ? 2 : 1;
                if (stride.integer() != expected) {
                    throw stride.error("stride " + stride.integer() + ": a DARTS " + (reduction ? "reduction" : "normal")
                            + " cell has stride " + expected + " on an edge from node " + from);
                }
                ops.add(new Genotype.Op(name, from));
            }
            inputs.add(edges.size());
        }
        if (nodes.isEmpty()) {
            throw c.error("the cell has no nodes");
        }
        // concate_channels takes every node's output (ModelDescBuilder._post_op_ch: out_states = node count).
        List<Integer> concat = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            concat.add(i + 2);
        }
        return new Cell(ops, inputs, concat);
    }

    private static String opName(YNode op) throws LoadException {
        return YNode.req(op.map(), "name", op).str();
    }
}
