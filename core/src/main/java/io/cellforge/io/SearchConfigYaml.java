package io.cellforge.io;

import io.cellforge.settings.Augment;

import io.cellforge.engine.Batches;
import io.cellforge.search.OneShotSearch;
import io.cellforge.settings.SearchConfig;

import java.util.List;
import java.util.Map;

/**
 * Search settings in YAML, under the names {@link SearchConfig#toMap()} writes:
 * <pre>
 * strategy: darts
 * epochs: 50
 * lr: 0.025
 * arch_betas: [0.5, 0.999]
 * augment: {crop_padding: 4, flip: true, cutout: 16}
 * </pre>
 * Settings left out keep the strategy's published defaults. Every error names file:line:column.
 */
public final class SearchConfigYaml {
    static final List<String> KEYS = List.of("strategy", "epochs", "batch_size", "seed", "lr", "lr_min", "momentum",
            "weight_decay", "grad_clip", "arch_lr", "arch_betas", "arch_weight_decay", "train_portion", "tau_max", "tau_min",
            "generations", "path_samples", "augment", "warmup");

    private SearchConfigYaml() {
    }

    /**
     * The settings of a file over the defaults of its strategy; {@code strategy}, when given, replaces the file's
     * (the command line wins).
     */
    public static SearchConfig.Builder read(String text, String source, String strategy) throws LoadException {
        return read(YNode.parse(text, source), source, strategy);
    }

    /** The settings held by one node of a larger file (a run folder's {@code run.json} keeps them under "settings"). */
    public static SearchConfig.Builder read(YNode root, String source, String strategy) throws LoadException {
        Map<String, YNode> m = root.map(KEYS);
        String s = strategy;
        if (s == null && YNode.opt(m, "strategy").isPresent()) {
            s = m.get("strategy").str();
            if (!SearchConfig.STRATEGIES.contains(s)) {
                throw m.get("strategy").error("unknown strategy '" + s + "'; available: " + String.join(", ", SearchConfig.STRATEGIES));
            }
        }
        SearchConfig.Builder b = SearchConfig.builder(s == null ? "darts" : s);
        for (var e : m.entrySet()) {
            YNode n = e.getValue();
            if (n.isNull()) {
                continue;
            }
            switch (e.getKey()) {
                case "strategy" -> { }
                case "epochs" -> b.epochs(n.integer(1, 1_000_000));
                case "batch_size" -> b.batchSize(n.integer(1, 1_000_000));
                case "seed" -> b.seed(n.integer());
                case "lr" -> b.lr(n.number());
                case "lr_min" -> b.lrMin(n.number());
                case "momentum" -> b.momentum(n.number());
                case "weight_decay" -> b.weightDecay(n.number());
                case "grad_clip" -> b.gradClip(n.number());
                case "arch_lr" -> b.archLr(n.number());
                case "arch_betas" -> {
                    List<YNode> betas = n.seq();
                    if (betas.size() != 2) {
                        throw n.error("arch_betas takes two numbers, e.g. [0.5, 0.999]");
                    }
                    b.archBeta1(betas.get(0).number()).archBeta2(betas.get(1).number());
                }
                case "arch_weight_decay" -> b.archWeightDecay(n.number());
                case "train_portion" -> b.trainPortion(n.number());
                case "tau_max" -> b.tauMax(n.number());
                case "tau_min" -> b.tauMin(n.number());
                case "generations" -> b.generations(n.integer(0, 1_000_000));
                case "path_samples" -> b.pathSamples(n.integer(1, 1_000));
                case "warmup" -> b.warmup(n.integer(0, 1_000_000));
                case "augment" -> {
                    Map<String, YNode> a = n.map(List.of("crop_padding", "flip", "cutout"));
                    b.augment(new Augment(
                            YNode.opt(a, "crop_padding").isPresent() ? a.get("crop_padding").integer(0, 1000) : 0,
                            YNode.opt(a, "flip").isPresent() && a.get("flip").bool(),
                            YNode.opt(a, "cutout").isPresent() ? a.get("cutout").integer(0, 100_000) : 0));
                }
                default -> throw new IllegalStateException(e.getKey());
            }
        }
        // An out-of-range value is reported at the key the message names first (settings may be checked together).
        try {
            b.build();
        } catch (IllegalArgumentException ex) {
            throw new LoadException(whereNamed(ex.getMessage(), m, root), ex.getMessage());
        }
        return b;
    }

    private static String whereNamed(String message, Map<String, YNode> m, YNode root) {
        String where = root.where();
        int first = Integer.MAX_VALUE;
        for (var e : m.entrySet()) {
            var found = java.util.regex.Pattern.compile("\\b" + e.getKey() + "\\b").matcher(message);
            if (found.find() && found.start() < first) {
                first = found.start();
                where = e.getValue().where();
            }
        }
        return where;
    }
}
