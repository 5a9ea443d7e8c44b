package io.cellforge.cli;

import io.cellforge.arch.Architecture;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.io.Escape;
import io.cellforge.io.Imported;
import io.cellforge.io.LoadException;
import io.cellforge.io.NniFormats;
import io.cellforge.io.SpaceFiles;
import io.cellforge.io.SpaceYaml;
import io.cellforge.io.VegaDesc;
import io.cellforge.space.SearchSpace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "convert", mixinStandardHelpOptions = true, description = {"Convert an architecture description between formats, or a VEGA/ModularNAS",
        "space into Cellforge YAML. Formats: yaml, nni (.json), genotype (.genotype), modnas (.modnas.yaml), nb201 (.nb201),",
        "vega (.vega.yml: the model_desc of an architecture of a VEGA space, with --space FILE).",
        "OUT is written atomically and left untouched on any error."})
final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN")
    Path in;
    @Parameters(index = "1", paramLabel = "OUT")
    Path out;
    @Option(names = "--to", paramLabel = "FORMAT", description = "output format (default: from OUT's extension)")
    String to;
    @Option(names = "--from", paramLabel = "FORMAT", description = "input format (default: from IN's content)")
    String from;
    @Option(names = "--space", paramLabel = "FILE", description = "the space the architecture belongs to")
    Path space;
    @Option(names = "--zoo", paramLabel = "NAME", description = "the zoo space the architecture belongs to")
    String zoo;
    @Option(names = "--nni-version", paramLabel = "1|2|3", description = {"the NNI dict to write: 1 NNI 1.x-2.8 mutables "
            + "(DartsCell, ENAS, NASBench201Cell; the default), 2 NNI 2.8-2.10 hub (normal/op_2_0, inputs as ints), 3 NNI 3.0 hub (inputs as [j])"})
    Integer nniVersion;

    @Option(names = "--step", paramLabel = "NAME", description = "the step of a VEGA pipeline config to read (default: its search step)")
    String step;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        String text = Inputs.text(in);
        if ("vega".equals(to) || (to == null && out.getFileName().toString().matches("(?i).*\\.vega\\.ya?ml"))) {
            return writeVega(text);
        }
        ArchFormat target = to != null ? format(to) : ArchFormat.byFileName(out).orElseThrow(() ->
                new Main.UserError(out + ": cannot tell the format from the name; add --to yaml|nni|genotype|modnas|nb201|vega"));
        String result;
        boolean spaceIn = from == null && Inputs.isSpaceFile(in, text);
        if (step != null && !spaceIn && space == null) {
            throw new Main.UserError("--step names a step of a VEGA pipeline config, given as IN or as --space FILE");
        }
        if (spaceIn) {
            if (target != ArchFormat.YAML) {
                throw new Main.UserError(in + " is a search space; spaces convert to Cellforge YAML (--to yaml)");
            }
            Imported im = Inputs.space(in, step);
            Inputs.printWarnings(spec.commandLine().getErr(), im, in.toString());
            result = SpaceYaml.write(im.space());
        } else {
            ArchFormat f = from != null ? format(from) : ArchFormats.sniff(text);
            SearchSpace s = Inputs.contextFor(f, text, in, space, zoo, step);
            Architecture a = Inputs.arch(f, text, in, s, spec.commandLine().getErr());
            if (nniVersion != null && (target != ArchFormat.NNI || !NniFormats.VERSIONS.contains(nniVersion))) {
                throw new Main.UserError(target != ArchFormat.NNI ? "--nni-version is for --to nni" : "--nni-version is 1, 2 or 3");
            }
            try {
                result = target == ArchFormat.NNI && nniVersion != null ? NniFormats.write(s, a, nniVersion) : ArchFormats.write(target, s, a);
            } catch (LoadException e) {
                throw new Main.UserError(out + ": " + e.getMessage());
            }
        }
        try {
            SpaceFiles.writeAtomically(out, result);
        } catch (IOException e) {
            throw new Main.UserError(e.getMessage()); // names the file and the reason
        }
        spec.commandLine().getOut().println("wrote " + Escape.line(out.toString()) + " (" + target.id + ")");
        return 0;
    }

    /** A searched architecture of a VEGA space, as the description VEGA builds (needs the VEGA file: --space). */
    private Integer writeVega(String text) {
        if (space == null) {
            throw new Main.UserError("--to vega needs --space FILE: the VEGA file the architecture was searched in");
        }
        ArchFormat f = from != null ? format(from) : ArchFormats.sniff(text);
        String spaceText = Inputs.text(space); // read once: the space, and the VEGA file the description is written from
        try {
            SearchSpace s = SpaceFiles.readSpace(spaceText, space.toString(), SpaceFiles.spaceName(space), step).space();
            Architecture a = Inputs.arch(f, text, in, s, spec.commandLine().getErr());
            SpaceFiles.writeAtomically(out, VegaDesc.write(spaceText, space.toString(), step, s, a));
        } catch (LoadException | IOException e) {
            throw new Main.UserError(e.getMessage());
        }
        spec.commandLine().getOut().println("wrote " + Escape.line(out.toString()) + " (vega)");
        return 0;
    }

    private static ArchFormat format(String id) {
        if (id.equalsIgnoreCase("vega")) {
            throw new Main.UserError("vega is written only (--to vega); a VEGA file is read as the space, with --space FILE");
        }
        return ArchFormat.byId(id).orElseThrow(() -> new Main.UserError("unknown format '" + id
                + "'; use yaml, nni, genotype, modnas, nb201 or vega"));
    }
}
