package org.crs4j.nn.transformer;

import java.util.Arrays;
import org.crs4j.autograd.Variable;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;

/**
 * Rotary position embedding (RoPE, Su et al. 2021) as LLaMA uses it: pair j of each query and key head is rotated by
 * {@code position * invFreq[j]}, {@code invFreq[j] = theta^(-2j/d)}, optionally rescaled for long contexts.
 *
 * <p>Pairing: {@link Pairing#HALF} pairs dims (j, j + d/2), Hugging Face's {@code rotate_half}; {@link
 * Pairing#INTERLEAVED} pairs (2j, 2j+1), as Meta's original code and llama2.c do. The two describe the same model up
 * to a permutation of the rows of the q and k projections (the one Hugging Face's conversion script applies), so a
 * llama2.c checkpoint runs with INTERLEAVED and no weight copy.
 *
 * <p>Angles are computed in double and rounded once to F32 (Hugging Face computes them in F32; the two agree to about
 * 1e-7 relative per angle). The rotation itself is the fused {@link Tensor#rope} primitive.
 */
public final class RotaryEmbedding {
    public enum Pairing { HALF, INTERLEAVED }

    /** Hugging Face {@code rope_scaling} variants (verified ones are listed in nn/README.md). */
    public sealed interface Scaling {
        /** No scaling ({@code rope_type} "default"). */
        record None() implements Scaling {}

        /** Position interpolation: every frequency divided by {@code factor} ("linear"). */
        record Linear(double factor) implements Scaling {}

        /**
         * Dynamic NTK ("dynamic"): beyond {@code maxPositions}, theta grows to
         * {@code theta * (factor * len / maxPositions - (factor - 1))^(d / (d - 2))} for a sequence of length len.
         */
        record Dynamic(double factor, int maxPositions) implements Scaling {}

        /** LLaMA 3.1 ("llama3"): low frequencies divided by factor, high ones kept, a smooth ramp in between. */
        record Llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) implements Scaling {}
    }

    /**
     * cos and sin of every angle, shape [B, 1, T, d/2] (ready to broadcast over the heads of [B, H, T, d]), and the
     * pairing they rotate with.
     */
    public record Angles(Tensor cos, Tensor sin, boolean interleaved) {
        public int length() {
            return cos.size(-2);
        }

        /** Rotates x [B, H, T, d] (queries or keys) by these angles. */
        public Variable rotate(Variable x) {
            if (x.size(-1) != 2 * cos.size(-1)) {
                throw new IllegalArgumentException("rotary dim " + 2 * cos.size(-1) + " does not match head dim " + x.size(-1));
            }
            return x.rope(cos, sin, interleaved);
        }
    }

    private final int dim;
    private final double theta;
    private final Scaling scaling;
    private final Pairing pairing;

    public RotaryEmbedding(int dim, double theta, Scaling scaling, Pairing pairing) {
        if (dim <= 0 || dim % 2 != 0) throw new IllegalArgumentException("rotary dim must be positive and even, got " + dim);
        if (!(theta > 0)) throw new IllegalArgumentException("rope theta must be positive, got " + theta);
        this.dim = dim;
        this.theta = theta;
        this.scaling = scaling == null ? new Scaling.None() : scaling;
        this.pairing = pairing;
        switch (this.scaling) {
            case Scaling.None n -> {}
            case Scaling.Linear l -> requirePositive("factor", l.factor());
            case Scaling.Dynamic d -> {
                requirePositive("factor", d.factor());
                requirePositive("max_position_embeddings", d.maxPositions());
            }
            case Scaling.Llama3 l -> {
                requirePositive("factor", l.factor());
                requirePositive("original_max_position_embeddings", l.originalMaxPositions());
                if (!(l.highFreqFactor() > l.lowFreqFactor())) {
                    throw new IllegalArgumentException("rope_scaling high_freq_factor (" + l.highFreqFactor()
                            + ") must exceed low_freq_factor (" + l.lowFreqFactor() + ")");
                }
            }
        }
    }

    private static void requirePositive(String field, double v) {
        if (!(v > 0)) throw new IllegalArgumentException("rope_scaling " + field + " must be positive, got " + v);
    }

    public int dim() {
        return dim;
    }

    public Pairing pairing() {
        return pairing;
    }

    public Scaling scaling() {
        return scaling;
    }

    /**
     * The d/2 inverse frequencies for a forward pass whose largest position is {@code sequenceLength - 1} (only the
     * dynamic variant depends on it, as Hugging Face's does on the largest position id of the call).
     */
    public double[] inverseFrequencies(int sequenceLength) {
        double base = theta;
        if (scaling instanceof Scaling.Dynamic dyn && sequenceLength > dyn.maxPositions()) {
            double f = dyn.factor();
            base = theta * Math.pow(f * sequenceLength / dyn.maxPositions() - (f - 1), dim / (dim - 2.0));
        }
        double[] inv = new double[dim / 2];
        for (int j = 0; j < inv.length; j++) inv[j] = 1.0 / Math.pow(base, 2.0 * j / dim);
        switch (scaling) {
            case Scaling.Linear l -> {
                for (int j = 0; j < inv.length; j++) inv[j] /= l.factor();
            }
            case Scaling.Llama3 l -> {
                double lowWavelen = l.originalMaxPositions() / l.lowFreqFactor();
                double highWavelen = l.originalMaxPositions() / l.highFreqFactor();
                for (int j = 0; j < inv.length; j++) {
                    double wavelen = 2 * Math.PI / inv[j];
                    if (wavelen > lowWavelen) {
                        inv[j] /= l.factor();
                    } else if (wavelen >= highWavelen) {
                        double smooth = (l.originalMaxPositions() / wavelen - l.lowFreqFactor())
                                / (l.highFreqFactor() - l.lowFreqFactor());
                        inv[j] = (1 - smooth) * inv[j] / l.factor() + smooth * inv[j];
                    }
                }
            }
            default -> {}
        }
        return inv;
    }

    /** Angles for integer positions of shape [B, T] (each row may start anywhere: left-padded batches, caches). */
    public Angles angles(Tensor positions) {
        if (positions.dim() != 2) {
            throw new IllegalArgumentException("positions must be [batch, length], got " + Arrays.toString(positions.shape()));
        }
        int b = positions.size(0), t = positions.size(1), half = dim / 2;
        long[] pos = positions.toLongArray();
        long max = 0;
        for (long p : pos) {
            if (p < 0) throw new IllegalArgumentException("negative position " + p);
            max = Math.max(max, p);
        }
        double[] inv = inverseFrequencies((int) Math.min(Integer.MAX_VALUE, max + 1));
        float[] cos = new float[b * t * half], sin = new float[b * t * half];
        for (int i = 0; i < pos.length; i++) {
            for (int j = 0; j < half; j++) {
                double angle = pos[i] * inv[j];
                cos[i * half + j] = (float) Math.cos(angle);
                sin[i * half + j] = (float) Math.sin(angle);
            }
        }
        return new Angles(Tensor.of(cos, b, 1, t, half), Tensor.of(sin, b, 1, t, half), pairing == Pairing.INTERLEAVED);
    }

    /** Angles for positions offset, offset+1, ..., offset+length-1 in every row of a batch of {@code batch}. */
    public Angles angles(int batch, int offset, int length) {
        return angles(Tensor.arange(offset, offset + length, 1, DType.I64).unsqueeze(0).expand(batch, length));
    }
}
