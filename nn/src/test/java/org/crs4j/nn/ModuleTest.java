package org.crs4j.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import org.crs4j.autograd.Variable;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ModuleTest {
    /** A two-layer block with Hugging Face-like names. */
    static final class Block extends Module {
        final Linear up, down;
        final RMSNorm norm;

        Block(Generator rng) {
            up = child("up_proj", new Linear(4, 8, false, rng));
            down = child("down_proj", new Linear(8, 4, true, rng));
            norm = child("norm", new RMSNorm(4, 1e-6));
        }

        Variable forward(Variable x) {
            return down.forward(up.forward(norm.forward(x)).relu());
        }
    }

    static final class Model extends Module {
        final Block b0, b1;

        Model(Generator rng) {
            b0 = child("0", new Block(rng));
            b1 = child("1", new Block(rng));
        }
    }

    @Test
    void namesFollowTheTreeAndCountsAddUp() {
        Model m = new Model(new Generator(0));
        assertEquals(java.util.List.of("0.up_proj.weight", "0.down_proj.weight", "0.down_proj.bias", "0.norm.weight",
                "1.up_proj.weight", "1.down_proj.weight", "1.down_proj.bias", "1.norm.weight"),
                new java.util.ArrayList<>(m.namedParameters().keySet()));
        assertEquals(2 * (32 + 32 + 4 + 4), m.parameterCount());
        m.b1.setTrainable(false);
        assertEquals(72, m.trainableParameterCount());
    }

    @Test
    void strictAndLenientLoadingReportByName() {
        Model a = new Model(new Generator(1)), b = new Model(new Generator(2));
        assertTrue(b.loadStateDict(a.stateDict(), true).clean());
        assertArrayEquals(a.b0.up.weight().data().toFloatArray(), b.b0.up.weight().data().toFloatArray());

        Map<String, Tensor> partial = new java.util.LinkedHashMap<>(a.stateDict());
        partial.remove("1.norm.weight");
        partial.put("2.extra", Tensor.zeros(3));
        partial.put("0.norm.weight", Tensor.zeros(5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(partial, true));
        assertTrue(e.getMessage().contains("1.norm.weight") && e.getMessage().contains("2.extra")
                && e.getMessage().contains("0.norm.weight [5]"), e.getMessage());
        Model c = new Model(new Generator(3));
        float[] before = c.b0.norm.weight().data().toFloatArray();
        Module.LoadReport r = c.loadStateDict(partial, false);
        assertEquals(java.util.List.of("1.norm.weight"), r.missing());
        assertEquals(java.util.List.of("2.extra"), r.unexpected());
        assertEquals(1, r.shapeMismatches().size());
        assertArrayEquals(before, c.b0.norm.weight().data().toFloatArray(), "mismatched entries are not installed");
        assertArrayEquals(a.b1.up.weight().data().toFloatArray(), c.b1.up.weight().data().toFloatArray());
    }

    @Test
    void linearMatchesADoubleReferenceAndTrains() {
        Generator rng = new Generator(7);
        Linear lin = new Linear(5, 3, true, rng);
        Tensor x = Tensor.randn(rng, 2, 5);
        float[] y = lin.forward(Variable.constant(x)).data().toFloatArray();
        float[] w = lin.weight().data().toFloatArray(), b = lin.bias().data().toFloatArray(), xs = x.toFloatArray();
        for (int i = 0; i < 2; i++) for (int o = 0; o < 3; o++) {
            double s = b[o];
            for (int k = 0; k < 5; k++) s += (double) xs[i * 5 + k] * w[o * 5 + k];
            assertEquals(s, y[i * 3 + o], 1e-5);
        }
        lin.forward(Variable.constant(x)).sum().backward();
        assertArrayEquals(new int[] {3, 5}, lin.weight().grad().shape());
        assertArrayEquals(new float[] {2, 2, 2}, lin.bias().grad().toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> lin.forward(Variable.constant(Tensor.zeros(2, 4))));
    }

    @Test
    void dropoutIsActiveOnlyInTraining() {
        Generator rng = new Generator(5);
        Dropout d = new Dropout(0.25, rng);
        Variable x = Variable.constant(Tensor.ones(10_000));
        Tensor y = d.forward(x).data();
        double zeros = y.eq(0).to(DType.F32).mean().item();
        assertEquals(0.25, zeros, 0.02);
        assertEquals(1.0, y.mean().item(), 0.03, "inverted scaling keeps the mean");
        d.eval();
        assertSame(x, d.forward(x));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0, rng));
    }

    @Test
    void embeddingAndNormsHaveGradients() {
        Generator rng = new Generator(9);
        Embedding emb = new Embedding(6, 4, rng);
        LayerNorm ln = new LayerNorm(4);
        Variable h = ln.forward(emb.forward(Tensor.of(new long[] {1, 5, 1}, 3)));
        h.square().sum().backward();
        float[] g = emb.weight().grad().toFloatArray();
        for (int c = 0; c < 4; c++) assertEquals(0f, g[0 * 4 + c], "row 0 was not looked up");
        assertNotEquals(0f, g[1 * 4]);
    }
}
