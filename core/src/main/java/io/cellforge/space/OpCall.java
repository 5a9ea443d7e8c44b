package io.cellforge.space;

import io.cellforge.ops.OpCatalog;
import io.cellforge.ops.OpDef;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A fixed op on an edge or in a stage: a catalog name and its parameters. */
public record OpCall(String op, Map<String, Param> params) implements EdgeOp {
    public OpCall {
        params = java.util.Collections.unmodifiableMap(canonical(op, params));
    }

    /** Parameters in the op's declared order, then alphabetically: saved files must not depend on map order. */
    private static Map<String, Param> canonical(String op, Map<String, Param> params) {
        List<String> declared = OpCatalog.builtin().find(op).map(OpDef::params).orElse(List.of());
        List<String> keys = new ArrayList<>(params.keySet());
        keys.sort(Comparator.<String>comparingInt(k -> declared.contains(k) ? declared.indexOf(k) : declared.size())
                .thenComparing(Comparator.naturalOrder()));
        Map<String, Param> out = new LinkedHashMap<>();
        keys.forEach(k -> out.put(k, params.get(k)));
        return out;
    }

    public static OpCall of(String op) {
        return new OpCall(op, Map.of());
    }

    public static OpCall of(String op, String k1, double v1) {
        return new OpCall(op, Map.of(k1, Param.of(v1)));
    }

    public OpCall with(String name, Param p) {
        Map<String, Param> m = new LinkedHashMap<>(params);
        m.put(name, p);
        return new OpCall(op, m);
    }

    /** The label shown and exported for this op: its name, with parameters when it has any. */
    public String label() {
        if (params.isEmpty()) {
            return op;
        }
        StringBuilder b = new StringBuilder(op).append('(');
        String sep = "";
        for (var e : params.entrySet()) {
            b.append(sep).append(e.getKey()).append('=').append(e.getValue());
            sep = ", ";
        }
        return b.append(')').toString();
    }
}
