package io.cellforge.io;

import io.cellforge.space.Problem;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where each element of a loaded model stood in its file, so that validation problems can name the line. */
public final class SourceMap {
    private final Map<String, String> places = new LinkedHashMap<>();
    /** Where a place no entry covers is reported (an imported file's search_space), or empty. */
    private String fallback = "";

    public static SourceMap empty() {
        return new SourceMap();
    }

    void put(String place, String where) {
        places.putIfAbsent(place, where);
    }

    /** A stage under both names the analysis uses: "stage 2 (reduce 1)" and "stage reduce 1". */
    void putStage(int index, String name, String where) {
        put("stage " + index + " (" + name + ")", where);
        put("stage " + name, where);
    }

    void fallback(String where) {
        fallback = where;
    }

    /** The file position of the most specific element a place names ("cell normal, edge in0->n2" before "cell normal"). */
    public String find(String place) {
        String best = fallback;
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
