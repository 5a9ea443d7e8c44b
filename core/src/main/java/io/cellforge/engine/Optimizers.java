package io.cellforge.engine;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.HashMap;
import java.util.Map;

/** The optimizers of the DARTS recipe, with PyTorch's exact update rules (weight decay added to the gradient). */
public final class Optimizers {
    private Optimizers() {
    }

    /** Updates parameters in place from their gradients. */
    public interface Optimizer {
        void step(Map<String, INDArray> params, Map<String, INDArray> grads, double lr);
    }

    /** SGD with momentum: {@code buf = m*buf + (g + wd*p); p -= lr*buf} (the first step takes {@code buf = g + wd*p}). */
    public static final class Sgd implements Optimizer {
        private final double momentum;
        private final double weightDecay;
        private final Map<String, INDArray> buffers = new HashMap<>();

        public Sgd(double momentum, double weightDecay) {
            this.momentum = momentum;
            this.weightDecay = weightDecay;
        }

        @Override
        public void step(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
            for (var e : grads.entrySet()) {
                INDArray p = params.get(e.getKey());
                INDArray d = e.getValue().dup();
                if (weightDecay != 0) {
                    d.addi(p.mul(weightDecay));
                }
                INDArray buf = buffers.get(e.getKey());
                if (buf == null) {
                    buf = d;
                    buffers.put(e.getKey(), buf);
                } else {
                    buf.muli(momentum).addi(d);
                }
                p.subi(buf.mul(lr));
            }
        }

        /** The momentum buffers by parameter name (for checkpoints); the map is live. */
        public Map<String, INDArray> state() {
            return buffers;
        }
    }

    /** Adam: {@code g += wd*p; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; p -= lr * m^ / (sqrt(v^) + eps)}. */
    public static final class Adam implements Optimizer {
        private final double beta1;
        private final double beta2;
        private final double weightDecay;
        private final double eps = 1e-8;
        private final Map<String, INDArray> m = new HashMap<>();
        private final Map<String, INDArray> v = new HashMap<>();
        private int t;

        public Adam(double beta1, double beta2, double weightDecay) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.weightDecay = weightDecay;
        }

        /** First and second moments by parameter name (live maps) and the step count, for checkpoints. */
        public Map<String, INDArray> firstMoments() {
            return m;
        }

        public Map<String, INDArray> secondMoments() {
            return v;
        }

        public int steps() {
            return t;
        }

        public void restoreSteps(int steps) {
            t = steps;
        }

        @Override
        public void step(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
            t++;
            double c1 = 1 - Math.pow(beta1, t);
            double c2 = 1 - Math.pow(beta2, t);
            for (var e : grads.entrySet()) {
                INDArray p = params.get(e.getKey());
                INDArray g = e.getValue().dup();
                if (weightDecay != 0) {
                    g.addi(p.mul(weightDecay));
                }
                INDArray mm = m.computeIfAbsent(e.getKey(), k -> g.mul(0));
                INDArray vv = v.computeIfAbsent(e.getKey(), k -> g.mul(0));
                mm.muli(beta1).addi(g.mul(1 - beta1));
                vv.muli(beta2).addi(g.mul(g).muli(1 - beta2));
                INDArray denom = Transforms.sqrt(vv.div(c2), true).addi(eps);
                p.subi(mm.div(c1).divi(denom).muli(lr));
            }
        }
    }

    /** PyTorch's clip_grad_norm_: scales all gradients so that their joint L2 norm is at most {@code max}. */
    public static double clipGradNorm(Map<String, INDArray> grads, double max) {
        double total = 0;
        for (INDArray g : grads.values()) {
            double n = g.norm2Number().doubleValue();
            total += n * n;
        }
        total = Math.sqrt(total);
        double coef = max / (total + 1e-6);
        if (coef < 1) {
            grads.values().forEach(g -> g.muli(coef));
        }
        return total;
    }

    /** The cosine schedule of DARTS: from {@code max} at epoch 0 to {@code min} at {@code epochs}. */
    public static double cosine(double max, double min, int epoch, int epochs) {
        return min + 0.5 * (max - min) * (1 + Math.cos(Math.PI * epoch / Math.max(1, epochs)));
    }
}
