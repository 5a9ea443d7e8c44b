package io.cellforge.engine.ops;

/**
 * One kernel call of a compiled network: reads the values of its input slots and writes its output slot, and in
 * the backward pass adds d loss / d inputs from d loss / d out. Slots, buffers and weights are reached through the
 * {@link OpContext} of the pass.
 */
public abstract class Op {
    final int out;
    final int[] in;

    Op(int out, int... in) {
        this.out = out;
        this.in = in;
    }

    public final int out() {
        return out;
    }

    /** The input slots (-1 for a mixed op's candidate that contributes nothing). */
    public final int[] inputs() {
        return in.clone();
    }

    /** Marks live the inputs this op needs for the current pass. */
    public void markInputs(OpContext c) {
        for (int i : in) {
            c.markLive(i);
        }
    }

    /** Called after the buffers of a batch size are made. */
    public void bind(OpContext c) {
    }

    /** The kind this op's time is summed under when the benchmark profiles. */
    public String kind() {
        return getClass().getSimpleName();
    }

    /**
     * The primitives of this op for which oneDNN chose its reference implementation (unoptimised, often 100x slower
     * than its JIT kernels), as "kind pass"; empty for an op that has none.
     */
    public java.util.List<String> referenceKernels() {
        return java.util.List.of();
    }

    public abstract void forward(OpContext c);

    /** Adds d loss / d inputs (and writes the parameters' gradients) from d loss / d out. */
    public abstract void backward(OpContext c);
}
