package org.crs4j.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.crs4j.autograd.GradMode;
import org.crs4j.autograd.Variable;
import org.crs4j.nn.loss.Losses;
import org.crs4j.nn.optim.AdamW;
import org.crs4j.nn.optim.LrSchedule;
import org.crs4j.nn.optim.LrScheduler;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * End to end: a 2-layer MLP learns "two moons", which no linear classifier separates (a logistic regression
 * reaches about 85-88% on it), through Linear, ReLU, cross-entropy, backprop, AdamW and a cosine schedule.
 */
class MlpLearnsTwoMoonsTest {

    static final class Mlp extends Module {
        final Linear hidden, out;

        Mlp(int width, Generator rng) {
            hidden = child("hidden", new Linear(2, width, true, rng));
            out = child("out", new Linear(width, 2, true, rng));
        }

        Variable forward(Variable x) {
            return out.forward(hidden.forward(x).relu());
        }
    }

    /** sklearn's make_moons: two interleaved half circles with Gaussian noise; labels 0/1. */
    static Tensor[] moons(int n, double noise, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] xy = new float[2 * n];
        long[] label = new long[n];
        for (int i = 0; i < n; i++) {
            double t = Math.PI * r.nextDouble();
            boolean upper = i % 2 == 0;
            double x = upper ? Math.cos(t) : 1 - Math.cos(t), y = upper ? Math.sin(t) : 0.5 - Math.sin(t);
            xy[2 * i] = (float) (x + noise * gaussian(r));
            xy[2 * i + 1] = (float) (y + noise * gaussian(r));
            label[i] = upper ? 0 : 1;
        }
        return new Tensor[] {Tensor.of(xy, n, 2), Tensor.of(label, n)};
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    static double accuracy(Mlp m, Tensor x, Tensor y) {
        try (var off = GradMode.off()) {
            Tensor pred = m.forward(Variable.constant(x)).data().argmax(-1, false);
            return pred.eq(y).to(DType.F64).mean().item();
        }
    }

    @Test
    void learnsTwoMoons() {
        Tensor[] train = moons(400, 0.1, 1), test = moons(400, 0.1, 2);
        Mlp mlp = new Mlp(32, new Generator(0));
        AdamW opt = new AdamW(mlp.namedParameters(), 0.05, 1e-4);
        LrScheduler sched = new LrScheduler(opt, LrSchedule.cosineWithWarmup(10, 300));
        double first = Double.NaN, last = Double.NaN;
        for (int step = 0; step < 300; step++) {
            Variable loss = Losses.crossEntropy(mlp.forward(Variable.constant(train[0])), train[1]);
            if (step == 0) first = loss.item();
            last = loss.item();
            loss.backward();
            opt.step();
            sched.step();
            opt.zeroGrad();
        }
        double acc = accuracy(mlp, test[0], test[1]);
        assertTrue(last < 0.1 * first, "loss " + first + " -> " + last);
        assertTrue(acc >= 0.97, "held-out accuracy " + acc);

        // the task needs the hidden layer: the same training of a linear classifier stays well below
        Linear linear = new Linear(2, 2, true, new Generator(0));
        AdamW linOpt = new AdamW(linear.namedParameters(), 0.05, 1e-4);
        for (int step = 0; step < 300; step++) {
            Losses.crossEntropy(linear.forward(Variable.constant(train[0])), train[1]).backward();
            linOpt.step();
            linOpt.zeroGrad();
        }
        double linearAcc = linear.forward(Variable.constant(test[0])).data().argmax(-1, false).eq(test[1]).to(DType.F64).mean().item();
        assertTrue(linearAcc < 0.92, "a linear classifier reached " + linearAcc);
    }
}
