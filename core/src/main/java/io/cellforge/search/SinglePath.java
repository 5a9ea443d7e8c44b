package io.cellforge.search;

import io.cellforge.engine.Batches;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.relax.OneHot;

import java.util.Random;

/**
 * SPOS (Guo et al. 2020): each step trains one uniformly drawn path; after training, an evolutionary search over
 * the supernet picks the path with the best validation accuracy. No architecture weights.
 */
final class SinglePath implements Strategy {
    @Override
    public CompiledNetwork.MixedOp mixedOp() {
        return CompiledNetwork.MixedOp.INDEX;
    }

    @Override
    public ArchStep archStep(Context c, Batches.Batch train, Batches.Batch valid, Random noise, double tau, double lr) {
        throw new IllegalStateException("SPOS has no architecture weights");
    }

    @Override
    public OneHot.Path weightGates(Context c, Random noise, double tau) {
        return c.net().gatesFor(Sampling.uniform(c.space(), c.net().plan(), c.net().pruned(), noise));
    }

    @Override
    public OneHot.Path evaluationGates(Context c, double tau) {
        return c.net().gatesFor(Sampling.uniform(c.space(), c.net().plan(), c.net().pruned(), new Random(c.cfg().seed())));
    }

    @Override
    public boolean evolves() {
        return true;
    }
}
