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
        subcommands = {ValidateCommand.class, StatsCommand.class, ConvertCommand.class, ZooCommand.class, DataCommand.class, SearchCommand.class, RetrainCommand.class, EvaluateCommand.class, ExportOnnxCommand.class, BenchCommand.class})
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
        PrintWriter err = new PrintWriter(System.err, true);
        Thread.setDefaultUncaughtExceptionHandler(uncaught(err, System::exit));
        // The first start copies the engine's native libraries out of their jars: seconds of silence otherwise.
        io.cellforge.engine.Backend.setUnpackNotice(plan -> err.println(unpackLine(plan, io.cellforge.engine.NativeCache.prepare())));
        System.exit(run(args, new PrintWriter(System.out, true), err));
    }

    /** The line the first start prints before the engine's libraries are unpacked into {@code cache}. */
    static String unpackLine(io.cellforge.engine.NativeCache.Plan plan, java.nio.file.Path cache) {
        return Escape.line(String.format(java.util.Locale.ROOT, "unpacking the engine's native libraries (first start only: %,d MB into %s) ...",
                (plan.total() - plan.done()) >> 20, cache)); // MB as the splash counts them (2^20 bytes)
    }

    /** Runs a command line and returns the exit code: 0 ok, 1 the input has errors, 2 bad usage. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(new Main(), args, out, err);
    }

    /** {@link #run(String[], PrintWriter, PrintWriter)} with another top command (tests). */
    static int run(Object command, String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(command);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            String exhausted = exhausted(ex);
            if (exhausted != null) {
                err.println("cellforge: " + exhausted);
                return 1;
            }
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
        int code;
        try {
            code = cl.execute(args);
        } catch (VirtualMachineError e) { // picocli passes errors through: a command's, or its own
            String exhausted = exhausted(e);
            if (exhausted == null) {
                throw e;
            }
            err.println("cellforge: " + exhausted);
            code = 1;
        }
        out.flush();
        err.flush();
        return code;
    }

    /**
     * One line for a resource of the JVM that ran out (heap, ND4J's off-heap memory, a thread's stack), anywhere
     * in the chain of causes: what ran out and what to do; null for anything else.
     */
    static String exhausted(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                String what = c.getMessage() == null ? "" : c.getMessage().lines().findFirst().orElse("")
                        .replaceAll("\\p{Cntrl}", "?");
                what = what.length() > 160 ? what.substring(0, 160) + "..." : what;
                if (what.contains("hysicalBytes") || what.contains("Cannot allocate")) {
                    // JavaCPP's limit on ND4J's buffers outside the heap.
                    return "out of memory outside the Java heap (" + what + "); allow more with "
                            + "-Dorg.bytedeco.javacpp.maxphysicalbytes=SIZE (java -Dorg.bytedeco.javacpp.maxphysicalbytes=16G "
                            + "-jar cellforge.jar ...) if the machine has it, or use a smaller space or batch";
                }
                return "out of memory (" + (what.isEmpty() ? "Java heap" : what) + ", at most "
                        + (Runtime.getRuntime().maxMemory() >> 20) + " MB of heap); give Java more with -Xmx "
                        + "(java -Xmx8g -jar cellforge.jar ...), or use a smaller space, data set or batch";
            }
            if (c instanceof StackOverflowError) {
                return "out of stack space (StackOverflowError: the input is nested or chained too deeply); give "
                        + "threads a larger stack with -Xss (java -Xss512m -jar cellforge.jar ...), or use a smaller space";
            }
        }
        return null;
    }

    /**
     * For threads other than the command's (a search's workers, ND4J's): one line instead of a trace, and the
     * process ends, 1 for a resource that ran out, 3 for anything else, rather than waiting on a dead thread.
     */
    static Thread.UncaughtExceptionHandler uncaught(PrintWriter err, java.util.function.IntConsumer exit) {
        return (thread, e) -> {
            String exhausted = exhausted(e);
            err.println("cellforge: " + (exhausted != null ? exhausted : "internal error in thread '" + Escape.line(thread.getName())
                    + "': " + Escape.line(e.toString()) + " (please report it; CELLFORGE_DEBUG=1 shows details)"));
            if (exhausted == null && System.getenv("CELLFORGE_DEBUG") != null) {
                e.printStackTrace(err);
            }
            err.flush();
            exit.accept(exhausted != null ? 1 : 3);
        };
    }
}
