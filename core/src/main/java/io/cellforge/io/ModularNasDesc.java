package io.cellforge.io;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.arch.Genotype;
import io.cellforge.ops.OpCatalog;
import io.cellforge.space.Cell;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Node;
import io.cellforge.space.OpCall;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.space.StageKind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ModularNAS {@code arch_desc}, in the two forms its exporters write and its constructors read:
 * <ul>
 * <li>a network of Slots (MobileNetV2): one item per Slot in Slot order, each the list of the chosen candidate
 * ({@code DefaultSlotTraversalExporter} over {@code MixedOp.to_arch_desc}, read by {@code DefaultSlotArchDescConstructor},
 * which unwraps a one-item list and builds that name on the Slot);</li>
 * <li>a DARTS network: {@code [normal, reduce]} ({@code DARTSLikeNet.to_arch_desc}), each cell a list per node of its
 * edges {@code [[op], [input state], node state]} ({@code DAGLayer.to_arch_desc}; read by
 * {@code DAGLayer.build_from_arch_desc}, which finds each edge by its input state).</li>
 * </ul>
 * Other spaces are written as a {@code key: value} mapping, which ModularNAS does not read.
 */
final class ModularNasDesc {
    private ModularNasDesc() {
    }

    /** Cellforge's DARTS ops under the names ModularNAS registers them ({@code modnas/arch_space/ops.py}). */
    static final Map<String, String> DARTS_TO_MODNAS = Map.of("none", "NIL", "max_pool_3x3", "MAX", "avg_pool_3x3", "AVG",
            "skip_connect", "IDT", "sep_conv_3x3", "SC3", "sep_conv_5x5", "SC5", "dil_conv_3x3", "DC3", "dil_conv_5x5", "DC5");

    static String write(SearchSpace space, Architecture arch) throws LoadException {
        if (isDarts(space)) {
            return writeDarts(space, arch);
        }
        List<Stage> slots = slots(space);
        StringBuilder b = new StringBuilder();
        if (slots != null) {
            for (Stage st : slots) {
                String op = st.op() instanceof LayerChoice lc
                        ? ((Decision.Op) arch.get(lc.key()).orElseThrow(() -> new LoadException("", "no decision for " + lc.key()))).label()
                        : ((OpCall) st.op()).label();
                b.append("- [").append(Yaml.scalar(op)).append("]\n");
            }
            return b.length() == 0 ? "[]\n" : b.toString();
        }
        for (var e : arch.choices().entrySet()) {
            Object r = ArchFormats.rawOf(space, e.getKey(), e.getValue(), false);
            b.append(Yaml.scalar(e.getKey())).append(": ").append(r instanceof String s ? Yaml.scalar(s) : r.toString()).append('\n');
        }
        return b.length() == 0 ? "{}\n" : b.toString();
    }

    /** A file's arch_desc: the node itself, or its {@code arch_desc:} entry. */
    static Architecture readFile(String text, String source, SearchSpace space) throws LoadException {
        YNode root = YNode.parse(text, source);
        YNode desc = root.isMap() && root.map().containsKey("arch_desc") ? root.map().get("arch_desc") : root;
        return read(desc, space);
    }

    static Architecture read(YNode desc, SearchSpace space) throws LoadException {
        if (desc.isSeq() && isDarts(space)) {
            return readDarts(desc, space);
        }
        Map<String, Object> raw = new LinkedHashMap<>();
        Map<String, String> where = new LinkedHashMap<>();
        if (desc.isSeq()) {
            List<YNode> items = desc.seq();
            List<Stage> slots = slots(space);
            List<LayerChoice> choices = space.mutablesByKey().values().stream().filter(x -> x instanceof LayerChoice)
                    .map(x -> (LayerChoice) x).toList();
            if (slots != null && items.size() == slots.size()) {
                for (int i = 0; i < items.size(); i++) {
                    YNode it = unwrap(items.get(i));
                    Stage st = slots.get(i);
                    if (st.op() instanceof LayerChoice lc) {
                        raw.put(lc.key(), it.isScalar() ? it.str() : ArchFormats.yamlRaw(it));
                        where.put(lc.key(), it.where());
                    } else if (!it.isNull() && !it.str().equals(((OpCall) st.op()).label())) {
                        // The exporter writes null for a Slot that holds no mixed op; any name must be the fixed one.
                        throw it.error("Slot " + i + " (" + st.name() + ") is fixed to " + ((OpCall) st.op()).label()
                                + " in space '" + space.name() + "', the arch_desc says " + it.str());
                    }
                }
            } else if (items.size() == choices.size()) {
                // One item per choice: the Slots that are choices, as Cellforge wrote arch_desc before it counted all.
                for (int i = 0; i < items.size(); i++) {
                    YNode it = unwrap(items.get(i));
                    raw.put(choices.get(i).key(), it.isScalar() ? it.str() : ArchFormats.yamlRaw(it));
                    where.put(choices.get(i).key(), it.where());
                }
            } else {
                throw desc.error("arch_desc lists " + items.size() + " items but space '" + space.name() + "' has "
                        + (slots != null ? slots.size() + " Slots" : choices.size() + " choices"));
            }
        } else {
            for (var e : desc.map().entrySet()) {
                raw.put(e.getKey(), ArchFormats.yamlRaw(e.getValue()));
                where.put(e.getKey(), e.getValue().where());
            }
        }
        return ArchFormats.bind(space, raw, where, desc.where());
    }

    /** {@code get_next_desc}: a one-item list stands for its item. */
    private static YNode unwrap(YNode it) throws LoadException {
        return it.isSeq() && it.seq().size() == 1 ? it.seq().get(0) : it;
    }

    /**
     * The Slots of a MobileNetV2-like network, in order: every stage a block whose op is a ModularNAS primitive or a
     * choice among them, and no other choice in the space; null when the space is not one.
     */
    static List<Stage> slots(SearchSpace space) {
        List<Stage> out = new ArrayList<>();
        int choices = 0;
        for (Stage st : space.network().stages()) {
            if (st.kind() != StageKind.BLOCK || st.repeat() != null) {
                return null;
            }
            List<OpCall> ops = st.op() instanceof LayerChoice lc ? lc.candidates()
                    : st.op() instanceof OpCall c ? List.of(c) : List.of();
            if (ops.isEmpty() || !ops.stream().allMatch(ModularNasDesc::isModnasOp)) {
                return null;
            }
            choices += st.op() instanceof LayerChoice ? 1 : 0;
            out.add(st);
        }
        return out.isEmpty() || choices != space.mutablesByKey().size() ? null : out;
    }

    private static boolean isModnasOp(OpCall c) {
        return c.params().isEmpty() && OpCatalog.builtin().find(c.op()).filter(d -> d.group().equals(OpCatalog.GROUP_MODNAS)).isPresent();
    }

    static boolean isDarts(SearchSpace space) {
        Cell n = space.cells().get("normal");
        Cell r = space.cells().get("reduce");
        return n != null && r != null && n.inputs().size() == 2 && r.inputs().size() == 2 && space.cells().size() == 2;
    }

    private static String writeDarts(SearchSpace space, Architecture arch) throws LoadException {
        Genotype g = ArchFormats.toGenotype(space, arch);
        StringBuilder b = new StringBuilder();
        writeCell(b, "normal", g.normal());
        writeCell(b, "reduce", g.reduce());
        return b.toString();
    }

    private static void writeCell(StringBuilder b, String name, List<Genotype.Op> ops) throws LoadException {
        b.append("- # ").append(name).append('\n');
        for (int node = 0; node < ops.size() / 2; node++) {
            List<String> edges = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                Genotype.Op op = ops.get(2 * node + k);
                String m = DARTS_TO_MODNAS.get(op.name());
                if (m == null) {
                    throw new LoadException("", name + " node " + (node + 2) + ": op '" + op.name()
                            + "' has no ModularNAS primitive (those are " + DARTS_TO_MODNAS.keySet() + ")");
                }
                edges.add("[[" + m + "], [" + op.input() + "], " + (node + 2) + "]");
            }
            b.append("  - [").append(String.join(", ", edges)).append("]\n");
        }
    }

    private static Architecture readDarts(YNode desc, SearchSpace space) throws LoadException {
        List<YNode> cells = desc.seq();
        if (cells.size() != 2) {
            // DARTSLikeNet.build_from_arch_desc asserts one description per cell group (normal, reduce).
            throw desc.error("a DARTS arch_desc lists the normal and the reduce cell, [normal, reduce]; this one lists "
                    + cells.size() + " items");
        }
        Map<String, String> back = new LinkedHashMap<>();
        DARTS_TO_MODNAS.forEach((k, v) -> back.put(v, k));
        List<List<Genotype.Op>> parsed = new ArrayList<>();
        String[] names = {"normal", "reduce"};
        for (int c = 0; c < 2; c++) {
            Cell cell = space.cells().get(names[c]);
            List<Node> mids = cell.intermediates();
            List<YNode> nodes = cells.get(c).seq();
            if (nodes.size() != mids.size()) {
                throw cells.get(c).error("the " + names[c] + " cell lists " + nodes.size() + " nodes but the space's has " + mids.size());
            }
            List<Genotype.Op> ops = new ArrayList<>();
            for (int n = 0; n < nodes.size(); n++) {
                List<YNode> edges = nodes.get(n).seq();
                if (edges.size() != 2) {
                    throw nodes.get(n).error(names[c] + " node " + (n + 2) + " keeps " + edges.size()
                            + " edges; the space's nodes keep two");
                }
                for (YNode e : edges) {
                    List<YNode> parts = e.seq();
                    if (parts.size() != 3) {
                        throw e.error("an edge is [[op], [input], node], found " + parts.size() + " items");
                    }
                    YNode opNode = unwrap(parts.get(0));
                    String op = back.get(opNode.str());
                    if (op == null) {
                        throw opNode.error("'" + opNode.str() + "' is not a ModularNAS primitive of this space (" + back.keySet() + ")");
                    }
                    YNode in = unwrap(parts.get(1));
                    int from = in.integer();
                    if (from < 0 || from >= n + 2) {
                        throw in.error(names[c] + " node " + (n + 2) + " can take states 0.." + (n + 1) + ", not " + from);
                    }
                    ops.add(new Genotype.Op(op, from));
                }
            }
            parsed.add(ops);
        }
        Genotype g = new Genotype(parsed.get(0), ArchFormats.concatOf(space.cells().get("normal")), parsed.get(1),
                ArchFormats.concatOf(space.cells().get("reduce")));
        return ArchFormats.fromGenotype(g, space, desc.where());
    }
}
