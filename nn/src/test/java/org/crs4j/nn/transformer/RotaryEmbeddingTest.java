package org.crs4j.nn.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.crs4j.autograd.Variable;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.testing.RandomTensors;
import org.junit.jupiter.api.Test;

/** Frequencies of every scaling variant against Hugging Face's formulas, written out independently here. */
class RotaryEmbeddingTest {
    private final RandomTensors random = new RandomTensors(21);

    @Test
    void everyScalingVariantMatchesThePyTorchTranscriptionOfHuggingFace() {
        com.fasterxml.jackson.databind.JsonNode fx = Fixtures.json("rope_inv_freq.json");
        int n = 0;
        for (com.fasterxml.jackson.databind.JsonNode c : fx.get("cases")) {
            int dim = c.get("dim").asInt();
            double theta = c.get("theta").asDouble();
            RotaryEmbedding.Scaling scaling = switch (c.get("type").asText()) {
                case "default" -> null;
                case "linear" -> new RotaryEmbedding.Scaling.Linear(c.get("factor").asDouble());
                case "dynamic" -> new RotaryEmbedding.Scaling.Dynamic(c.get("factor").asDouble(), c.get("max_position_embeddings").asInt());
                case "llama3" -> new RotaryEmbedding.Scaling.Llama3(c.get("factor").asDouble(), c.get("low_freq_factor").asDouble(),
                        c.get("high_freq_factor").asDouble(), c.get("original_max_position_embeddings").asInt());
                default -> throw new IllegalStateException(c.get("type").asText());
            };
            double[] got = new RotaryEmbedding(dim, theta, scaling, RotaryEmbedding.Pairing.HALF)
                    .inverseFrequencies(c.has("seq_len") ? c.get("seq_len").asInt() : 1);
            com.fasterxml.jackson.databind.JsonNode want = c.get("inv_freq");
            assertEquals(want.size(), got.length);
            for (int j = 0; j < got.length; j++) {
                // PyTorch computes in F32 (a few roundings in the llama3 ramp): agree to a few F32 ulps
                assertEquals(want.get(j).asDouble(), got[j], 1e-6 * Math.abs(got[j]), c.get("type").asText() + " frequency " + j);
            }
            n++;
        }
        assertEquals(7, n);
    }

    @Test
    void defaultAndLinearFrequencies() {
        RotaryEmbedding plain = new RotaryEmbedding(8, 10000, null, RotaryEmbedding.Pairing.HALF);
        assertArrayEquals(new double[] {1, 0.1, 0.01, 0.001}, plain.inverseFrequencies(1), 1e-15);
        RotaryEmbedding linear = new RotaryEmbedding(8, 10000, new RotaryEmbedding.Scaling.Linear(4), RotaryEmbedding.Pairing.HALF);
        assertArrayEquals(new double[] {0.25, 0.025, 0.0025, 0.00025}, linear.inverseFrequencies(1), 1e-15);
    }

    @Test
    void dynamicNtkGrowsThetaOnlyBeyondTheTrainedLength() {
        RotaryEmbedding dyn = new RotaryEmbedding(8, 10000, new RotaryEmbedding.Scaling.Dynamic(2, 100), RotaryEmbedding.Pairing.HALF);
        assertArrayEquals(new double[] {1, 0.1, 0.01, 0.001}, dyn.inverseFrequencies(100), 1e-15);
        // len 150: base = 10000 * (2*150/100 - 1)^(8/6) = 10000 * 2^(4/3)
        double base = 10000 * Math.pow(2, 8 / 6.0);
        double[] want = new double[4];
        for (int j = 0; j < 4; j++) want[j] = 1 / Math.pow(base, j / 4.0);
        assertArrayEquals(want, dyn.inverseFrequencies(150), 1e-15);
    }

    @Test
    void llama3ScalingKeepsHighDividesLowAndRampsBetween() {
        // Llama 3.1's values: factor 8, low 1, high 4, original context 8192, theta 500000, head dim 128
        RotaryEmbedding r = new RotaryEmbedding(128, 500000, new RotaryEmbedding.Scaling.Llama3(8, 1, 4, 8192),
                RotaryEmbedding.Pairing.HALF);
        double[] inv = r.inverseFrequencies(1);
        int high = 0, low = 0, mid = 0;
        for (int j = 0; j < 64; j++) {
            double f = Math.pow(500000, -2.0 * j / 128), wavelen = 2 * Math.PI / f;
            if (wavelen < 8192 / 4.0) {
                assertEquals(f, inv[j], 1e-14 * f, "high frequency " + j + " kept");
                high++;
            } else if (wavelen > 8192 / 1.0) {
                assertEquals(f / 8, inv[j], 1e-14 * f, "low frequency " + j + " divided");
                low++;
            } else {
                double smooth = (8192 / wavelen - 1) / (4 - 1);
                assertEquals((1 - smooth) * f / 8 + smooth * f, inv[j], 1e-14 * f, "medium frequency " + j);
                mid++;
            }
        }
        // the ramp is exercised, not just the two ends
        assertEquals(64, high + low + mid);
        assertEquals(true, high > 0 && low > 0 && mid > 0, high + " " + low + " " + mid);
    }

    @Test
    void anglesAndRotationMatchNaiveCosSin() {
        RotaryEmbedding r = new RotaryEmbedding(6, 50, null, RotaryEmbedding.Pairing.HALF);
        Tensor pos = Tensor.of(new long[] {0, 1, 7, 3, 0, 40}, 2, 3);
        RotaryEmbedding.Angles a = r.angles(pos);
        assertArrayEquals(new int[] {2, 1, 3, 3}, a.cos().shape());
        double[] inv = Naive.invFreq(6, 50);
        for (int b = 0; b < 2; b++) for (int t = 0; t < 3; t++) for (int j = 0; j < 3; j++) {
            double angle = pos.get(b, t) * inv[j];
            assertEquals(Math.cos(angle), a.cos().get(b, 0, t, j), 1e-7);
            assertEquals(Math.sin(angle), a.sin().get(b, 0, t, j), 1e-7);
        }
        for (RotaryEmbedding.Pairing p : RotaryEmbedding.Pairing.values()) {
            RotaryEmbedding rp = new RotaryEmbedding(6, 50, null, p);
            Tensor x = random.uniform(new int[] {2, 2, 3, 6}, -1, 1);
            Tensor y = rp.angles(pos).rotate(Variable.constant(x)).data();
            for (int b = 0; b < 2; b++) for (int h = 0; h < 2; h++) {
                double[][] xs = Naive.matrix(x.select(0, b).select(0, h).contiguous());
                double[][] want = Naive.rope(xs, 1, 6, pos.select(0, b).toLongArray(), inv, p == RotaryEmbedding.Pairing.INTERLEAVED);
                double[][] got = Naive.matrix(y.select(0, b).select(0, h).contiguous());
                for (int t = 0; t < 3; t++) assertArrayEquals(want[t], got[t], 1e-6);
            }
        }
        Tensor offset = r.angles(2, 5, 3).cos();
        assertEquals(Math.cos(6 * inv[1]), offset.get(1, 0, 1, 1), 1e-7);
    }

    @Test
    void badConfigurationsAreRefusedWithTheField() {
        assertThrows(IllegalArgumentException.class, () -> new RotaryEmbedding(7, 10000, null, RotaryEmbedding.Pairing.HALF));
        assertThrows(IllegalArgumentException.class, () -> new RotaryEmbedding(8, 0, null, RotaryEmbedding.Pairing.HALF));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RotaryEmbedding(8, 10000,
                new RotaryEmbedding.Scaling.Llama3(8, 4, 1, 8192), RotaryEmbedding.Pairing.HALF));
        assertEquals(true, e.getMessage().contains("high_freq_factor"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RotaryEmbedding(8, 10000,
                new RotaryEmbedding.Scaling.Linear(0), RotaryEmbedding.Pairing.HALF));
        RotaryEmbedding r = new RotaryEmbedding(4, 10000, null, RotaryEmbedding.Pairing.HALF);
        assertThrows(IllegalArgumentException.class, () -> r.angles(Tensor.of(new long[] {-1}, 1, 1)));
        assertThrows(IllegalArgumentException.class, () -> r.angles(Tensor.zeros(DType.I64, 3)));
    }
}
