package io.cellforge.engine.relax;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a strategy sets on a supernet's mixed ops for one pass, typed by the relaxation that reads it
 * ({@link Relaxation#gatesType}): nothing ({@link #NONE}: DARTS's softmax, retraining), Gumbel noise
 * ({@link GumbelSoft.Noise}), one path ({@link OneHot.Path}), binary gates ({@link BinaryGate.Binarized}). Each is
 * an immutable record beside its relaxation, so a new relaxation declares its own in its own file.
 */
public interface Gates {
    /** No inputs: the mixing follows from the architecture weights alone. */
    None NONE = new None();

    /** The gates of a relaxation that takes none. */
    record None() implements Gates {
    }

    /** {@code v} at the precision of a network of data type {@code t}: what a pass of that network computes with. */
    static double[] atPrecision(double[] v, DataType t) {
        return t == DataType.DOUBLE ? v : Nd4j.createFromArray(v).castTo(t).toDoubleVector();
    }

    /** {@code v} at the precision of a network of data type {@code t}. */
    static double atPrecision(double v, DataType t) {
        return t == DataType.DOUBLE ? v : Nd4j.scalar(t, v).getDouble(0);
    }
}
