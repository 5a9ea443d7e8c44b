package io.cellforge.engine.ops;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_backward;
import org.bytedeco.dnnl.pooling_forward;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;
import static org.bytedeco.dnnl.global.dnnl.algorithm;
import static org.bytedeco.dnnl.global.dnnl.prop_kind;

/** Max or average pooling on oneDNN, in its slot's layout; max pooling keeps oneDNN's workspace of the argmax. */
public final class OnednnPoolOp extends Op {
    final boolean max;
    final boolean includePad;
    final long[] kernel;
    final long[] strides;
    final long[] pad;
    private final Onednn.Teams<Prims> teams = new Onednn.Teams<>(this::prepare);

    private record Prims(pooling_forward fwd, IntMemoryMap fwdArgs, memory src, memory dst, pooling_backward bwd,
                         IntMemoryMap bwdArgs, memory dDst, memory dSrc) {
    }

    public OnednnPoolOp(int in, int out, boolean max, int kernel, int stride, int padding, boolean includePad) {
        super(out, in);
        this.max = max;
        this.includePad = includePad;
        this.kernel = new long[] {kernel, kernel};
        this.strides = new long[] {stride, stride};
        this.pad = new long[] {padding, padding};
    }

    @Override
    public void bind(OpContext c) {
        teams.rebind(c);
    }

    private Prims prepare(OpContext c) {
        memory.desc s = Onednn.activation(c.batch(), c.shape(in[0]), c.layout(in[0]));
        memory.desc d = Onednn.activation(c.batch(), c.shape(out), c.layout(out));
        algorithm alg = max ? algorithm.pooling_max : includePad ? algorithm.pooling_avg_include_padding : algorithm.pooling_avg_exclude_padding;
        pooling_forward.primitive_desc fpd = new pooling_forward.primitive_desc(
                new pooling_forward.desc(prop_kind.forward_training, alg, s, d, strides, kernel, pad, pad), Onednn.engine());
        memory src = Onednn.handle(s);
        memory dst = Onednn.handle(d);
        IntMemoryMap fwdArgs = Onednn.args(DNNL_ARG_SRC, src, DNNL_ARG_DST, dst);
        pooling_backward bwd = new pooling_backward(new pooling_backward.primitive_desc(
                new pooling_backward.desc(alg, s, d, strides, kernel, pad, pad), Onednn.engine(), fpd));
        memory dDst = Onednn.handle(d);
        memory dSrc = Onednn.handle(s);
        IntMemoryMap bwdArgs = Onednn.args(DNNL_ARG_DIFF_DST, dDst, DNNL_ARG_DIFF_SRC, dSrc);
        if (max) {
            memory ws = Onednn.owned(fpd.workspace_desc());
            fwdArgs.put(DNNL_ARG_WORKSPACE, ws);
            bwdArgs.put(DNNL_ARG_WORKSPACE, ws);
        }
        return new Prims(new pooling_forward(fpd), fwdArgs, src, dst, bwd, bwdArgs, dDst, dSrc);
    }

    @Override
    public void forward(OpContext c) {
        Prims p = teams.get(c);
        Onednn.bind(p.src(), c.val(in[0]));
        Onednn.bind(p.dst(), c.val(out));
        Onednn.run(p.fwd(), p.fwdArgs());
    }

    @Override
    public void backward(OpContext c) {
        INDArray gi = c.target(in[0]);
        if (gi != null) {
            Prims p = teams.get(c);
            Onednn.bind(p.dDst(), c.grad(out));
            Onednn.bind(p.dSrc(), gi);
            Onednn.run(p.bwd(), p.bwdArgs());
        }
    }
}
