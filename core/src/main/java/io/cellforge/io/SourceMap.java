package io.cellforge.io;

import io.cellforge.analysis.Problem;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where each element of a loaded model stood in its file, so that validation problems can name the line. */
public final class SourceMap {
    private final Map<String, String> places = new LinkedHashMap<>();

    public static SourceMap empty() {
        return new SourceMap();
    }

    void put(String place, String where) {
        places.putIfAbsent(place, where);
    }

    /** The file position of the most specific element a place names ("cell normal, edge in0->n2" before "cell normal"). */
    public String find(String place) {
        String best = "";
        int bestLen = -1;
        for (var e : places.entrySet()) {
            String p = e.getKey();
            if ((place.equals(p) || place.startsWith(p + ",") || place.startsWith(p + " ")) && p.length() > bestLen) {
                best = e.getValue();
                bestLen = p.length();
            }
        }
        return best;
    }

    public List<Problem> locate(List<Problem> problems) {
        return problems.stream().map(p -> p.source().isEmpty() ? p.withSource(find(p.place())) : p).toList();
    }
}
