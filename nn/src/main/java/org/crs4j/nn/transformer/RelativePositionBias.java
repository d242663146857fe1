package org.crs4j.nn.transformer;

import org.crs4j.autograd.Variable;
import org.crs4j.nn.Init;
import org.crs4j.nn.Module;
import org.crs4j.nn.Parameter;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/**
 * T5's learned relative position bias: one scalar per head and per bucket of the key-minus-query distance, added to
 * the attention scores. Distances below half the buckets get their own bucket; larger ones share logarithmically
 * wider buckets up to {@code maxDistance}. Encoders bucket both directions; decoders ({@code bidirectional = false})
 * only look back.
 *
 * <p>Parameter {@code weight} [numBuckets, numHeads]; registered by {@link MultiHeadAttention} under the Hugging Face
 * name {@code relative_attention_bias}. T5 computes it in the first layer of a stack and reuses it in every layer.
 */
public final class RelativePositionBias extends Module {
    private final Parameter weight;
    private final int numBuckets, maxDistance, numHeads;
    private final boolean bidirectional;

    public RelativePositionBias(int numBuckets, int maxDistance, int numHeads, boolean bidirectional, Generator rng) {
        if (numBuckets < 2 || maxDistance < 1) {
            throw new IllegalArgumentException("relative attention needs at least 2 buckets and a positive max distance, got "
                    + numBuckets + " and " + maxDistance);
        }
        this.numBuckets = numBuckets;
        this.maxDistance = maxDistance;
        this.numHeads = numHeads;
        this.bidirectional = bidirectional;
        this.weight = parameter("weight", Init.normal(rng, 1.0, numBuckets, numHeads));
    }

    /**
     * The bucket of {@code relativePosition = key - query}, exactly as Hugging Face's
     * {@code T5Attention._relative_position_bucket}, including its F32 arithmetic for the logarithmic part (so that
     * distances at bucket boundaries land where they land in PyTorch).
     */
    public static int bucket(int relativePosition, boolean bidirectional, int numBuckets, int maxDistance) {
        int buckets = 0, n = numBuckets, rel;
        if (bidirectional) {
            n /= 2;
            if (relativePosition > 0) buckets += n;
            rel = Math.abs(relativePosition);
        } else {
            rel = -Math.min(relativePosition, 0);
        }
        int maxExact = n / 2;
        if (rel < maxExact) return buckets + rel;
        float ratio = (float) rel / (float) maxExact;
        float logRatio = (float) Math.log(ratio);
        float scaled = logRatio / (float) Math.log((double) maxDistance / maxExact) * (float) (n - maxExact);
        int large = maxExact + (int) scaled;
        return buckets + Math.min(large, n - 1);
    }

    /** Bucket ids [queryLength, keyLength] (I64) for queries at positions queryOffset.. and keys at 0... */
    public Tensor buckets(int queryLength, int keyLength, int queryOffset) {
        long[] ids = new long[queryLength * keyLength];
        for (int i = 0; i < queryLength; i++) {
            for (int j = 0; j < keyLength; j++) {
                ids[i * keyLength + j] = bucket(j - (queryOffset + i), bidirectional, numBuckets, maxDistance);
            }
        }
        return Tensor.of(ids, queryLength, keyLength);
    }

    /** The bias [1, heads, queryLength, keyLength] for queries at positions queryOffset.. over keys at 0... */
    public Variable forward(int queryLength, int keyLength, int queryOffset) {
        return weight.get().embedding(buckets(queryLength, keyLength, queryOffset)).permute(2, 0, 1).unsqueeze(0);
    }

    public Parameter weight() {
        return weight;
    }

    public int numHeads() {
        return numHeads;
    }

    public boolean bidirectional() {
        return bidirectional;
    }
}
