package io.cellforge.search;

import io.cellforge.settings.SearchConfig;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.Validator;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OneShotSearchTest {
    static DataBundle digits;

    @BeforeAll
    static void load() throws Exception {
        digits = Datasets.digits();
    }

    /** A one-cell DARTS-like space for 8x8 digits: two nodes, each keeping 1 of its inputs, four ops per edge. */
    static SearchSpace tiny() {
        return io.cellforge.trial.TinySpace.space();
    }

    @Test
    void aShortSearchLearnsMovesTheAlphasAndDerivesAValidCell() throws Exception {
        SearchSpace s = tiny();
        assertTrue(Validator.validate(s).isEmpty(), Validator.validate(s)::toString);
        List<SearchEvents.Step> steps = new ArrayList<>();
        SearchResult r = new OneShotSearch(s, digits, SearchConfig.builder("darts").epochs(4).lr(0.2).archLr(3e-2).build())
                .run(new SearchEvents.Listener() {
                    @Override
                    public void step(SearchEvents.Step e) {
                        steps.add(e);
                    }
                }, new SearchControl());
        assertTrue(r.completed());
        assertEquals(4, r.epochs().size());
        assertEquals(4 * 11, steps.size(), "719 images per half, batches of 64");
        System.out.printf("tiny search: train loss %.3f -> %.3f, valid accuracy %.3f%n", r.epochs().get(0).trainLoss(),
                r.epochs().get(3).trainLoss(), r.epochs().get(3).validAccuracy());
        assertTrue(r.epochs().get(3).trainLoss() < r.epochs().get(0).trainLoss() - 0.3,
                "loss falls: " + r.epochs().get(0).trainLoss() + " -> " + r.epochs().get(3).trainLoss());
        assertTrue(r.epochs().get(3).validAccuracy() > 0.3, "learns digits: " + r.epochs().get(3).validAccuracy());
        double[] p = r.weights().get("n1_p0");
        double spread = java.util.Arrays.stream(p).max().orElseThrow() - java.util.Arrays.stream(p).min().orElseThrow();
        assertTrue(spread > 0.01, "alphas moved from uniform: " + java.util.Arrays.toString(p));
        assertTrue(Evaluator.evaluate(s, r.architecture()).ok(), Evaluator.evaluate(s, r.architecture()).problems()::toString);
        assertFalse(((io.cellforge.arch.Decision.Op) r.architecture().get("n1_p0").orElseThrow()).label().equals("none"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"darts2", "gdas", "snas", "proxyless", "proxyless-uniform"})
    void everyStrategyRunsEndToEnd(String strategy) throws Exception {
        SearchSpace s = tiny();
        SearchResult r = new OneShotSearch(s, digits, SearchConfig.builder(strategy).epochs(2).lr(0.2).archLr(3e-2).build())
                .run(new SearchEvents.Listener() { }, new SearchControl());
        assertTrue(r.completed());
        assertEquals(2, r.epochs().size());
        assertTrue(r.epochs().get(1).trainLoss() < r.epochs().get(0).trainLoss(), strategy + " learns");
        double[] p = r.weights().get("n2_p1");
        double spread = java.util.Arrays.stream(p).max().orElseThrow() - java.util.Arrays.stream(p).min().orElseThrow();
        assertTrue(spread > 0.01, strategy + " moves alpha: " + java.util.Arrays.toString(p));
        assertTrue(Evaluator.evaluate(s, r.architecture()).ok());
    }

    @Test
    void sposTrainsSinglePathsThenEvolvesTheBestPath() throws Exception {
        SearchSpace s = tiny();
        List<double[]> generations = new ArrayList<>();
        SearchResult r = new OneShotSearch(s, digits, SearchConfig.builder("spos").epochs(2).lr(0.2).generations(2).build())
                .run(new SearchEvents.Listener() {
                    @Override
                    public void generation(int g, int total, double best, io.cellforge.arch.Architecture a) {
                        generations.add(new double[] {g, best});
                    }
                }, new SearchControl());
        assertTrue(r.completed());
        assertEquals(3, generations.size(), "generation 0 (random) and 2 bred ones");
        for (int i = 1; i < generations.size(); i++) {
            assertTrue(generations.get(i)[1] >= generations.get(i - 1)[1], "the best never gets worse");
        }
        assertTrue(generations.get(2)[1] > 0.15, "the best path beats chance: " + generations.get(2)[1]);
        assertTrue(Evaluator.evaluate(s, r.architecture()).ok(), Evaluator.evaluate(s, r.architecture()).problems()::toString);
        assertEquals(1.0, java.util.Arrays.stream(r.weights().get("n1_p0")).sum(), 1e-9);
    }

    @Test
    void aSinglePathGivesNoGradientToWhatItLeavesOut() throws Exception {
        SearchSpace s = tiny();
        var plan = Evaluator.supernetPlan(s);
        var net = new io.cellforge.engine.CompiledNetwork(plan, io.cellforge.engine.CompiledNetwork.Options.darts(1)
                .withMixedOp(io.cellforge.engine.CompiledNetwork.MixedOp.INDEX));
        assertTrue(net.arch().isEmpty(), "SPOS has no architecture weights");
        // n2 keeps only its input from in0, through sep_conv_3x3; n1's op is skip_connect.
        var arch = new io.cellforge.arch.Architecture(Map.of(
                "n1_p0", new io.cellforge.arch.Decision.Op("skip_connect"),
                "n1_switch", new io.cellforge.arch.Decision.Inputs(List.of(0)),
                "n2_p0", new io.cellforge.arch.Decision.Op("sep_conv_3x3"),
                "n2_p1", new io.cellforge.arch.Decision.Op("sep_conv_3x3"),
                "n2_switch", new io.cellforge.arch.Decision.Inputs(List.of(0))));
        var b = new io.cellforge.engine.Batches(digits.train(), digits.train().channelStats(), 8, 10, 1).next();
        var g = net.train(b.x(), b.y(), net.gatesFor(arch), java.util.Set.of(io.cellforge.engine.CompiledNetwork.Grad.WEIGHTS))
                .gradients();
        long zero = net.weights().keySet().stream().filter(w -> g.get(w).norm2Number().doubleValue() == 0).count();
        long live = net.weights().size() - zero;
        // n1 (skip) and n2_p1 (input left out) contribute nothing; n2_p0's sep_conv, the stem, preprocessing and head learn.
        assertTrue(zero >= 8, "sep_conv weights of the two paths not taken get no gradient: " + zero);
        assertTrue(live >= 6, "the path taken learns: " + live);
    }

    @Test
    void stopEndsTheSearchWithinAStep() throws Exception {
        SearchControl control = new SearchControl();
        List<SearchEvents.Step> steps = new ArrayList<>();
        SearchResult r = new OneShotSearch(tiny(), digits, SearchConfig.darts(5, 64, 2)).run(new SearchEvents.Listener() {
            @Override
            public void step(SearchEvents.Step e) {
                steps.add(e);
                if (steps.size() == 3) {
                    control.stop();
                }
            }
        }, control);
        assertFalse(r.completed());
        assertEquals(3, steps.size());
    }

    @Test
    void aPausedSearchTakesNoStepUntilResumed() throws Exception {
        SearchControl control = new SearchControl();
        java.util.concurrent.atomic.AtomicInteger steps = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CompletableFuture<SearchResult> run = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new OneShotSearch(tiny(), digits, SearchConfig.darts(1, 64, 2)).run(new SearchEvents.Listener() {
                    @Override
                    public void step(SearchEvents.Step e) {
                        if (steps.incrementAndGet() == 2) {
                            control.pause();
                        }
                    }
                }, control);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.currentTimeMillis() + 60_000;
        while (steps.get() < 2 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(700);
        assertEquals(2, steps.get(), "no step while paused");
        assertFalse(run.isDone());
        control.resume();
        SearchResult r = run.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(r.completed());
        assertEquals(11, steps.get(), "the epoch finished after resuming");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"darts", "darts2", "gdas", "snas", "spos", "proxyless", "proxyless-uniform"})
    void aResumedSearchContinuesAsIfItHadNeverStopped(String strategy, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        SearchConfig cfg = SearchConfig.builder(strategy).epochs(2).seed(5).lr(0.1).archLr(3e-2).generations(1).build();
        SearchResult straight = new OneShotSearch(tiny(), digits, cfg).run(new SearchEvents.Listener() { }, new SearchControl());

        java.nio.file.Path ckpt = dir.resolve("ckpt");
        SearchControl control = new SearchControl();
        int[] steps = {0};
        SearchResult first = new OneShotSearch(tiny(), digits, cfg).run(new SearchEvents.Listener() {
            @Override
            public void step(SearchEvents.Step s) {
                if (++steps[0] == 16) {
                    control.stop(); // in the middle of the second epoch
                }
            }
        }, control, ckpt, null);
        assertFalse(first.completed());
        assertTrue(io.cellforge.engine.Checkpoint.isCheckpoint(ckpt));

        SearchResult resumed = new OneShotSearch(tiny(), digits, cfg).run(new SearchEvents.Listener() { }, new SearchControl(), ckpt, ckpt);
        assertTrue(resumed.completed());
        assertEquals(2, resumed.epochs().size());
        for (String k : straight.weights().keySet()) {
            double[] a = straight.weights().get(k);
            double[] b = resumed.weights().get(k);
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-5, k + "[" + i + "]");
            }
        }
        assertEquals(straight.epochs().get(1).validAccuracy(), resumed.epochs().get(1).validAccuracy(), 1e-9);
        assertEquals(straight.epochs().get(1).trainLoss(), resumed.epochs().get(1).trainLoss(), 1e-4);
        assertEquals(straight.architecture(), resumed.architecture());
    }

    @Test
    void aCheckpointOfAnotherSpaceIsRefusedByName(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path ckpt = dir.resolve("ckpt");
        SearchConfig cfg = SearchConfig.darts(1, 64, 5);
        new OneShotSearch(tiny(), digits, cfg).run(new SearchEvents.Listener() { }, new SearchControl(), ckpt, null);
        SearchSpace other = tiny().withName("other");
        io.cellforge.io.LoadException e = org.junit.jupiter.api.Assertions.assertThrows(io.cellforge.io.LoadException.class,
                () -> new OneShotSearch(other, digits, cfg).run(new SearchEvents.Listener() { }, new SearchControl(), null, ckpt));
        assertTrue(e.getMessage().contains("not of a darts search of 'other'"), e.getMessage());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(io.cellforge.engine.CompiledNetwork.MixedOp.class)
    void theDartsMiniSpaceCompilesWithEveryMixedOpAndOneDecisionPerSharedKey(io.cellforge.engine.CompiledNetwork.MixedOp mixed)
            throws Exception {
        SearchSpace s = Zoo.get("darts-mini").orElseThrow();
        var plan = Evaluator.supernetPlan(s);
        assertEquals(28, plan.choices().keySet().stream().filter(k -> !k.endsWith("switch")).count());
        var net = new io.cellforge.engine.CompiledNetwork(plan,
                io.cellforge.engine.CompiledNetwork.Options.darts(1).withMixedOp(mixed));
        boolean index = mixed == io.cellforge.engine.CompiledNetwork.MixedOp.INDEX;
        // Three normal cells and two reduction cells share 28 keys: 28 alphas (none for single paths), noise once per key.
        assertEquals(index ? 0 : 28, net.arch().size());
        var path = net.gatesFor(io.cellforge.analysis.SpaceStats.first(s));
        assertEquals(28, path.ops().size(), "a gate per LayerChoice key");
        assertEquals(index ? 8 : 0, path.inputs().size(), "a mask per InputChoice key, for single paths");
        io.cellforge.engine.relax.Gates feed = switch (mixed) {
            case INDEX -> path;
            case BIN_GATE -> new io.cellforge.engine.relax.BinaryGate.Binarized(path.ops(), Map.of());
            default -> net.sampleGates(new java.util.Random(1), 1.0);
        };
        boolean gumbel = mixed == io.cellforge.engine.CompiledNetwork.MixedOp.GUMBEL_SUM
                || mixed == io.cellforge.engine.CompiledNetwork.MixedOp.GUMBEL_HARD;
        assertEquals(gumbel ? 28 : 0, feed instanceof io.cellforge.engine.relax.GumbelSoft.Noise n ? n.noise().size() : 0);
        // and a forward pass needs nothing more than that feed
        var b = new io.cellforge.engine.Batches(digits.train(), digits.train().channelStats(), 4, 10, 1).next();
        double loss = net.evaluate(b.x(), b.y(), feed).loss();
        assertTrue(Double.isFinite(loss));
    }
}
