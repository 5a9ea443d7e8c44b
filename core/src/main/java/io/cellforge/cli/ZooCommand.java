package io.cellforge.cli;

import io.cellforge.io.Escape;
import io.cellforge.io.SpaceFiles;
import io.cellforge.io.SpaceYaml;
import io.cellforge.zoo.Zoo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "zoo", mixinStandardHelpOptions = true, description = {"List the zoo, or write a zoo space as a YAML template.",
        "  cellforge zoo                       list", "  cellforge zoo NAME [-o FILE]        print or write one",
        "  cellforge zoo --write-all DIR       write every space to DIR/NAME.yaml"})
final class ZooCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "NAME")
    String name;
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write to FILE instead of printing")
    Path output;
    @Option(names = "--write-all", paramLabel = "DIR", description = "write every zoo space into DIR")
    Path all;
    @Option(names = "--force", description = "overwrite an existing file")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (all != null) {
            for (Zoo.Entry e : Zoo.entries()) {
                write(all.resolve(e.name() + ".yaml"), SpaceYaml.write(e.builder().get()));
            }
            out.println("wrote " + Zoo.entries().size() + " spaces to " + Escape.line(all.toString()));
            return 0;
        }
        if (name == null) {
            for (Zoo.Entry e : Zoo.entries()) {
                out.printf("%-22s %s%n", e.name(), e.description());
            }
            return 0;
        }
        String text = SpaceYaml.write(Inputs.zoo(name));
        if (output == null) {
            out.print(text);
            return 0;
        }
        if (Files.exists(output) && !force) {
            throw new Main.UserError(output + " exists; add --force to overwrite it");
        }
        write(output, text);
        out.println("wrote " + Escape.line(output.toString()));
        return 0;
    }

    /** A write that fails (a full disk, a folder without permission) is one line naming the file. */
    private static void write(Path file, String text) {
        try {
            SpaceFiles.writeAtomically(file, text);
        } catch (IOException e) {
            throw new Main.UserError(e.getMessage());
        }
    }
}
