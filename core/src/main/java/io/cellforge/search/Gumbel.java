package io.cellforge.search;

import io.cellforge.engine.Batches;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.CompiledNetwork.Grad;
import io.cellforge.engine.relax.Gates;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Random;

/**
 * Gumbel-softmax relaxations; the temperature falls linearly from {@code tauMax} to {@code tauMin}. GDAS (Dong
 * and Yang 2019): hard, one path forward and the soft gradient backward (straight-through), alpha on validation
 * batches. SNAS (Xie et al. 2019): soft, weights and alpha learning from the same training batch.
 */
final class Gumbel implements Strategy {
    private final boolean hard;

    Gumbel(boolean hard) {
        this.hard = hard;
    }

    @Override
    public CompiledNetwork.MixedOp mixedOp() {
        return hard ? CompiledNetwork.MixedOp.GUMBEL_HARD : CompiledNetwork.MixedOp.GUMBEL_SUM;
    }

    @Override
    public boolean bilevel() {
        return hard;
    }

    @Override
    public ArchStep archStep(Context c, Batches.Batch train, Batches.Batch valid, Random noise, double tau, double lr) {
        CompiledNetwork.Result a = c.net().train(valid, c.net().sampleGates(noise, tau), EnumSet.of(Grad.ARCH));
        return new ArchStep(new HashMap<>(a.gradients()), a.loss());
    }

    @Override
    public Gates weightGates(Context c, Random noise, double tau) {
        return c.net().sampleGates(noise, tau);
    }

    @Override
    public Gates evaluationGates(Context c, double tau) {
        return c.net().sampleGates(null, tau);
    }
}
