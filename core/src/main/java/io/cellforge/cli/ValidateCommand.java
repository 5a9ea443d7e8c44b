package io.cellforge.cli;

import io.cellforge.space.Problem;
import io.cellforge.io.Escape;
import io.cellforge.io.Imported;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "validate", mixinStandardHelpOptions = true, description = "Check a search space (Cellforge, VEGA or ModularNAS YAML) and list every problem with its place.")
final class ValidateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the space to check")
    Path file;

    @Option(names = "--step", paramLabel = "NAME", description = "the step of a VEGA pipeline config to read (default: its search step)")
    String step;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Imported im = Inputs.space(file, step);
        List<Problem> problems = Inputs.problems(im);
        var out = spec.commandLine().getOut();
        for (Problem p : problems) {
            out.println(Inputs.line(p, file.toString()));
        }
        long errors = problems.stream().filter(Problem::isError).count();
        long warnings = problems.size() - errors;
        out.println(Escape.line(file.toString()) + ": " + (errors == 0 ? "valid" : errors + " error" + (errors == 1 ? "" : "s"))
                + (warnings > 0 ? ", " + warnings + " warning" + (warnings == 1 ? "" : "s") : ""));
        return errors == 0 ? 0 : 1;
    }
}
