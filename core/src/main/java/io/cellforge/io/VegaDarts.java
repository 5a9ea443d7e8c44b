package io.cellforge.io;

import io.cellforge.space.Problem;
import io.cellforge.arch.Genotype;
import io.cellforge.ops.OpCatalog;
import io.cellforge.ops.Shape;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.UserOp;
import io.cellforge.zoo.Zoo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.cellforge.io.ForeignSpaces.note;

/**
 * VEGA's DARTS network. VEGA 0.9's is DARTS's own: {@code super_network/darts_network.py} (a PreOneStem of
 * 3 x init_channels, cells as the {@code network} list names them, C doubling at each 'reduce', preprocess
 * ReLUConvBN or FactorizedReduce after a reduction, stride 2 on a reduction cell's edges from its two inputs, pools
 * followed by an affine-free BN in the search's MixedOp, global pooling and a Linear), and VEGA 1.x
 * {@code vega/networks/super_network.py} (the same from {@code stem}, {@code cells.modules} and a
 * LinearClassificationHead), whose sep_conv ops are a single depthwise-pointwise-BN-ReLU ({@link #vega1SepConv}).
 * A search network with every edge over the same candidates, reductions where DARTS puts
 * them (layers/3 and 2 layers/3), is Cellforge's darts-search; a fixed one (search: False, one op per edge, two
 * edges per node) is the DARTS evaluation network of its genotype.
 */
final class VegaDarts {
    private VegaDarts() {
    }

    static final Set<String> NETWORKS = Set.of("DartsNetwork", "CARSDartsNetwork");

    /** VEGA 1.x's separable convolutions are not DARTS's: they get their own names in Cellforge. */
    static final String VEGA1_SEP = "vega_";

    /**
     * VEGA 1.x {@code vega/modules/operators/mix_ops.py} OPS['sep_conv_kxk'] = SeparatedConv(C, C, k, stride, k/2)
     * ({@code conv.py}): one depthwise k x k conv (the stride), a pointwise 1x1, BN, ReLU -- where DARTS stacks two
     * ReLU-depthwise-pointwise-BN blocks.
     */
    static UserOp vega1SepConv(int k) {
        Map<String, Param> dw = new LinkedHashMap<>();
        dw.put("kernel", Param.of(k));
        dw.put("stride", Param.ref("stride"));
        dw.put("padding", Param.of(k / 2));
        Map<String, Param> pw = new LinkedHashMap<>();
        pw.put("out", Param.ref("C_out"));
        pw.put("kernel", Param.of(1));
        pw.put("padding", Param.of(0));
        return new UserOp(VEGA1_SEP + "sep_conv_" + k + "x" + k, "VEGA 1.x SeparatedConv: depthwise " + k + "x" + k
                + ", pointwise 1x1, BN, ReLU", List.of(new OpCall("dwconv", dw), new OpCall("conv", pw), OpCall.of("bn"), OpCall.of("relu")));
    }

    /** The name Cellforge gives a VEGA op: VEGA 1.x's sep_conv_kxk become vega_sep_conv_kxk. */
    private static String opName(String vega, boolean v1) {
        return v1 && vega.startsWith("sep_conv_") ? VEGA1_SEP + vega : vega;
    }

    /** The network named by a space's single module, or null when it is none of VEGA's DARTS networks. */
    static YNode network(Map<String, YNode> desc) throws LoadException {
        YNode modules = desc.get("modules");
        if (modules == null || !modules.isSeq() || modules.seq().size() != 1 || !modules.seq().get(0).isScalar()) {
            return null;
        }
        YNode net = desc.get(modules.seq().get(0).str());
        if (net == null || !net.isMap()) {
            return null;
        }
        Map<String, YNode> m = net.map();
        YNode type = m.containsKey("type") ? m.get("type") : m.get("name");
        return type != null && type.isScalar() && NETWORKS.contains(type.str()) ? net : null;
    }

    static SearchSpace read(YNode netNode, String name, Shape stepInput, List<Problem> notes) throws LoadException {
        Map<String, YNode> net = netNode.map();
        boolean v1 = net.containsKey("cells");
        List<String> cells = new ArrayList<>();
        Map<String, YNode> cellDescs;
        if (v1) {
            Map<String, YNode> stem = YNode.req(net, "stem", netNode).map();
            String stemType = YNode.req(stem, "type", net.get("stem")).str();
            int multi = YNode.opt(stem, "stem_multi").isPresent() ? stem.get("stem_multi").integer() : 3;
            if (!stemType.equals("PreOneStem") || multi != 3) {
                throw net.get("stem").error("not read: a DARTS stem other than PreOneStem with stem_multi 3");
            }
            cellDescs = net.get("cells").map();
            for (YNode c : YNode.req(cellDescs, "modules", net.get("cells")).seq()) {
                cells.add(c.str());
            }
            // vega/networks/super_network.py DartsNetwork.call: `weights = alphas_reduce if ... 'NormalCell'`.
            notes.add(note(netNode, "super_network", "VEGA 1.x's DartsNetwork.call weighs NormalCells with alphas_reduce and "
                    + "ReduceCells with alphas_normal; Cellforge weighs each cell with its own"));
        } else {
            List<YNode> list = YNode.req(net, "network", netNode).seq();
            if (list.isEmpty() || !list.get(0).str().equals("PreOneStem")) {
                throw net.get("network").error("not read: a DARTS network that does not start with PreOneStem");
            }
            for (YNode c : list.subList(1, list.size())) {
                cells.add(c.str());
            }
            cellDescs = net;
        }
        Set<String> read = Set.of("type", "name", "network", "stem", "cells", "head", "init_channels", "num_classes",
                "auxiliary", "search", "input_size", "normal", "reduce");
        boolean aux = YNode.opt(net, "auxiliary").isPresent() && net.get("auxiliary").bool();
        for (String k : net.keySet()) {
            // aux_size and auxiliary_layer only shape the auxiliary head.
            if (!read.contains(k) && (aux || !Set.of("aux_size", "auxiliary_layer").contains(k))) {
                notes.add(note(net.get(k), "super_network." + k, "not mapped"));
            }
        }
        int c = YNode.req(net, "init_channels", netNode).integer(1, 1 << 14);
        int classes = YNode.req(net, "num_classes", netNode).integer(1, 1 << 24);
        boolean search = YNode.req(net, "search", netNode).bool();
        if (aux) {
            notes.add(note(net.get("auxiliary"), "auxiliary", "not mapped: the auxiliary head; read without it"));
        }
        int layers = cells.size();
        for (int i = 0; i < layers; i++) {
            boolean red = i == layers / 3 || i == 2 * layers / 3;
            String n = cells.get(i);
            if (!n.equals(red ? "reduce" : "normal")) {
                throw netNode.error("not read: DARTS cells " + cells + " put the reductions elsewhere than DARTS (cells "
                        + layers / 3 + " and " + 2 * layers / 3 + ")");
            }
        }
        Shape input = stepInput;
        if (input == null) {
            int size = YNode.opt(net, "input_size").isPresent() ? net.get("input_size").integer(1, 4096) : 32;
            input = new Shape(3, size, size);
        }
        List<List<String>> normal = edges(cellDescs, "normal", search, netNode, v1);
        List<List<String>> reduce = edges(cellDescs, "reduce", search, netNode, v1);
        Map<String, UserOp> userOps = new LinkedHashMap<>();
        for (List<List<String>> cell : List.of(normal, reduce)) {
            for (List<String> e : cell) {
                for (String o : search ? e : e.subList(0, 1)) {
                    if (o.startsWith(VEGA1_SEP)) {
                        userOps.put(o, vega1SepConv(o.charAt(o.length() - 1) - '0'));
                    }
                }
            }
        }
        if (!userOps.isEmpty()) {
            notes.add(note(netNode, "super_network", "VEGA 1.x's sep_conv ops are one depthwise-pointwise-BN-ReLU (vega/modules/operators"
                    + "/conv.py SeparatedConv), not DARTS's two: read as " + String.join(", ", userOps.keySet())));
        }
        if (search) {
            List<String> ops = normal.get(0);
            for (List<List<String>> cell : List.of(normal, reduce)) {
                for (List<String> e : cell) {
                    if (!e.equals(ops)) {
                        throw netNode.error("not read: DARTS edges over different candidates (" + e + " and " + ops + ")");
                    }
                }
            }
            SearchSpace sp = Zoo.dartsSearch(c, layers, classes, input, ops);
            return new SearchSpace(name, "", sp.network(), sp.cells(), sp.values(), userOps, sp.meta());
        }
        Genotype g = new Genotype(pairs(normal), List.of(2, 3, 4, 5), pairs(reduce), List.of(2, 3, 4, 5));
        notes.add(note(netNode, "super_network", "read as the DARTS evaluation network of its genotype: " + g));
        SearchSpace eval = Zoo.dartsEval(g, c, layers, classes, false, false);
        return new SearchSpace(name, "", eval.network().withInput(input), eval.cells(), eval.values(), userOps, eval.meta());
    }

    /**
     * A cell's genotype as VEGA's Cell._compile reads it: [ops, to, from] per edge, grouped by node in order; the
     * DARTS cell has 4 steps, concatenated [2, 3, 4, 5]. For the search every node takes every earlier state.
     */
    private static List<List<String>> edges(Map<String, YNode> descs, String cell, boolean search, YNode where, boolean v1)
            throws LoadException {
        YNode node = descs.get(cell);
        if (node == null) {
            throw where.error("not read: no '" + cell + "' cell");
        }
        Map<String, YNode> d = node.map();
        int steps = YNode.req(d, "steps", node).integer();
        List<Integer> concat = ForeignSpaces.intList(YNode.req(d, "concat", node));
        if (steps != 4 || !concat.equals(List.of(2, 3, 4, 5))) {
            throw node.error("not read: a DARTS cell of " + steps + " steps concatenating " + concat + " (DARTS: 4, [2, 3, 4, 5])");
        }
        List<List<String>> out = new ArrayList<>();
        List<int[]> ends = new ArrayList<>();
        for (YNode e : YNode.req(d, "genotype", node).seq()) {
            List<YNode> t = e.seq();
            if (t.size() != 3) {
                throw e.error("a genotype edge is [op, to, from]");
            }
            List<String> ops = new ArrayList<>();
            for (YNode o : t.get(0).isSeq() ? t.get(0).seq() : List.of(t.get(0))) {
                boolean vegaSep = v1 && o.str().matches("sep_conv_[357]x[357]") && o.str().charAt(9) == o.str().charAt(11);
                if (!vegaSep && !OpCatalog.DARTS_PRIMITIVES.contains(o.str()) && OpCatalog.builtin().find(o.str())
                        .filter(def -> def.group().equals(OpCatalog.GROUP_DARTS)).isEmpty()) {
                    throw o.error("not read: op '" + o.str() + "' is not one of Cellforge's DARTS ops");
                }
                ops.add(opName(o.str(), v1));
            }
            if (t.get(0).isSeq() != search) {
                throw t.get(0).error(search ? "a search cell's edge lists its candidates" : "a fixed cell's edge names one op");
            }
            out.add(ops);
            ends.add(new int[] {t.get(1).integer(), t.get(2).integer()});
        }
        int i = 0;
        for (int to = 2; to < 2 + steps; to++) {
            int n = 0;
            for (; i < ends.size() && ends.get(i)[0] == to; i++, n++) {
                if (search && ends.get(i)[1] != n) {
                    throw node.error("not read: the search cell's node " + to + " does not take every earlier state in order");
                }
                if (ends.get(i)[1] >= to) {
                    throw node.error("edge " + i + " comes from state " + ends.get(i)[1] + ", not before node " + to);
                }
            }
            if (n != (search ? to : 2)) {
                throw node.error("not read: node " + to + " has " + n + " edges (" + (search ? "DARTS's search: every earlier state"
                        : "a DARTS genotype: two") + ")");
            }
        }
        if (i != ends.size()) {
            throw node.error("not read: edges into nodes other than 2 to 5");
        }
        List<List<String>> withFrom = new ArrayList<>();
        for (int k = 0; k < out.size(); k++) {
            List<String> l = new ArrayList<>(out.get(k));
            if (!search) {
                l.add(Integer.toString(ends.get(k)[1]));
            }
            withFrom.add(l);
        }
        return withFrom;
    }

    private static List<Genotype.Op> pairs(List<List<String>> edges) {
        List<Genotype.Op> ops = new ArrayList<>();
        for (List<String> e : edges) {
            ops.add(new Genotype.Op(e.get(0), Integer.parseInt(e.get(1))));
        }
        return ops;
    }
}
