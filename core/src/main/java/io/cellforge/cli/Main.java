package io.cellforge.cli;

import io.cellforge.io.Escape;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code cellforge COMMAND}: every error a person can cause ends in one line on stderr and a non-zero exit code,
 * never a stack trace (set CELLFORGE_DEBUG=1 to see one for an internal error).
 */
@Command(name = "cellforge", mixinStandardHelpOptions = true, version = "Cellforge 0.1.0",
        description = "Design and search neural-network cells.",
        subcommands = {ValidateCommand.class, StatsCommand.class, ConvertCommand.class, ZooCommand.class, SearchCommand.class, RetrainCommand.class, BenchCommand.class})
public final class Main implements Runnable {

    /** An error a person caused, reported as one line. */
    public static final class UserError extends RuntimeException {
        public UserError(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        io.cellforge.engine.NativeEnvironment.prepare();
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        // ND4J warns about its own internals (op mappings, reflection) in ways that say nothing to a user.
        System.setProperty("org.slf4j.simpleLogger.log.org.nd4j", "error");
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line and returns the exit code: 0 ok, 1 the input has errors, 2 bad usage. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            if (ex instanceof UserError) {
                err.println("cellforge: " + Escape.line(ex.getMessage()));
                return 1;
            }
            err.println("cellforge: internal error: " + Escape.line(ex.toString()) + " (please report it; CELLFORGE_DEBUG=1 shows details)");
            if (System.getenv("CELLFORGE_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            return 3;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("cellforge: " + Escape.line(ex.getMessage()));
            err.println("Try 'cellforge " + (ex.getCommandLine().getCommandName().equals("cellforge") ? ""
                    : ex.getCommandLine().getCommandName() + " ") + "--help'.");
            return 2;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
