package org.crs4j.nn.transformer;

import java.util.Arrays;
import org.crs4j.tensor.Backends;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Tensor;

/**
 * Keys and values of earlier positions, kept so that each decoding step computes attention for its new token only.
 *
 * <p>Each layer's buffers are allocated once, [batch, kvHeads, capacity, headDim] F32, and new positions are written
 * in place: appending never re-copies what is cached, and attention reads a narrowed view (no copy either). Capacity
 * is what one generation needs (prompt + new tokens), not the model's maximum context, so a 7B model's cache for a
 * few hundred tokens stays in the hundreds of MB.
 *
 * <p>A cache holds plain tensors: it is for inference (run decoding under {@code GradMode.off()}); scoring and
 * training run full sequences without a cache. T5's cross-attention keeps its per-prompt keys and values in a layer
 * filled once ({@link Layer#fill}).
 */
public final class KVCache {
    private final Layer[] layers;

    public KVCache(int numLayers, int batch, int numKvHeads, int capacity, int headDim) {
        if (numLayers < 0 || batch <= 0 || numKvHeads <= 0 || capacity < 0 || headDim <= 0) {
            throw new IllegalArgumentException("invalid KV cache shape: layers " + numLayers + ", batch " + batch
                    + ", kv heads " + numKvHeads + ", capacity " + capacity + ", head dim " + headDim);
        }
        long bytes = 2L * numLayers * batch * numKvHeads * capacity * headDim * 4;
        if ((long) batch * numKvHeads * capacity * headDim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("KV cache layer of " + batch + "x" + numKvHeads + "x" + capacity + "x"
                    + headDim + " floats exceeds 2^31 elements (" + bytes + " bytes in all); lower batch or capacity");
        }
        layers = new Layer[numLayers];
        for (int i = 0; i < numLayers; i++) layers[i] = new Layer(batch, numKvHeads, capacity, headDim);
    }

    public Layer layer(int i) {
        return layers[i];
    }

    public int numLayers() {
        return layers.length;
    }

    /** Positions cached (the same in every layer once a forward pass has gone through all of them). */
    public int length() {
        return layers.length == 0 ? 0 : layers[0].length;
    }

    public int capacity() {
        return layers.length == 0 ? 0 : layers[0].capacity();
    }

    public int batch() {
        return layers.length == 0 ? 0 : layers[0].shape[0];
    }

    /** Keeps the batch rows listed in {@code rows} (I64 or int ids, repeats allowed): beam search's reordering. */
    public void reorder(int[] rows) {
        for (Layer l : layers) l.reorder(rows);
    }

    /** Forgets everything cached (the buffers are reused). */
    public void clear() {
        for (Layer l : layers) l.length = 0;
    }

    /** One layer's buffers. */
    public static final class Layer {
        private final int[] shape; // [batch, kvHeads, capacity, headDim]
        private Tensor keys, values; // allocated on the device of the first keys written (the model's)
        private int length;

        Layer(int batch, int kvHeads, int capacity, int headDim) {
            shape = new int[] {batch, kvHeads, capacity, headDim};
        }

        /** The buffers, on {@code device}: allocated there on first use, moved there if a model changed device. */
        private void buffersOn(Device device) {
            if (keys == null) {
                keys = Backends.get(device).zeros(DType.F32, shape);
                values = Backends.get(device).zeros(DType.F32, shape);
            } else if (!keys.device().equals(device)) {
                keys = keys.toDevice(device);
                values = values.toDevice(device);
            }
        }

        public int length() {
            return length;
        }

        public int capacity() {
            return shape[2];
        }

        /**
         * Writes keys and values [B, kvHeads, T, headDim] of the next T positions and returns views {keys, values}
         * of all cached positions, [B, kvHeads, length, headDim].
         */
        public Tensor[] append(Tensor k, Tensor v) {
            int t = k.size(2);
            checkShape("keys", k);
            checkShape("values", v);
            if (length + t > capacity()) {
                throw new IllegalStateException("KV cache full: " + length + " cached + " + t + " new positions exceed its capacity "
                        + capacity() + " (allocate it for prompt + new tokens)");
            }
            buffersOn(k.device());
            keys.narrow(2, length, t).copyFrom(k);
            values.narrow(2, length, t).copyFrom(v);
            length += t;
            return cached();
        }

        /** Views {keys, values} of the cached positions. */
        public Tensor[] cached() {
            if (keys == null) buffersOn(Device.CPU);
            return new Tensor[] {keys.narrow(2, 0, length), values.narrow(2, 0, length)};
        }

        /** For keys/values computed once per prompt (T5 cross-attention): replaces the content with k, v. */
        public Tensor[] fill(Tensor k, Tensor v) {
            length = 0;
            return append(k, v);
        }

        private void checkShape(String what, Tensor t) {
            int[] s = t.shape();
            if (s.length != 4 || s[0] != shape[0] || s[1] != shape[1] || s[3] != shape[3]) {
                throw new IllegalArgumentException("KV cache " + what + " must be [" + shape[0] + ", " + shape[1]
                        + ", T, " + shape[3] + "], got " + Arrays.toString(s));
            }
        }

        void reorder(int[] rows) {
            if (keys == null) buffersOn(Device.CPU);
            int[] reordered = shape.clone();
            reordered[0] = rows.length;
            Tensor k = keys.backend().zeros(DType.F32, reordered), v = values.backend().zeros(DType.F32, reordered);
            long[] idx = new long[rows.length];
            for (int i = 0; i < rows.length; i++) {
                if (rows[i] < 0 || rows[i] >= shape[0]) {
                    throw new IndexOutOfBoundsException("reorder row " + rows[i] + " outside batch of " + shape[0]);
                }
                idx[i] = rows[i];
            }
            Tensor index = Tensor.of(idx, rows.length);
            if (length > 0) {
                k.narrow(2, 0, length).copyFrom(keys.narrow(2, 0, length).indexSelect(0, index));
                v.narrow(2, 0, length).copyFrom(values.narrow(2, 0, length).indexSelect(0, index));
            }
            keys = k;
            values = v;
            shape[0] = rows.length;
        }
    }
}
