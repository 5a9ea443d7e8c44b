package io.cellforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.NetworkStats;
import io.cellforge.analysis.SpaceStats;
import io.cellforge.analysis.Validator;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Genotype;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.io.ArchaiDesc;
import io.cellforge.io.Escape;
import io.cellforge.io.Imported;
import io.cellforge.io.SourceMap;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.DartsCells;
import io.cellforge.zoo.Zoo;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "stats", mixinStandardHelpOptions = true, description = {"Parameters and multiply-adds: per part and in total for a fixed network,",
        "the range and the number of architectures for a search space."})
final class StatsCommand implements Callable<Integer> {

    static final class Source {
        @Parameters(paramLabel = "FILE", description = "a space file (Cellforge, VEGA or ModularNAS YAML)")
        Path file;
        @Option(names = "--zoo", paramLabel = "NAME", description = "a zoo space")
        String zoo;
        @Option(names = "--genotype", paramLabel = "TEXT", description = "a DARTS Genotype(...) in the DARTS evaluation network")
        String genotype;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--arch", paramLabel = "FILE", description = "count the architecture in FILE (any supported format)")
    Path arch;
    @Option(names = "--channels", paramLabel = "C", description = "with --genotype: initial channels (default ${DEFAULT-VALUE})", defaultValue = "36")
    int channels;
    @Option(names = "--layers", paramLabel = "N", description = "with --genotype: cells (default ${DEFAULT-VALUE})", defaultValue = "20")
    int layers;
    @Option(names = "--classes", paramLabel = "N", description = "with --genotype: classes (default 10, 1000 with --imagenet)")
    Integer classes;
    @Option(names = "--imagenet", description = "with --genotype: the ImageNet network (224x224, three-conv stem)")
    boolean imagenet;
    @Option(names = "--auxiliary", description = "with --genotype: add the auxiliary head (its parameters are reported apart)")
    boolean auxiliary;
    @Option(names = "--ops", paramLabel = "PEER", description = {"with --genotype: whose op table the names mean: darts",
            "(quark0/darts and the codes built on it) or snas (SNAS-Series, a BN after each pool);",
            "default darts, snas for SNAS's edge_all form"})
    String ops;
    @Option(names = "--step", paramLabel = "NAME", description = "the step of a VEGA pipeline config to read (default: its search step)")
    String step;
    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SearchSpace space;
        SourceMap sources = SourceMap.empty();
        String file = "";
        Architecture a = Architecture.empty();
        if (step != null && source.file == null) {
            throw new Main.UserError("--step names a step of a VEGA pipeline config given as FILE");
        }
        if (source.genotype != null) {
            if (channels < 2 || layers < 3 || channels > 4096 || layers > 1000) {
                throw new Main.UserError("--channels must be 2..4096 and --layers 3..1000");
            }
            int cls = classes != null ? classes : imagenet ? 1000 : 10;
            if (cls < 1) {
                throw new Main.UserError("--classes must be at least 1");
            }
            Genotype g = Inputs.genotype(source.genotype);
            boolean edgeAll = Genotype.isEdgeAll(g.normal(), g.normalInputs())
                    || g.reduce() != null && Genotype.isEdgeAll(g.reduce(), g.reduceInputs());
            Map<String, String> table = DartsCells.OP_TABLES.get(ops != null ? ops : edgeAll ? "snas" : "darts");
            if (table == null) {
                throw new Main.UserError("--ops must be one of " + String.join(", ", new java.util.TreeSet<>(DartsCells.OP_TABLES.keySet())));
            }
            if (ArchaiDesc.isArchai(source.genotype)) {
                if (imagenet || ops != null) {
                    throw new Main.UserError("--genotype: an Archai model description builds Archai's CIFAR network; "
                            + "--imagenet and --ops do not apply");
                }
                space = Zoo.archaiEval(g, channels, layers, cls, auxiliary);
            } else {
                space = Zoo.dartsEval(g, channels, layers, cls, imagenet, auxiliary, table);
            }
        } else if (source.zoo != null) {
            space = Inputs.zoo(source.zoo);
        } else {
            Imported im = Inputs.space(source.file, step);
            Inputs.printWarnings(spec.commandLine().getErr(), im, source.file.toString());
            space = im.space();
            sources = im.sources();
            file = source.file.toString();
            if (im.arch() != null) {
                a = im.arch();
            }
        }
        if (arch != null) {
            String text = Inputs.text(arch);
            ArchFormat f = ArchFormat.byFileName(arch).filter(x -> x != ArchFormat.YAML).orElse(ArchFormats.sniff(text));
            a = Inputs.arch(f, text, arch, space, spec.commandLine().getErr());
        }
        // Figures of a space that validate rejects would be meaningless (or -1): report its errors instead.
        Inputs.requireValid(Validator.validate(space), sources, file);
        PrintWriter out = spec.commandLine().getOut();
        if (space.isFixed() || !a.choices().isEmpty()) {
            NetworkStats st = Evaluator.evaluate(space, a);
            Inputs.requireValid(st.problems(), sources, file);
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("name", space.name());
                o.put("params", st.params());
                o.put("macs", st.macs());
                if (space.network().auxiliary() != null) {
                    o.put("aux_params", st.auxParams());
                }
                o.put("input", List.of(space.network().input().channels(), space.network().input().height(),
                        space.network().input().width()));
                o.put("classes", space.network().classes());
                dynamicJson(o, st);
                out.println(new ObjectMapper().writeValueAsString(o));
            } else {
                table(out, space, st);
                dynamic(out, st);
            }
            return 0;
        }
        SpaceStats ss = SpaceStats.of(space);
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", space.name());
            o.put("architectures", ss.architectures());
            o.put("params", range(ss.minParams().value(), ss.maxParams().value()));
            o.put("macs", range(ss.minMacs().value(), ss.maxMacs().value()));
            o.put("supernet_params", ss.supernetParams());
            o.put("choices", space.mutablesByKey().size());
            dynamicJson(o, Evaluator.supernet(space));
            out.println(new ObjectMapper().writeValueAsString(o));
        } else {
            out.println(Escape.line(space.name()) + ": a search space with " + space.mutablesByKey().size() + " choices");
            out.printf("  architectures   %s%n", count(ss.architectures()));
            out.printf("  parameters      %s .. %s%n", n(ss.minParams().value()), n(ss.maxParams().value()));
            out.printf("  multiply-adds   %s .. %s%n", n(ss.minMacs().value()), n(ss.maxMacs().value()));
            out.printf("  supernet        %s parameters (every candidate built)%n", n(ss.supernetParams()));
            dynamic(out, Evaluator.supernet(space));
        }
        return 0;
    }

    /** One dynamic op of a LayerChoice (or a fixed place) summed over the places it stands: its heads and their work. */
    private record DynamicRow(String key, String op, int places, long headParams, long macs) {
    }

    private static List<DynamicRow> dynamicRows(NetworkStats st) {
        Map<List<String>, DynamicRow> rows = new LinkedHashMap<>();
        for (NetworkStats.Dynamic d : st.dynamic()) {
            List<String> k = List.of(d.key() == null ? d.place() : d.key(), d.op());
            DynamicRow r = rows.get(k);
            rows.put(k, r == null ? new DynamicRow(k.get(0), d.op(), 1, d.headParams(), d.macs())
                    : new DynamicRow(k.get(0), d.op(), r.places() + 1, r.headParams() + d.headParams(), r.macs() + d.macs()));
        }
        return List.copyOf(rows.values());
    }

    /**
     * The weight generators and, per dynamic op (each candidate of a space's LayerChoices), the parameters of its
     * generator heads and the multiply-adds of its dynamic convolutions with the heads', summed over its places.
     */
    private static void dynamic(PrintWriter out, NetworkStats st) {
        List<NetworkStats.Part> generators = st.parts().stream().filter(p -> p.kind().equals("weight generator")).toList();
        if (generators.isEmpty()) {
            return;
        }
        out.println("weight generators (per sample)");
        for (NetworkStats.Part g : generators) {
            out.printf("  %-24s %s context values -> %s, %s parameters, %s multiply-adds%n", Escape.line(g.name().substring(10)),
                    n(g.in().size()), n(g.out().size()), n(g.params()), n(g.macs()));
        }
        out.printf("  %-24s %-20s %7s %14s %16s%n", "dynamic op (key)", "op", "places", "head params", "multiply-adds");
        for (DynamicRow r : dynamicRows(st)) {
            out.printf("  %-24s %-20s %7d %14s %16s%n", Escape.line(r.key()), Escape.line(r.op()), r.places(), n(r.headParams()),
                    n(r.macs()));
        }
    }

    private static void dynamicJson(Map<String, Object> o, NetworkStats st) {
        List<Map<String, Object>> generators = new java.util.ArrayList<>();
        for (NetworkStats.Part g : st.parts()) {
            if (g.kind().equals("weight generator")) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", g.name().substring(10));
                m.put("context", g.in().size());
                m.put("outputs", g.out().size());
                m.put("params", g.params());
                m.put("macs", g.macs());
                generators.add(m);
            }
        }
        if (generators.isEmpty()) {
            return;
        }
        o.put("generators", generators);
        List<Map<String, Object>> ops = new java.util.ArrayList<>();
        for (DynamicRow r : dynamicRows(st)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", r.key());
            m.put("op", r.op());
            m.put("places", r.places());
            m.put("head_params", r.headParams());
            m.put("macs", r.macs());
            ops.add(m);
        }
        o.put("dynamic", ops);
    }

    private static void table(PrintWriter out, SearchSpace space, NetworkStats st) {
        out.printf("%-16s %-16s %-12s %-12s %14s %16s%n", "part", "kind", "input", "output", "params", "multiply-adds");
        for (NetworkStats.Part p : st.parts()) {
            out.printf("%-16s %-16s %-12s %-12s %14s %16s%n", Escape.line(p.name()), p.kind(), p.in(), p.out(), n(p.params()), n(p.macs()));
        }
        out.printf("%-16s %-16s %-12s %-12s %14s %16s%n", "total", "", space.network().input(), st.output(), n(st.params()),
                n(st.macs()));
        if (space.network().auxiliary() != null) {
            out.printf("auxiliary head adds %s parameters (training only; not in the total)%n", n(st.auxParams()));
        }
    }

    private static Map<String, Long> range(long min, long max) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("min", min);
        m.put("max", max);
        return m;
    }

    static String n(long v) {
        return String.format("%,d", v);
    }

    static String count(BigInteger b) {
        if (b.bitLength() < 40) {
            return String.format("%,d", b);
        }
        String s = b.toString();
        return s.charAt(0) + "." + s.substring(1, 4) + "e" + (s.length() - 1);
    }
}
