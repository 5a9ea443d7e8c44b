package io.cellforge.ops;

import java.util.List;

/**
 * A concrete layer with fixed channel counts: what an op of the catalog becomes once its input and output
 * channels and stride are known. Counting follows PyTorch: parameters are trainable tensors only (BatchNorm's
 * running statistics are buffers), multiply-adds count convolutions and linear layers.
 */
public sealed interface Layer {

    Shape output(Shape in) throws ShapeException;

    /** Trainable parameters: by default those of the children (none for a leaf without weights). */
    default long params() {
        return children().stream().mapToLong(Layer::params).sum();
    }

    /** Multiply-adds for one image of shape {@code in}; by default the children's, each applied to {@code in}. */
    default long macs(Shape in) throws ShapeException {
        long total = 0;
        for (Layer c : children()) {
            total += c.macs(in);
        }
        return total;
    }

    /** Children, for walking the tree (engine, drawing). Leaves return an empty list. */
    default List<Layer> children() {
        return List.of();
    }

    static int convOut(int size, int kernel, int stride, int padding, int dilation) {
        // Floor, as PyTorch: a window larger than the map is no output, not one (a 7x7 pool stride 7 on 1x1).
        return Math.floorDiv(size + 2 * padding - dilation * (kernel - 1) - 1, stride) + 1;
    }

    record Conv(int in, int out, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                int dilation, int groups, boolean bias) implements Layer {
        public static Conv square(int in, int out, int kernel, int stride, int padding, int dilation, int groups) {
            return new Conv(in, out, kernel, kernel, stride, stride, padding, padding, dilation, groups, false);
        }

        @Override
        public Shape output(Shape s) throws ShapeException {
            if (in < 1 || out < 1 || kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || dilation < 1 || groups < 1
                    || padH < 0 || padW < 0) {
                throw new ShapeException("conv needs positive channels, kernel, stride, dilation and groups and a padding"
                        + " of at least 0 (got " + in + "->" + out + ", kernel " + kernelH + "x" + kernelW + ", stride "
                        + strideH + ", dilation " + dilation + ", groups " + groups + ", padding " + padH + ")");
            }
            if (s.channels() != in) {
                throw new ShapeException("conv expects " + in + " channels, got " + s.channels());
            }
            if (in % groups != 0 || out % groups != 0) {
                throw new ShapeException("conv groups " + groups + " do not divide channels " + in + "->" + out);
            }
            int h = convOut(s.height(), kernelH, strideH, padH, dilation);
            int w = convOut(s.width(), kernelW, strideW, padW, dilation);
            if (h < 1 || w < 1) {
                throw new ShapeException("conv " + kernelH + "x" + kernelW + " does not fit input " + s);
            }
            return new Shape(out, h, w);
        }

        @Override
        public long params() {
            return (long) out * (in / groups) * kernelH * kernelW + (bias ? out : 0);
        }

        @Override
        public long macs(Shape s) throws ShapeException {
            Shape o = output(s);
            return (long) o.height() * o.width() * out * (in / groups) * kernelH * kernelW;
        }
    }

    /**
     * A convolution whose kernel is not a parameter but computed per sample by a linear head on the output of a
     * weight generator ({@code features} values a sample): the head's weights and bias are this layer's parameters,
     * {@code (features + 1)} times the kernel's size, and its multiply-adds are the convolution's plus the head's.
     * {@code conv} gives the shape (dense, or depthwise with groups = channels); it has no bias.
     */
    record DynamicConv(String generator, int features, Conv conv) implements Layer {
        /** The values of one generated kernel: what the head outputs per sample. */
        public int taps() {
            return (int) conv.params();
        }

        @Override
        public Shape output(Shape s) throws ShapeException {
            if (conv.bias()) {
                throw new ShapeException("a dynamic convolution has no bias");
            }
            if (conv.groups() != 1 && !(conv.groups() == conv.in() && conv.out() == conv.in())) {
                throw new ShapeException("a dynamic convolution is dense or depthwise, not in " + conv.groups() + " groups");
            }
            if (features < 1) {
                throw new ShapeException("weight generator '" + generator + "' gives no values");
            }
            return conv.output(s);
        }

        @Override
        public long params() {
            return (features + 1L) * conv.params();
        }

        @Override
        public long macs(Shape s) throws ShapeException {
            return conv.macs(s) + (long) features * conv.params();
        }
    }

    record BatchNorm(int channels, boolean affine) implements Layer {
        @Override
        public Shape output(Shape s) throws ShapeException {
            if (s.channels() != channels) {
                throw new ShapeException("batch norm expects " + channels + " channels, got " + s.channels());
            }
            return s;
        }

        @Override
        public long params() {
            return affine ? 2L * channels : 0;
        }
    }

    enum ActivationKind { RELU, RELU6 }

    record Activation(ActivationKind kind) implements Layer {
        @Override
        public Shape output(Shape s) {
            return s;
        }

    }

    enum PoolKind { MAX, AVG }

    record Pool(PoolKind kind, int kernel, int stride, int padding, boolean countIncludePad) implements Layer {
        @Override
        public Shape output(Shape s) throws ShapeException {
            if (kernel < 1 || stride < 1 || padding < 0 || padding * 2 > kernel) {
                throw new ShapeException("pool needs kernel and stride of at least 1 and padding of at most half the kernel"
                        + " (got kernel " + kernel + ", stride " + stride + ", padding " + padding + ")");
            }
            int h = convOut(s.height(), kernel, stride, padding, 1);
            int w = convOut(s.width(), kernel, stride, padding, 1);
            if (h < 1 || w < 1) {
                throw new ShapeException(kind.name().toLowerCase() + " pool " + kernel + "x" + kernel
                        + " does not fit input " + s);
            }
            return new Shape(s.channels(), h, w);
        }

    }

    record GlobalAvgPool() implements Layer {
        @Override
        public Shape output(Shape s) {
            return new Shape(s.channels(), 1, 1);
        }

    }

    /** Fully connected over the flattened input. */
    record Linear(int in, int out, boolean bias) implements Layer {
        @Override
        public Shape output(Shape s) throws ShapeException {
            if (out < 1) {
                throw new ShapeException("linear needs at least 1 output, got " + out);
            }
            if (s.size() != in) {
                throw new ShapeException("linear expects " + in + " features, got " + s.size() + " (" + s + ")");
            }
            return new Shape(out, 1, 1);
        }

        @Override
        public long params() {
            return (long) in * out + (bias ? out : 0);
        }

        @Override
        public long macs(Shape s) {
            return (long) in * out;
        }
    }

    record Dropout(double rate) implements Layer {
        @Override
        public Shape output(Shape s) {
            return s;
        }

    }

    record Identity() implements Layer {
        @Override
        public Shape output(Shape s) {
            return s;
        }

    }

    /** The DARTS {@code none} and ModularNAS {@code NIL}: zeros, subsampled by the stride; channels 0 keeps the input's. */
    record Zero(int stride, int channels) implements Layer {
        public Zero(int stride) {
            this(stride, 0);
        }

        @Override
        public Shape output(Shape s) throws ShapeException {
            if (stride < 1) {
                throw new ShapeException("stride must be at least 1, got " + stride);
            }
            return new Shape(channels > 0 ? channels : s.channels(), ceilDiv(s.height(), stride), ceilDiv(s.width(), stride));
        }

    }

    /**
     * RobustDARTS's {@code noise} (NoiseOp): standard normal noise of the input's shape, subsampled by the stride; it
     * carries nothing of the input, so no gradient flows back through it.
     */
    record Noise(int stride) implements Layer {
        @Override
        public Shape output(Shape s) throws ShapeException {
            if (stride < 1) {
                throw new ShapeException("stride must be at least 1, got " + stride);
            }
            return new Shape(s.channels(), ceilDiv(s.height(), stride), ceilDiv(s.width(), stride));
        }

    }

    /** {@code x[:, :, 1:, 1:]}: the second path of FactorizedReduce. */
    record ShiftCrop() implements Layer {
        @Override
        public Shape output(Shape s) throws ShapeException {
            if (s.height() < 2 || s.width() < 2) {
                throw new ShapeException("cannot crop a pixel from " + s);
            }
            return new Shape(s.channels(), s.height() - 1, s.width() - 1);
        }

    }

    /** ResNet option-A shortcut: subsample by the stride and pad the channels with zeros. */
    record PadShortcut(int in, int out, int stride) implements Layer {
        @Override
        public Shape output(Shape s) throws ShapeException {
            if (s.channels() != in || out < in || stride < 1) {
                throw new ShapeException("option-A shortcut expects " + in + " channels (got " + s.channels()
                        + "), at least as many outputs and a positive stride");
            }
            return new Shape(out, ceilDiv(s.height(), stride), ceilDiv(s.width(), stride));
        }

    }

    record Sequential(List<Layer> layers) implements Layer {
        public Sequential {
            layers = List.copyOf(layers);
        }

        public static Sequential of(Layer... layers) {
            return new Sequential(List.of(layers));
        }

        @Override
        public Shape output(Shape s) throws ShapeException {
            for (Layer l : layers) {
                s = l.output(s);
            }
            return s;
        }

        @Override
        public long macs(Shape s) throws ShapeException {
            long total = 0;
            for (Layer l : layers) {
                total += l.macs(s);
                s = l.output(s);
            }
            return total;
        }

        @Override
        public List<Layer> children() {
            return layers;
        }
    }

    /** Branches applied to the same input and added (a residual block is {@code Sum(body, shortcut)}). */
    record Sum(List<Layer> branches) implements Layer {
        public Sum {
            branches = List.copyOf(branches);
        }

        @Override
        public Shape output(Shape s) throws ShapeException {
            Shape first = null;
            for (Layer b : branches) {
                Shape o = b.output(s);
                if (first == null) {
                    first = o;
                } else if (!first.equals(o)) {
                    throw new ShapeException("added branches disagree: " + first + " vs " + o);
                }
            }
            return first;
        }

        @Override
        public List<Layer> children() {
            return branches;
        }
    }

    /** Branches applied to the same input and concatenated along channels. */
    record Concat(List<Layer> branches) implements Layer {
        public Concat {
            branches = List.copyOf(branches);
        }

        @Override
        public Shape output(Shape s) throws ShapeException {
            int c = 0;
            Shape first = null;
            for (Layer b : branches) {
                Shape o = b.output(s);
                if (first != null && (first.height() != o.height() || first.width() != o.width())) {
                    throw new ShapeException("concatenated branches disagree in size: " + first + " vs " + o);
                }
                first = first == null ? o : first;
                c += o.channels();
            }
            return first.withChannels(c);
        }

        @Override
        public List<Layer> children() {
            return branches;
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
