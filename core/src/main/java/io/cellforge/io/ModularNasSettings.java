package io.cellforge.io;

import io.cellforge.space.Problem;
import io.cellforge.settings.SearchConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.cellforge.io.ForeignSpaces.note;

/**
 * The search settings of a ModularNAS config, carried into Cellforge's where it has the piece: the architecture
 * optimizer ({@code optim}, or VEGA's {@code search_algorithm.optim}) names the strategy and its Adam, the search
 * estimator (combo_nas's {@code search.estimator}, VEGA's {@code trainer.modnas.estim}) the epochs, and its weight
 * optimizer and schedule (VEGA: the trainer's) the SGD settings. The rest is a warning with its line.
 */
final class ModularNasSettings {
    private ModularNasSettings() {
    }

    /**
     * The strategy a ModularNAS optimizer stands for: DARTSOptim (DARTS in combo_nas) takes the unrolled second-order
     * step, DirectGradBiLevelOptim the first-order one, BinaryGateOptim is ProxylessNAS; null when Cellforge has none.
     */
    private static String strategyOf(String optim, String mixedOp) {
        String o = ModularNas.reg(optim);
        String fromMixed = mixedOp == null ? "" : ModularNas.MIXED_OP_STRATEGY.getOrDefault(ModularNas.reg(mixedOp), "");
        return switch (o) {
            case "darts", "dartsoptim" -> "darts2";
            case "directgradbilevel", "directgradbileveloptim" -> "darts";
            case "bingate", "binarygateoptim" -> fromMixed.equals("proxyless-uniform") ? "proxyless-uniform" : "proxyless";
            default -> null;
        };
    }

    static SearchConfig standalone(YNode root, String mixedOp, List<Problem> notes) throws LoadException {
        Map<String, YNode> top = root.map();
        YNode optim = top.get("optim");
        if (optim == null) {
            return null;
        }
        YNode typeNode = YNode.req(optim.map(), "type", optim);
        String strategy = strategyOf(typeNode.str(), mixedOp);
        if (strategy == null) {
            notes.add(note(typeNode, "optim.type", "not mapped: Cellforge has no strategy for optimizer '" + typeNode.str()
                    + "'; the search settings are not carried"));
            return null;
        }
        SearchConfig.Builder cb = SearchConfig.builder(strategy);
        Map<String, YNode> virtual = optimArgs(optim, "optim", cb, notes);
        YNode search = top.get("search");
        if (search != null && search.isMap()) {
            Map<String, YNode> sm = search.map();
            YNode estim = sm.get("estimator");
            if (estim != null) {
                estimators(estim, "search.estimator", cb, notes);
            }
            YNode dl = sm.get("data_loader");
            if (dl != null && dl.isMap() && dl.map().containsKey("args")) {
                for (var e : dl.map().get("args").map().entrySet()) {
                    switch (e.getKey()) {
                        case "trn_batch_size" -> cb.batchSize(e.getValue().integer(1, 1_000_000));
                        case "valid_ratio" -> portion(1 - e.getValue().number(), e.getValue(), "search.data_loader.args.valid_ratio", cb, notes);
                        default -> notes.add(note(e.getValue(), "search.data_loader.args." + e.getKey(), "not mapped"));
                    }
                }
            }
        }
        SearchConfig c = built(cb, root);
        checkVirtual(virtual, "optim", c, notes);
        return c;
    }

    static SearchConfig vega(VegaPipeline.Step step, String mixedOp, List<Problem> notes) throws LoadException {
        Map<String, YNode> st = step.container().map();
        YNode alg = st.get("search_algorithm");
        String strategy = null;
        YNode optim = null;
        if (alg != null && alg.isMap() && alg.map().containsKey("optim")) {
            optim = alg.map().get("optim");
            YNode t = YNode.req(optim.map(), "type", optim);
            strategy = strategyOf(t.str(), mixedOp);
            if (strategy == null) {
                notes.add(note(t, step.name() + ".search_algorithm.optim.type", "not mapped: Cellforge has no strategy for '"
                        + t.str() + "'; the search settings are not carried"));
            }
        }
        YNode trainer = st.get("trainer");
        for (String k : st.keySet()) {
            if (!Set.of("search_space", "model", "search_algorithm", "trainer", "dataset", "pipe_step").contains(k)) {
                notes.add(note(st.get(k), step.name() + "." + k, "not mapped"));
            }
        }
        if (optim == null) {
            if (trainer != null) {
                notes.add(note(trainer, step.name() + ".trainer", "not mapped: this step searches nothing; train the network "
                        + "with the trainer you use"));
            }
            return null;
        }
        // Walked even when no strategy maps, for the warnings of what it sets.
        SearchConfig.Builder cb = SearchConfig.builder(strategy == null ? "darts" : strategy);
        Map<String, YNode> virtual = optimArgs(optim, step.name() + ".search_algorithm.optim", cb, notes);
        YNode ds = st.get("dataset");
        if (ds != null && ds.isMap() && ds.map().containsKey("common")) {
            for (var e : ds.map().get("common").map().entrySet()) {
                switch (e.getKey()) {
                    case "batch_size" -> cb.batchSize(e.getValue().integer(1, 1_000_000));
                    case "train_portion" -> portion(e.getValue().number(), e.getValue(), step.name() + ".dataset.common.train_portion", cb, notes);
                    case "data_path" -> { }
                    default -> notes.add(note(e.getValue(), step.name() + ".dataset.common." + e.getKey(), "not mapped"));
                }
            }
        }
        if (trainer != null && trainer.isMap()) {
            String at = step.name() + ".trainer";
            Map<String, YNode> t = trainer.map();
            // The trainer's epochs, unless the estimator sets its own (trainer_callback.py: estim.config.get('epochs', ...)).
            if (t.containsKey("epochs")) {
                cb.epochs(t.get("epochs").integer(1, 1_000_000));
            }
            for (var e : t.entrySet()) {
                YNode v = e.getValue();
                switch (e.getKey()) {
                    case "epochs" -> { }
                    case "optimizer" -> weightOptim(v, at + ".optimizer", "SGD", "params", cb, notes);
                    case "lr_scheduler" -> scheduler(v, at + ".lr_scheduler", "params", cb, notes);
                    case "modnas" -> {
                        for (var m : v.map().entrySet()) {
                            if (m.getKey().equals("estim")) {
                                estimators(m.getValue(), at + ".modnas.estim", cb, notes);
                            } else {
                                notes.add(note(m.getValue(), at + ".modnas." + m.getKey(), "not mapped"));
                            }
                        }
                    }
                    case "type", "callbacks", "valid_interval", "lazy_built" -> { }
                    default -> notes.add(note(v, at + "." + e.getKey(), "not mapped"));
                }
            }
        }
        if (strategy == null) {
            return null;
        }
        SearchConfig c = built(cb, step.container());
        checkVirtual(virtual, step.name() + ".search_algorithm.optim", c, notes);
        return c;
    }

    /** The architecture optimizer's arguments: a_optim (Adam), n_samples and renorm of BinaryGateOptim. */
    private static Map<String, YNode> optimArgs(YNode optim, String at, SearchConfig.Builder cb, List<Problem> notes)
            throws LoadException {
        Map<String, YNode> virtual = new LinkedHashMap<>();
        Map<String, YNode> m = optim.map();
        if (!m.containsKey("args")) {
            return virtual;
        }
        for (var e : m.get("args").map().entrySet()) {
            YNode v = e.getValue();
            switch (e.getKey()) {
                case "a_optim" -> {
                    Map<String, YNode> a = v.map();
                    YNode t = YNode.req(a, "type", v);
                    if (!ModularNas.reg(t.str()).equals("adam")) {
                        notes.add(note(t, at + ".args.a_optim.type", "not mapped: Cellforge moves the architecture by Adam"));
                        continue;
                    }
                    // A given a_optim replaces ModularNAS's default one whole: what it leaves out is torch's Adam default.
                    cb.archLr(0.001).archBeta1(0.9).archBeta2(0.999).archWeightDecay(0);
                    if (a.containsKey("args")) {
                        for (var x : a.get("args").map().entrySet()) {
                            switch (x.getKey()) {
                                case "lr" -> cb.archLr(x.getValue().number());
                                case "betas" -> {
                                    List<YNode> bs = x.getValue().seq();
                                    if (bs.size() != 2) {
                                        throw x.getValue().error("betas takes two numbers");
                                    }
                                    cb.archBeta1(bs.get(0).number()).archBeta2(bs.get(1).number());
                                }
                                case "weight_decay" -> cb.archWeightDecay(x.getValue().number());
                                default -> notes.add(note(x.getValue(), at + ".args.a_optim.args." + x.getKey(), "not mapped"));
                            }
                        }
                    }
                }
                case "w_momentum", "w_weight_decay" -> virtual.put(e.getKey(), v);
                case "n_samples" -> cb.pathSamples(v.integer(1, 1000));
                case "renorm" -> {
                    if (!v.bool()) {
                        notes.add(note(v, at + ".args.renorm", "not mapped: Cellforge's proxyless always rescales the sampled paths"));
                    }
                }
                default -> notes.add(note(v, at + ".args." + e.getKey(), "not mapped"));
            }
        }
        return virtual;
    }

    /**
     * DARTSOptim's virtual step takes its own momentum and weight decay (w_momentum, w_weight_decay); Cellforge's
     * takes the weights': a warning when they differ.
     */
    private static void checkVirtual(Map<String, YNode> virtual, String at, SearchConfig c, List<Problem> notes) throws LoadException {
        for (var e : virtual.entrySet()) {
            double want = e.getKey().equals("w_momentum") ? c.momentum() : c.weightDecay();
            if (e.getValue().number() != want) {
                notes.add(note(e.getValue(), at + ".args." + e.getKey(), "not mapped: Cellforge's unrolled step uses the "
                        + "weights' " + (e.getKey().equals("w_momentum") ? "momentum" : "weight decay") + " (" + want + ")"));
            }
        }
    }

    /**
     * Estimators: the one that searches (SuperNet / SuperNetEstim, ParamStatsSuperNet) gives epochs and its weight
     * optimizer; a Default one before it (ModularNAS's warm-up: weights only) becomes Cellforge's warm-up epochs,
     * added to the search's; the others (teacher, progressive shrinking, subnet evaluation) have no counterpart.
     */
    private static void estimators(YNode estim, String at, SearchConfig.Builder cb, List<Problem> notes) throws LoadException {
        int warmup = 0;
        YNode warmupNode = null;
        String warmupAt = null;
        Integer searchEpochs = null;
        for (var e : estim.map().entrySet()) {
            YNode conf = e.getValue();
            String where = at + "." + e.getKey();
            String type = conf.isMap() && conf.map().containsKey("type") ? ModularNas.reg(conf.map().get("type").str()) : "";
            if (List.of("default", "defaultestim", "defaultestimator").contains(type) && warmupNode == null) {
                warmupNode = conf;
                warmupAt = where;
                for (var x : conf.map().entrySet()) {
                    switch (x.getKey()) {
                        case "type", "print_freq", "save_freq", "plot" -> { }
                        case "epochs" -> warmup = x.getValue().integer(0, 1_000_000);
                        default -> notes.add(note(x.getValue(), where + "." + x.getKey(),
                                "not mapped: Cellforge's warm-up trains with the search estimator's settings"));
                    }
                }
                continue;
            }
            if (!type.contains("supernet")) {
                notes.add(note(conf, where, "not mapped: " + (type.contains("progressiveshrinking")
                        ? "progressive shrinking is not in Cellforge"
                        : "Cellforge runs one search estimator, not '" + (type.isEmpty() ? e.getKey() : conf.map().get("type").str()) + "'")));
                continue;
            }
            for (var x : conf.map().entrySet()) {
                YNode v = x.getValue();
                switch (x.getKey()) {
                    case "type", "print_freq", "save_freq", "plot" -> { }
                    case "epochs" -> searchEpochs = v.integer(1, 1_000_000);
                    case "w_optim" -> weightOptim(v, where + ".w_optim", "sgd", "args", cb, notes);
                    case "lr_scheduler" -> scheduler(v, where + ".lr_scheduler", "args", cb, notes);
                    case "w_grad_clip" -> {
                        if (v.number() > 0) {
                            cb.gradClip(v.number());
                        } else {
                            notes.add(note(v, where + ".w_grad_clip", "not mapped: 0 turns clipping off; Cellforge always clips"));
                        }
                    }
                    case "criterion" -> notes.add(note(v, where + ".criterion", "not mapped: the search loss is not configurable in Cellforge"));
                    default -> notes.add(note(v, where + "." + x.getKey(), x.getKey().startsWith("arch_update")
                            ? "not mapped: Cellforge has no schedule for the architecture updates" : "not mapped"));
                }
            }
        }
        if (searchEpochs != null) {
            cb.epochs(searchEpochs + warmup); // the warm-up's epochs come first, then the search's
        }
        if (warmup > 0) {
            if (searchEpochs == null || "spos".equals(cb.strategy())) {
                notes.add(note(warmupNode, warmupAt, searchEpochs == null
                        ? "not mapped: the search estimator gives no epochs to follow the warm-up's"
                        : "not mapped: spos has no architecture weights to hold during a warm-up"));
            } else {
                cb.warmup(warmup);
            }
        }
    }

    /** An SGD weight optimizer; a given one leaves out what torch's SGD defaults (momentum 0, no weight decay). */
    private static void weightOptim(YNode n, String at, String sgd, String argsKey, SearchConfig.Builder cb, List<Problem> notes)
            throws LoadException {
        Map<String, YNode> m = n.map();
        YNode t = YNode.req(m, "type", n);
        if (!ModularNas.reg(t.str()).equals(ModularNas.reg(sgd))) {
            notes.add(note(t, at + ".type", "not mapped: Cellforge trains the weights by SGD"));
            return;
        }
        cb.momentum(0).weightDecay(0);
        if (!m.containsKey(argsKey)) {
            return;
        }
        for (var x : m.get(argsKey).map().entrySet()) {
            YNode v = x.getValue();
            switch (x.getKey()) {
                case "lr" -> cb.lr(v.number());
                case "momentum" -> cb.momentum(v.number());
                case "weight_decay" -> cb.weightDecay(v.number());
                case "nesterov" -> {
                    if (v.bool()) {
                        notes.add(note(v, at + "." + argsKey + ".nesterov", "not mapped: Cellforge's SGD has no Nesterov momentum"));
                    }
                }
                default -> notes.add(note(v, at + "." + argsKey + "." + x.getKey(), "not mapped"));
            }
        }
    }

    /** A cosine schedule's floor; Cellforge anneals by cosine only. */
    private static void scheduler(YNode n, String at, String argsKey, SearchConfig.Builder cb, List<Problem> notes) throws LoadException {
        Map<String, YNode> m = n.map();
        YNode t = YNode.req(m, "type", n);
        if (!Set.of("cosine", "cosineannealinglr").contains(ModularNas.reg(t.str()))) {
            notes.add(note(t, at + ".type", "not mapped: Cellforge anneals the learning rate by cosine"));
            return;
        }
        // torch's CosineAnnealingLR and ModularNAS's 'cosine' default eta_min to 0.
        cb.lrMin(0);
        if (!m.containsKey(argsKey)) {
            return;
        }
        for (var x : m.get(argsKey).map().entrySet()) {
            switch (x.getKey()) {
                case "eta_min" -> cb.lrMin(x.getValue().number());
                case "T_max" -> notes.add(note(x.getValue(), at + "." + argsKey + ".T_max", "not mapped: Cellforge anneals over the epochs of the search"));
                default -> notes.add(note(x.getValue(), at + "." + argsKey + "." + x.getKey(), "not mapped"));
            }
        }
    }

    private static void portion(double p, YNode at, String place, SearchConfig.Builder cb, List<Problem> notes) {
        if (p > 0 && p < 1) {
            cb.trainPortion(p);
        } else {
            notes.add(note(at, place, "not mapped: Cellforge splits the training images between weights and architecture"));
        }
    }

    private static SearchConfig built(SearchConfig.Builder cb, YNode at) throws LoadException {
        try {
            return cb.build();
        } catch (IllegalArgumentException e) {
            throw at.error(e.getMessage());
        }
    }
}
