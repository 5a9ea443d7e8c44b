package io.cellforge.engine.ops;

import io.cellforge.ops.Layer;
import io.cellforge.ops.Shape;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.memory;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.algorithm.convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.prop_kind.forward_training;

/**
 * A convolution on oneDNN ({@link Onednn}), dense or depthwise, its input and output in their slots' layouts. The
 * kernel keeps the engine's [kH, kW, in, out] layout (a dilated one spread out with zeros, see the network) and is
 * reordered into the primitive's own each pass; a dilated one is read at its real taps, so the forward pass runs
 * oneDNN's dilated kernel. oneDNN 2.5 has JIT backward kernels for undilated depthwise convolutions only, and for the
 * weights only at 3x3 (its reference kernel took 160 ms for a 5x5 on 32x16x32x32): the input gradient of a dilated
 * one runs as the undilated convolution of the spread kernel, and the kernel gradient of any depthwise kernel
 * above 3x3 or dilated is {@link BlockedDepthwise}'s, over the real taps.
 */
public final class OnednnConvOp extends Op {
    final String w;
    final String b;
    final Layer.Conv conv;
    final boolean depthwise;
    private final boolean javaWeights;

    private final Onednn.Teams<Prims> teams = new Onednn.Teams<>(Prims::new);

    public OnednnConvOp(int in, int out, boolean depthwise, String w, String b, Layer.Conv conv) {
        super(out, in);
        this.depthwise = depthwise;
        this.w = w;
        this.b = b;
        this.conv = conv;
        this.javaWeights = depthwise && b == null && conv.out() == conv.in() && (conv.kernelH() > 3 || conv.kernelW() > 3
                || conv.dilation() > 1);
    }

    @Override
    public String kind() {
        String k = conv.kernelH() + "x" + conv.kernelW() + (conv.dilation() > 1 ? " d" + conv.dilation() : "")
                + (conv.strideH() > 1 ? " s" + conv.strideH() : "");
        return "OnednnConvOp " + (depthwise ? "dw " : "") + k;
    }

    /** oneDNN's kernel dims and the strides of the engine's kernel storage, at every {@code d}-th tap. */
    private memory.desc userKernel(int d, long kh, long kw) {
        int dd = conv.dilation();
        long spreadW = (long) (conv.kernelW() - 1) * dd + 1;
        if (depthwise) {
            long mult = conv.out() / conv.in();
            long ch = conv.in();
            long sw = d * ch * mult;
            return Onednn.strided(new long[] {ch, mult, 1, kh, kw}, new long[] {mult, 1, ch * mult, spreadW * sw, sw});
        }
        return Onednn.strided(new long[] {conv.out(), conv.in(), kh, kw}, Onednn.kernelStrides(spreadW, conv.in(), conv.out(), d));
    }

    private memory.desc anyKernel(long kh, long kw) {
        long[] dims = depthwise ? new long[] {conv.in(), conv.out() / conv.in(), 1, kh, kw} : new long[] {conv.out(), conv.in(), kh, kw};
        return new memory.desc(dims, memory.data_type.f32, memory.format_tag.any);
    }

    @Override
    public void bind(OpContext c) {
        teams.rebind(c);
    }

    @Override
    public java.util.List<String> referenceKernels() {
        return java.util.List.copyOf(referenceRan);
    }

    /** The passes that ran on oneDNN's reference kernel (where no layout had a JIT one). */
    private final java.util.Set<String> referenceRan = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private void ran(boolean reference, String pass) {
        if (reference) {
            referenceRan.add(kind() + " " + pass);
        }
    }

    /** The primitives and memory handles of one team size. */
    private final class Prims {
        final boolean fwdRef;
        final boolean bwdDataRef;
        final boolean bwdWRef;
        final convolution_forward fwd;
        final IntMemoryMap fwdArgs;
        final Onednn.Staged src;
        final Onednn.Staged dst;
        final memory wUser;
        final memory bias;
        final Onednn.Copy wFwd;
        final convolution_backward_data bwdData;
        final IntMemoryMap bwdDataArgs;
        final Onednn.Staged dDst;
        final Onednn.Staged dSrc;
        final memory wUserData;
        final Onednn.Copy wData;
        /** The kernel's gradient on oneDNN; null where {@link BlockedDepthwise} computes it. */
        final convolution_backward_weights bwdW;
        final IntMemoryMap bwdWArgs;
        final Onednn.Staged wSrc;
        final Onednn.Staged wDDst;
        final memory dWUser;
        final memory dBias;
        final Onednn.Copy dWOut;

        // Each pass is first made on the slots' own layouts; where oneDNN has only its reference kernel for them (a
        // plain input and a blocked output, as 24 channels in and 16 out: 100x slower), it is made again on layouts
        // oneDNN chooses, with reorders around it.
        Prims(OpContext c) {
            Shape si = c.shape(in[0]);
            Shape so = c.shape(out);
            int n = c.batch();
            memory.desc srcUser = Onednn.activation(n, si, c.layout(in[0]));
            memory.desc dstUser = Onednn.activation(n, so, c.layout(out));
            memory.desc srcAny = Onednn.anyActivation(n, si);
            memory.desc dstAny = Onednn.anyActivation(n, so);
            int d = conv.dilation();
            long[] strides = {conv.strideH(), conv.strideW()};
            long[] dil = {d - 1, d - 1};
            long[] pad = {conv.padH(), conv.padW()};
            memory.desc biasD = b == null ? null : Onednn.vector(conv.out());
            memory.desc anyW = anyKernel(conv.kernelH(), conv.kernelW());
            convolution_forward.primitive_desc fpd = forward(srcUser, anyW, biasD, dstUser, strides, dil, pad);
            if (Onednn.isReference(fpd)) {
                fpd = forward(srcAny, anyW, biasD, dstAny, strides, dil, pad);
            }
            fwdRef = Onednn.isReference(fpd);
            fwd = new convolution_forward(fpd);
            src = Onednn.Staged.input(srcUser, fpd.src_desc());
            dst = Onednn.Staged.output(dstUser, fpd.dst_desc());
            wUser = Onednn.handle(userKernel(d, conv.kernelH(), conv.kernelW()));
            memory wPrim = Onednn.owned(fpd.weights_desc());
            wFwd = Onednn.Copy.of(wUser, wPrim);
            fwdArgs = Onednn.args(DNNL_ARG_SRC, src.prim, DNNL_ARG_WEIGHTS, wPrim, DNNL_ARG_DST, dst.prim);
            bias = biasD == null ? null : Onednn.handle(biasD);
            if (bias != null) {
                fwdArgs.put(DNNL_ARG_BIAS, bias);
            }

            // The input gradient: a dilated kernel runs spread out, undilated, where oneDNN has JIT kernels.
            long kh = d == 1 ? conv.kernelH() : (long) (conv.kernelH() - 1) * d + 1;
            long kw = d == 1 ? conv.kernelW() : (long) (conv.kernelW() - 1) * d + 1;
            long[] noDil = {0, 0};
            memory.desc anyWData = anyKernel(kh, kw);
            convolution_forward.primitive_desc hint = d == 1 ? fpd
                    : forward(fpd.src_desc(), anyWData, null, fpd.dst_desc(), strides, noDil, pad);
            convolution_backward_data.primitive_desc bpd = backwardData(srcUser, anyWData, dstUser, strides, noDil, pad, hint);
            if (Onednn.isReference(bpd)) {
                bpd = backwardData(srcAny, anyWData, dstAny, strides, noDil, pad, hint);
            }
            bwdDataRef = Onednn.isReference(bpd);
            bwdData = new convolution_backward_data(bpd);
            dDst = Onednn.Staged.input(dstUser, bpd.diff_dst_desc());
            dSrc = Onednn.Staged.output(srcUser, bpd.diff_src_desc());
            wUserData = Onednn.handle(userKernel(1, kh, kw));
            memory wPrimData = Onednn.owned(bpd.weights_desc());
            wData = Onednn.Copy.of(wUserData, wPrimData);
            bwdDataArgs = Onednn.args(DNNL_ARG_DIFF_DST, dDst.prim, DNNL_ARG_WEIGHTS, wPrimData, DNNL_ARG_DIFF_SRC, dSrc.prim);

            if (javaWeights) {
                bwdWRef = false;
                bwdW = null;
                bwdWArgs = null;
                wSrc = null;
                wDDst = null;
                dWUser = null;
                dBias = null;
                dWOut = null;
                return;
            }
            convolution_backward_weights.primitive_desc wpd = backwardWeights(srcUser, anyW, biasD, dstUser, strides, dil, pad, fpd);
            if (Onednn.isReference(wpd)) {
                wpd = backwardWeights(srcAny, anyW, biasD, dstAny, strides, dil, pad, fpd);
            }
            bwdWRef = Onednn.isReference(wpd);
            bwdW = new convolution_backward_weights(wpd);
            wSrc = Onednn.Staged.input(srcUser, wpd.src_desc());
            wDDst = Onednn.Staged.input(dstUser, wpd.diff_dst_desc());
            memory dWPrim = Onednn.owned(wpd.diff_weights_desc());
            dWUser = Onednn.handle(userKernel(d, conv.kernelH(), conv.kernelW()));
            dWOut = Onednn.Copy.of(dWPrim, dWUser);
            bwdWArgs = Onednn.args(DNNL_ARG_SRC, wSrc.prim, DNNL_ARG_DIFF_DST, wDDst.prim, DNNL_ARG_DIFF_WEIGHTS, dWPrim);
            dBias = biasD == null ? null : Onednn.handle(biasD);
            if (dBias != null) {
                bwdWArgs.put(DNNL_ARG_DIFF_BIAS, dBias);
            }
        }
    }

    private static convolution_forward.primitive_desc forward(memory.desc src, memory.desc w, memory.desc bias, memory.desc dst,
                                                              long[] strides, long[] dil, long[] pad) {
        convolution_forward.desc fd = bias == null
                ? new convolution_forward.desc(forward_training, convolution_direct, src, w, dst, strides, dil, pad, pad)
                : new convolution_forward.desc(forward_training, convolution_direct, src, w, bias, dst, strides, dil, pad, pad);
        return new convolution_forward.primitive_desc(fd, Onednn.engine());
    }

    private static convolution_backward_data.primitive_desc backwardData(memory.desc src, memory.desc w, memory.desc dst, long[] strides,
                                                                         long[] dil, long[] pad, convolution_forward.primitive_desc hint) {
        return new convolution_backward_data.primitive_desc(
                new convolution_backward_data.desc(convolution_direct, src, w, dst, strides, dil, pad, pad), Onednn.engine(), hint);
    }

    private static convolution_backward_weights.primitive_desc backwardWeights(memory.desc src, memory.desc w, memory.desc bias,
                                                                               memory.desc dst, long[] strides, long[] dil, long[] pad,
                                                                               convolution_forward.primitive_desc hint) {
        convolution_backward_weights.desc wd = bias == null
                ? new convolution_backward_weights.desc(convolution_direct, src, w, dst, strides, dil, pad, pad)
                : new convolution_backward_weights.desc(convolution_direct, src, w, bias, dst, strides, dil, pad, pad);
        return new convolution_backward_weights.primitive_desc(wd, Onednn.engine(), hint);
    }

    @Override
    public void forward(OpContext c) {
        Prims p = teams.get(c);
        Onednn.bind(p.wUser, c.weight(w));
        Onednn.run(p.wFwd);
        p.src.bindInput(c.val(in[0]));
        p.dst.bindOutput(c.val(out));
        if (p.bias != null) {
            Onednn.bind(p.bias, c.weight(b));
        }
        Onednn.run(p.fwd, p.fwdArgs);
        p.dst.flush();
        ran(p.fwdRef, "forward");
    }

    @Override
    public void backward(OpContext c) {
        Prims p = teams.get(c);
        INDArray gi = c.target(in[0]);
        if (gi != null) {
            Onednn.bind(p.wUserData, c.weight(w));
            Onednn.run(p.wData);
            p.dDst.bindInput(c.grad(out));
            p.dSrc.bindOutput(gi);
            Onednn.run(p.bwdData, p.bwdDataArgs);
            p.dSrc.flush();
            ran(p.bwdDataRef, "backward data");
        }
        if (!c.weightGradsWanted()) {
            return;
        }
        INDArray gw = c.weightGrad(w);
        if (conv.dilation() > 1) {
            gw.assign(0); // only the real taps are written; the spread zeros must not hold stale values
        }
        if (javaWeights) {
            if (c.blocked(in[0])) {
                BlockedDepthwise.weightGradient(c.val(in[0]), c.grad(out), gw, c.batch(), c.shape(in[0]), c.shape(out), conv, c.block());
            } else {
                Kernels.depthwiseBackward(c.val(in[0]), c.weight(w), c.grad(out), null, gw, conv.kernelH(), conv.kernelW(),
                        conv.dilation(), conv.strideH(), conv.strideW(), conv.padH(), conv.padW());
            }
            return;
        }
        p.wSrc.bindInput(c.val(in[0]));
        p.wDDst.bindInput(c.grad(out));
        if (p.dBias != null) {
            Onednn.bind(p.dBias, c.weightGrad(b));
        }
        Onednn.run(p.bwdW, p.bwdWArgs);
        ran(p.bwdWRef, "backward weights");
        Onednn.bind(p.dWUser, gw);
        Onednn.run(p.dWOut);
    }
}
