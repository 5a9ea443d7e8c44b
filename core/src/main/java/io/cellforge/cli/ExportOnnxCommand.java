package io.cellforge.cli;

import io.cellforge.io.Escape;
import io.cellforge.model.ModelFile;
import io.cellforge.model.TrainedModel;
import io.cellforge.onnx.OnnxExport;
import io.cellforge.plan.PlanException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export-onnx", mixinStandardHelpOptions = true, description = {"Write a retrained model as ONNX (opset "
        + OnnxExport.OPSET + ") with its trained weights and BatchNorm statistics.",
        "MODEL_OR_RUN is a model file (retrain --save) or a run folder holding one (" + ModelFile.IN_RUN + ").",
        "The graph takes raw pixels in [0, 1] (input '" + OnnxExport.INPUT + "', N x C x H x W float32) and normalises them as the model was trained;",
        "it gives '" + OnnxExport.OUTPUT + "', N x classes."})
final class ExportOnnxCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL_OR_RUN")
    Path source;
    @Parameters(index = "1", paramLabel = "OUT.onnx")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path file = source;
        if (Files.isDirectory(source)) {
            file = source.resolve(ModelFile.IN_RUN);
            if (!Files.isRegularFile(file)) {
                throw new Main.UserError(source + ": the run folder holds no retrained model (" + ModelFile.IN_RUN
                        + "); retrain with --save " + file + " first");
            }
        }
        TrainedModel m = EvaluateCommand.load(file);
        try {
            OnnxExport.write(m, out);
        } catch (OnnxExport.InexpressibleException e) {
            throw new Main.UserError(file + ": cannot be exported to ONNX: " + e.getMessage());
        } catch (TrainedModel.MismatchException e) {
            throw new Main.UserError(file + ": " + e.getMessage());
        } catch (PlanException e) {
            throw new Main.UserError(file + ": its space and architecture give no network: " + e.getMessage());
        } catch (java.io.IOException e) {
            throw new Main.UserError(out + ": cannot write: " + io.cellforge.io.FileWrites.reason(e));
        }
        spec.commandLine().getErr().println(Escape.line("wrote " + out + ": ONNX opset " + OnnxExport.OPSET + ", input '" + OnnxExport.INPUT
                + "' N x " + m.input().channels() + " x " + m.input().height() + " x " + m.input().width()
                + " raw pixels in [0, 1], output '" + OnnxExport.OUTPUT + "' N x " + m.classes().size()));
        return 0;
    }
}
