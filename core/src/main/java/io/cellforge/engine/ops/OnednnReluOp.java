package io.cellforge.engine.ops;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.eltwise_backward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.memory;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.algorithm;
import static org.bytedeco.dnnl.global.dnnl.prop_kind;

/**
 * ReLU, or ReLU6 when {@code six} (oneDNN's clip to [0, 6]), on oneDNN. Elementwise, so the buffers are seen as flat
 * vectors whatever their layout; libnd4j's took twice as long per call on 32x16x32x32.
 */
public final class OnednnReluOp extends Op {
    final boolean six;
    private eltwise_forward fwd;
    private IntMemoryMap fwdArgs;
    private eltwise_backward bwd;
    private IntMemoryMap bwdArgs;
    private memory src;
    private memory dst;
    private memory bSrc;
    private memory dDst;
    private memory dSrc;

    public OnednnReluOp(int in, int out, boolean six) {
        super(out, in);
        this.six = six;
    }

    @Override
    public void bind(OpContext c) {
        memory.desc d = Onednn.vector(c.val(in[0]).length());
        algorithm alg = six ? algorithm.eltwise_clip : algorithm.eltwise_relu;
        float alpha = 0;
        float beta = six ? 6 : 0;
        eltwise_forward.primitive_desc fpd = new eltwise_forward.primitive_desc(
                new eltwise_forward.desc(prop_kind.forward_training, alg, d, alpha, beta), Onednn.engine());
        fwd = new eltwise_forward(fpd);
        src = Onednn.handle(d);
        dst = Onednn.handle(d);
        fwdArgs = Onednn.args(DNNL_ARG_SRC, src, DNNL_ARG_DST, dst);
        bwd = new eltwise_backward(new eltwise_backward.primitive_desc(new eltwise_backward.desc(alg, d, d, alpha, beta),
                Onednn.engine(), fpd));
        bSrc = Onednn.handle(d);
        dDst = Onednn.handle(d);
        dSrc = Onednn.handle(d);
        bwdArgs = Onednn.args(DNNL_ARG_SRC, bSrc, DNNL_ARG_DIFF_DST, dDst, DNNL_ARG_DIFF_SRC, dSrc);
    }

    @Override
    public void forward(OpContext c) {
        Onednn.bind(src, c.val(in[0]));
        Onednn.bind(dst, c.val(out));
        Onednn.run(fwd, fwdArgs);
    }

    @Override
    public void backward(OpContext c) {
        INDArray gi = c.target(in[0]);
        if (gi != null) {
            Onednn.bind(bSrc, c.val(in[0]));
            Onednn.bind(dDst, c.grad(out));
            Onednn.bind(dSrc, gi);
            Onednn.run(bwd, bwdArgs);
        }
    }
}
