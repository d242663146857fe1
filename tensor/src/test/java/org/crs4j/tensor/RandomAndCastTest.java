package org.crs4j.tensor;

import static org.junit.jupiter.api.Assertions.*;

import org.crs4j.tensor.cpu.Half;
import org.crs4j.tensor.cpu.Parallel;
import org.junit.jupiter.api.Test;

class RandomAndCastTest {

    @Test
    void philoxMatchesTheRandom123KnownAnswers() {
        // Known-answer vectors of Philox4x32-10 from Random123 (kat_vectors).
        int[] out = new int[4];
        Generator.philox(0, 0, 0, out);
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, out);
        Generator.philox(0xffffffffffffffffL, 0xffffffffffffffffL, 0xffffffffffffffffL, out);
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, out);
    }

    @Test
    void aRestoredStateContinuesTheSavedStream() {
        Generator saved = new Generator(42);
        Tensor.rand(saved, 17);
        long seed = saved.seed(), position = saved.position();
        float[] next = Tensor.randn(saved, 9).toFloatArray();
        Generator resumed = new Generator(7);
        resumed.setState(seed, position);
        assertArrayEquals(next, Tensor.randn(resumed, 9).toFloatArray());
        assertEquals(42, resumed.seed());
        assertThrows(IllegalArgumentException.class, () -> resumed.setState(1, -1));
    }

    @Test
    void drawsAreAPureFunctionOfSeedAndPositionWhateverTheThreads() {
        Generator a = new Generator(1234), b = new Generator(1234);
        float[] one = Parallel.withMaxChunks(1, () -> Tensor.randn(a, 100_000).toFloatArray());
        float[] many = Parallel.withMaxChunks(8, () -> Tensor.randn(b, 100_000).toFloatArray());
        assertArrayEquals(one, many);
        // element i is drawn from counter position + i
        Generator c = new Generator(99);
        c.setPosition(7);
        float[] u = Tensor.rand(c, 3).toFloatArray();
        int[] w = new int[4];
        Generator.philox(8, 0, 99, w);
        assertEquals(Generator.uniform24(w[0]), u[1]);
        assertEquals(10, c.position());
        // successive draws do not repeat
        Generator d = new Generator(5);
        assertFalse(java.util.Arrays.equals(Tensor.rand(d, 4).toFloatArray(), Tensor.rand(d, 4).toFloatArray()));
    }

    @Test
    void distributionsHaveTheRightMoments() {
        Generator g = new Generator(42);
        int n = 200_000;
        Tensor u = Tensor.rand(g, -2, 3, DType.F32, n);
        assertEquals(0.5, u.mean().item(), 0.02);
        assertEquals(25.0 / 12, u.var(new int[0], 1, false).item(), 0.03);
        assertTrue(u.min().item() >= -2 && u.max().item() < 3);
        Tensor z = Tensor.randn(g, 1.5, 2.0, DType.F64, n);
        assertEquals(DType.F64, z.dtype());
        assertEquals(1.5, z.mean().item(), 0.03);
        assertEquals(4.0, z.var(new int[0], 1, false).item(), 0.06);
        Tensor p = Tensor.full(0.3, DType.F32, n);
        assertEquals(0.3, p.bernoulli(g).mean().item(), 0.005);
        long[] perm = Tensor.randperm(g, 1000).toLongArray();
        long[] sorted = perm.clone();
        java.util.Arrays.sort(sorted);
        for (int i = 0; i < 1000; i++) assertEquals(i, sorted[i], "a permutation");
        assertNotEquals(0, perm[0] + perm[1] * 1000 - 1000, "not the identity");
        assertThrows(IllegalArgumentException.class, () -> Tensor.rand(g, 1, 0, DType.F32, 3));
        assertThrows(IllegalArgumentException.class, () -> Tensor.rand(g, 0, 1, DType.I64, 3));
    }

    @Test
    void castsRoundLikeTorch() {
        // BF16: round to nearest even on the 16 dropped bits
        float justAboveHalf = Float.intBitsToFloat(0x3F808001); // 1.0039 + tiny: rounds up
        float tie = Float.intBitsToFloat(0x3F808000);          // exactly halfway, even below: rounds down
        float tieOdd = Float.intBitsToFloat(0x3F818000);       // halfway, odd below: rounds up
        Tensor t = Tensor.vector(justAboveHalf, tie, tieOdd, Float.NaN, Float.MAX_VALUE, -0f);
        Tensor b = t.to(DType.BF16);
        assertEquals(Float.intBitsToFloat(0x3F810000), (float) b.get(0));
        assertEquals(Float.intBitsToFloat(0x3F800000), (float) b.get(1));
        assertEquals(Float.intBitsToFloat(0x3F820000), (float) b.get(2));
        assertTrue(Double.isNaN(b.get(3)));
        assertEquals(Float.POSITIVE_INFINITY, (float) b.get(4));
        assertEquals(0x8000, Half.floatToBf16(-0f) & 0xFFFF);
        Tensor h = Tensor.vector(1f / 3, 65504f, 70000f, 6e-8f).to(DType.F16);
        assertEquals(Float.float16ToFloat(Float.floatToFloat16(1f / 3)), (float) h.get(0));
        assertEquals(65504.0, h.get(1));
        assertEquals(Double.POSITIVE_INFINITY, h.get(2));
        assertEquals(DType.I64, Tensor.vector(2.7f, -2.7f).to(DType.I64).dtype());
        assertArrayEquals(new long[] {2, -2}, Tensor.vector(2.7f, -2.7f).to(DType.I64).toLongArray());
        assertArrayEquals(new long[] {1, 0, 1}, Tensor.vector(0.1f, 0f, Float.NaN).to(DType.BOOL).toLongArray());
        // long BF16 rows take the SIMD widening path; check it against the scalar conversion
        float[] vals = new float[1003];
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        for (int i = 0; i < vals.length; i++) vals[i] = (float) (r.nextGaussian() * 100);
        float[] back = Tensor.of(vals, vals.length).to(DType.BF16).to(DType.F32).toFloatArray();
        for (int i = 0; i < vals.length; i++) assertEquals(Half.bf16ToFloat(Half.floatToBf16(vals[i])), back[i]);
    }
}
