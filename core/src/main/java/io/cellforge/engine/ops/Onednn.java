package io.cellforge.engine.ops;

import io.cellforge.ops.Shape;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.Map;

/**
 * oneDNN (Intel's deep-learning primitives, through JavaCPP's {@code org.bytedeco:dnnl}) for the CPU float path.
 * libnd4j 1.0.0-M2.1 keeps tensors in plain NCHW and reorders them for oneDNN at every call, and its depthwise
 * kernels are im2col + GEMM; here activations whose channels are a multiple of the block stay in oneDNN's
 * blocked layout {@code nChw16c} or {@code nChw8c} ([N][C/b][H][W][b]) from op to op, so that oneDNN's JIT kernels run on them
 * directly: on 32x16x32x32 a 3x3 depthwise convolution's forward and backward took 0.14 and 0.3 ms against
 * libnd4j's 1.0 and 3.0 ms, a 1x1 convolution's 0.14 and 0.26 ms against 1.0 and 2.5 ms. The block is 16
 * channels on AVX-512 CPUs and 8 elsewhere ({@code Backend.onednnBlock}).
 * Elementwise kernels (ReLU, sums) do not care about the layout: every slot of a shape has the same one.
 */
public final class Onednn {
    private static engine eng;
    /** oneDNN's streams are not for sharing between threads (a search and a retraining may run at once). */
    private static final ThreadLocal<stream> STREAMS = ThreadLocal.withInitial(() -> new stream(eng));
    private static String problem;

    private Onednn() {
    }

    /** Loads oneDNN once; false (with {@link #problem()}) where its native library cannot load. */
    public static synchronized boolean available() {
        if (eng == null && problem == null) {
            try {
                eng = new engine(engine.kind.cpu, 0);
            } catch (Throwable t) {
                problem = t.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        return eng != null;
    }

    /** Why oneDNN is not available, or null. */
    public static String problem() {
        return problem;
    }

    static engine engine() {
        return eng;
    }

    /** The activation layout of {@code n} samples of a slot: blocked by {@code block} channels, or plain NCHW (0). */
    static memory.desc activation(int n, Shape s, int block) {
        return new memory.desc(new long[] {n, s.channels(), s.height(), s.width()}, memory.data_type.f32,
                block == 16 ? memory.format_tag.nChw16c : block == 8 ? memory.format_tag.nChw8c : memory.format_tag.nchw);
    }

    /** Any float layout given by strides (in elements). */
    static memory.desc strided(long[] dims, long[] strides) {
        return new memory.desc(dims, memory.data_type.f32, strides);
    }

    /** A plain vector of {@code n} floats. */
    static memory.desc vector(long n) {
        return new memory.desc(new long[] {n}, memory.data_type.f32, memory.format_tag.a);
    }

    /** Memory of that layout whose data the caller sets before each run ({@link #bind}). */
    static memory handle(memory.desc d) {
        return new memory(d, eng, (Pointer) null);
    }

    /** Memory oneDNN allocates and owns (weights in a primitive's own layout, statistics, workspaces). */
    static memory owned(memory.desc d) {
        return new memory(d, eng);
    }

    /** Points oneDNN memory at an array's buffer (whole, contiguous: slots and weights are). */
    static memory bind(memory m, INDArray a) {
        m.set_data_handle(a.data().addressPointer());
        return m;
    }

    static IntMemoryMap args(Object... pairs) {
        IntMemoryMap m = new IntMemoryMap();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((Integer) pairs[i], (memory) pairs[i + 1]);
        }
        return m;
    }

    static void run(primitive p, IntMemoryMap args) {
        stream s = STREAMS.get();
        p.execute(s, args);
        s._wait();
    }

    /**
     * An op's primitives for each OpenMP team size: oneDNN fixes a convolution's or a BatchNorm's thread count when
     * the primitive is made (one made for one thread ran on one after the team grew), so each size the engine
     * runs at ({@link OpContext#threads}) gets its own, made on first use.
     */
    static final class Teams<P> {
        private final java.util.function.Function<OpContext, P> make;
        private final Map<Integer, P> made = new HashMap<>(4);

        Teams(java.util.function.Function<OpContext, P> make) {
            this.make = make;
        }

        /** The primitives for the pass's team size. */
        P get(OpContext c) {
            P p = made.get(c.threads());
            if (p == null) {
                p = make.apply(c);
                made.put(c.threads(), p);
            }
            return p;
        }

        /** The primitives made so far, of every team size. */
        java.util.Collection<P> made() {
            return made.values();
        }

        /** Forgets them all (new buffers) and makes those of the current team size, so that errors show at binding. */
        void rebind(OpContext c) {
            made.clear();
            get(c);
        }
    }

    /** A reorder from one memory to another, made once and run with {@link #run(Copy)}. */
    record Copy(reorder r, IntMemoryMap args) {
        static Copy of(memory from, memory to) {
            return new Copy(new reorder(from, to), Onednn.args(org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM, from,
                    org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO, to));
        }
    }

    static void run(Copy c) {
        run(c.r(), c.args());
    }

    /**
     * A tensor in the engine's layout and in the one a primitive takes, with the reorder between them where the two
     * differ: {@link #input} reorders before the primitive runs, {@link #output} after.
     */
    static final class Staged {
        final memory user;
        final memory prim;
        private final Copy copy;

        private Staged(memory user, memory prim, Copy copy) {
            this.user = user;
            this.prim = prim;
            this.copy = copy;
        }

        static Staged input(memory.desc user, memory.desc prim) {
            memory u = handle(user);
            if (prim.equals(user)) {
                return new Staged(u, u, null);
            }
            memory p = owned(prim);
            return new Staged(u, p, Copy.of(u, p));
        }

        static Staged output(memory.desc user, memory.desc prim) {
            memory u = handle(user);
            if (prim.equals(user)) {
                return new Staged(u, u, null);
            }
            memory p = owned(prim);
            return new Staged(u, p, Copy.of(p, u));
        }

        /** Points the engine side at {@code a}; an input is reordered into the primitive's layout at once. */
        void bindInput(INDArray a) {
            bind(user, a);
            if (copy != null) {
                run(copy);
            }
        }

        void bindOutput(INDArray a) {
            bind(user, a);
        }

        /** After the primitive ran: an output in the primitive's layout is reordered into the engine's. */
        void flush() {
            if (copy != null) {
                run(copy);
            }
        }
    }

    /** Whether oneDNN chose its reference (unoptimised, often 100x slower) implementation for a primitive. */
    static boolean isReference(org.bytedeco.dnnl.primitive_desc_base pd) {
        return pd.impl_info_str().getString().startsWith("ref");
    }

    /** {@code n} samples of a slot in a layout oneDNN chooses. */
    static memory.desc anyActivation(int n, Shape s) {
        return new memory.desc(new long[] {n, s.channels(), s.height(), s.width()}, memory.data_type.f32, memory.format_tag.any);
    }

    /**
     * The strides of a [kH, kW, in, out] kernel (the engine's weight layout) seen as oneDNN's (out, in, kH, kW);
     * {@code d} visits every d-th tap of a dilated kernel stored spread out.
     */
    static long[] kernelStrides(long spreadW, long in, long out, int d) {
        return new long[] {1, out, d * spreadW * in * out, (long) d * in * out};
    }
}
