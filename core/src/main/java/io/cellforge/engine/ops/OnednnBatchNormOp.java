package io.cellforge.engine.ops;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.batch_normalization_backward;
import org.bytedeco.dnnl.batch_normalization_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MEAN;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_VARIANCE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;
import static org.bytedeco.dnnl.global.dnnl.normalization_flags;
import static org.bytedeco.dnnl.global.dnnl.or;
import static org.bytedeco.dnnl.global.dnnl.prop_kind;

/**
 * BatchNorm on oneDNN, in its slot's layout. The backward pass reads the input itself and the batch statistics,
 * so no normalised copy is kept (a buffer per BatchNorm less than {@link BatchNormOp}).
 */
public final class OnednnBatchNormOp extends BatchNormOp {
    private final boolean relu;
    /** A mixed op's candidate ends here: the mixing weight is applied as the scale ({@link #mixInto}). */
    private String mixKey;
    private int mixIndex;
    private int mixCount;
    private boolean mixLearns;
    private final Onednn.Teams<Prims> teams = new Onednn.Teams<>(Prims::new);

    /** The primitives and memory handles of one team size. */
    private final class Prims {
        final batch_normalization_forward train;
        final IntMemoryMap trainArgs;
        batch_normalization_forward infer;
        IntMemoryMap inferArgs;
        final batch_normalization_backward bwd;
        final IntMemoryMap bwdArgs;
        final memory src;
        final memory dst;
        memory inferSrc;
        memory inferDst;
        final memory bSrc;
        final memory dDst;
        final memory dSrc;
        /** The weights' scale and shift (bound each pass) or a mixing weight's scale (oneDNN's memory); else null. */
        final memory scale;
        final memory shift;
        final memory dScale;
        final memory dShift;
        final memory batchMean;
        final memory batchVar;
        memory runMeanM;
        memory runVarM;

        Prims(OpContext c) {
            memory.desc d = Onednn.activation(c.batch(), c.shape(in[0]), c.layout(in[0]));
            memory.desc v = Onednn.vector(mean.length);
            normalization_flags flags = affine ? or(normalization_flags.use_scale, normalization_flags.use_shift) : normalization_flags.none;
            if (relu) {
                flags = or(flags, normalization_flags.fuse_norm_relu);
            }
            if (mixKey != null) {
                flags = normalization_flags.use_scale;
            }
            scale = affine ? Onednn.handle(v) : mixKey != null ? Onednn.owned(v) : null;
            shift = affine ? Onednn.handle(v) : null;
            dScale = affine ? Onednn.handle(v) : mixKey != null ? Onednn.owned(v) : null;
            dShift = affine ? Onednn.handle(v) : null;
            batch_normalization_forward.primitive_desc tpd = new batch_normalization_forward.primitive_desc(
                    new batch_normalization_forward.desc(prop_kind.forward_training, d, (float) EPS, flags), Onednn.engine());
            train = new batch_normalization_forward(tpd);
            src = Onednn.handle(d);
            dst = Onednn.handle(d);
            batchMean = Onednn.owned(v);
            batchVar = Onednn.owned(v);
            trainArgs = Onednn.args(DNNL_ARG_SRC, src, DNNL_ARG_DST, dst, DNNL_ARG_MEAN, batchMean, DNNL_ARG_VARIANCE, batchVar);
            // the fused ReLU's mask, written forward and read backward
            memory mask = relu ? Onednn.owned(tpd.workspace_desc()) : null;
            if (mask != null) {
                trainArgs.put(DNNL_ARG_WORKSPACE, mask);
            }
            scaleAndShift(trainArgs);
            if (runMean != null) {
                normalization_flags global = or(flags, normalization_flags.use_global_stats);
                infer = new batch_normalization_forward(new batch_normalization_forward.primitive_desc(
                        new batch_normalization_forward.desc(prop_kind.forward_inference, d, (float) EPS, global), Onednn.engine()));
                inferSrc = Onednn.handle(d);
                inferDst = Onednn.handle(d);
                runMeanM = Onednn.handle(v);
                runVarM = Onednn.handle(v);
                inferArgs = Onednn.args(DNNL_ARG_SRC, inferSrc, DNNL_ARG_DST, inferDst, DNNL_ARG_MEAN, runMeanM, DNNL_ARG_VARIANCE, runVarM);
                scaleAndShift(inferArgs);
            }
            bwd = new batch_normalization_backward(new batch_normalization_backward.primitive_desc(
                    new batch_normalization_backward.desc(affine || mixKey != null ? prop_kind.backward : prop_kind.backward_data, d, d,
                            (float) EPS, flags),
                    Onednn.engine(), tpd));
            bSrc = Onednn.handle(d);
            dDst = Onednn.handle(d);
            dSrc = Onednn.handle(d);
            bwdArgs = Onednn.args(DNNL_ARG_SRC, bSrc, DNNL_ARG_DIFF_DST, dDst, DNNL_ARG_DIFF_SRC, dSrc, DNNL_ARG_MEAN, batchMean,
                    DNNL_ARG_VARIANCE, batchVar);
            if (mask != null) {
                bwdArgs.put(DNNL_ARG_WORKSPACE, mask);
            }
            scaleAndShift(bwdArgs); // with both, oneDNN 2.5 refuses the backward pass without the shift it does not read
            if (dScale != null) {
                bwdArgs.put(DNNL_ARG_DIFF_SCALE, dScale);
            }
            if (dShift != null) {
                bwdArgs.put(DNNL_ARG_DIFF_SHIFT, dShift);
            }
        }

        private void scaleAndShift(IntMemoryMap args) {
            if (scale != null) {
                args.put(DNNL_ARG_SCALE, scale);
            }
            if (shift != null) {
                args.put(DNNL_ARG_SHIFT, shift);
            }
        }
    }

    /** {@code relu}: the ReLU that follows is applied here, on writing (oneDNN's fused BatchNorm and ReLU). */
    public OnednnBatchNormOp(int in, int out, int channels, String gamma, String beta, boolean runningStats, DataType dtype,
                             boolean relu) {
        super(in, out, channels, gamma, beta, runningStats, dtype);
        this.relu = relu;
    }

    /**
     * Makes this affine-free BatchNorm, the last op of candidate {@code index} of {@code count} in the mixed op of
     * {@code key}, apply the candidate's mixing weight as its scale, and add d loss / d weight (the sum of oneDNN's
     * scale gradient over the channels) when {@code learns}: the mixed op then adds the candidate as it is and
     * passes its own gradient through untouched, two passes over the tensor less each way.
     */
    public void mixInto(String key, int index, int count, boolean learns) {
        if (affine || relu) {
            throw new IllegalStateException("only an affine-free BatchNorm can carry a mixing weight");
        }
        mixKey = key;
        mixIndex = index;
        mixCount = count;
        mixLearns = learns;
    }

    /** Affine-free, with no fused ReLU and no mixing weight yet. */
    public boolean canCarryMixingWeight() {
        return !affine && !relu && mixKey == null;
    }

    @Override
    public String kind() {
        return relu ? "OnednnBatchNormOp+ReLU" : "OnednnBatchNormOp";
    }

    @Override
    public void bind(OpContext c) {
        teams.rebind(c);
    }

    @Override
    public void forward(OpContext c) {
        Prims p = teams.get(c);
        if (affine) {
            Onednn.bind(p.scale, c.weight(gamma));
            Onednn.bind(p.shift, c.weight(beta));
        } else if (mixKey != null) {
            FloatPointer w = new FloatPointer(p.scale.get_data_handle());
            float wi = (float) c.mix(mixKey)[mixIndex];
            for (int i = 0; i < mean.length; i++) {
                w.put(i, wi);
            }
        }
        if (c.training() || runMean == null) {
            Onednn.bind(p.src, c.val(in[0]));
            Onednn.bind(p.dst, c.val(out));
            Onednn.run(p.train, p.trainArgs);
            if (runMean != null) {
                read(p.batchMean, mean);
                read(p.batchVar, var);
            }
        } else {
            Onednn.bind(p.inferSrc, c.val(in[0]));
            Onednn.bind(p.inferDst, c.val(out));
            Onednn.bind(p.runMeanM, runMean);
            Onednn.bind(p.runVarM, runVar);
            Onednn.run(p.infer, p.inferArgs);
        }
    }

    private static void read(memory m, double[] to) {
        FloatPointer p = new FloatPointer(m.get_data_handle());
        for (int i = 0; i < to.length; i++) {
            to[i] = p.get(i);
        }
    }

    @Override
    public void backward(OpContext c) {
        INDArray gi = inputGradient(c); // never null where a weight is mixed in: its input is a convolution's
        if (gi == null) {
            return;
        }
        Prims p = teams.get(c);
        if (affine) {
            Onednn.bind(p.scale, c.weight(gamma));
            Onednn.bind(p.shift, c.weight(beta));
            Onednn.bind(p.dScale, c.weightGrad(gamma));
            Onednn.bind(p.dShift, c.weightGrad(beta));
        }
        Onednn.bind(p.bSrc, c.val(in[0]));
        Onednn.bind(p.dDst, c.grad(out));
        Onednn.bind(p.dSrc, gi);
        Onednn.run(p.bwd, p.bwdArgs);
        if (mixKey != null && mixLearns && c.archGrads()) {
            // d loss / d w = sum over the channels of d loss / d scale, the scale being w in every channel
            FloatPointer ds = new FloatPointer(p.dScale.get_data_handle());
            double sum = 0;
            for (int i = 0; i < mean.length; i++) {
                sum += ds.get(i);
            }
            c.mixGrad(mixKey, mixCount)[mixIndex] += sum;
        }
    }
}
