package org.crs4j.models.llama;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.crs4j.io.InputFiles;
import org.crs4j.models.ModelFormatException;
import org.crs4j.nn.transformer.RotaryEmbedding;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cpu.CpuStorage;

/**
 * A checkpoint in karpathy's llama2.c format, memory-mapped: the F32 weights become tensors over the mapping, under
 * Hugging Face's names, so that the same {@link LlamaModel} runs them. Nothing is copied.
 *
 * <p>Formats (little-endian):
 * <ul>
 *   <li>version 0 (legacy, what {@code run.c} reads, e.g. stories15M/260K): 7 int32 {@code dim, hidden_dim, n_layers,
 *       n_heads, n_kv_heads, vocab_size, seq_len} (a negative vocab_size means an unshared classifier), then token
 *       embedding, per-layer attention norms, wq, wk, wv, wo, FFN norms, w1, w2, w3 (each stacked over layers), final
 *       norm, the unused RoPE tables freq_cis_real/imag [seq_len, head_size/2], and the classifier when unshared;</li>
 *   <li>version 1 ({@code export.py --version 1}): magic "ak42", int32 version, the same 7 ints, a uint8
 *       shared-classifier flag, zero padding to 256 bytes; then all norms, the embedding, wq, wk, wv, wo, w1, w2, w3 and
 *       the classifier when unshared.</li>
 * </ul>
 * Version 2 (int8 Q8_0) is refused with a clear message. llama2.c rotates adjacent pairs (2i, 2i+1), so the model runs
 * with {@link RotaryEmbedding.Pairing#INTERLEAVED} RoPE instead of permuting the q/k rows as Hugging Face's
 * conversion does; both give the same logits (tested on stories260K).
 */
public final class Llama2cCheckpoint implements AutoCloseable {
    private static final int MAGIC = 0x616b3432; // "ak42"
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final Arena arena;
    private final LlamaConfig config;
    private final Map<String, Tensor> weights;

    private Llama2cCheckpoint(Path file, Arena arena, LlamaConfig config, Map<String, Tensor> weights) {
        this.file = file;
        this.arena = arena;
        this.config = config;
        this.weights = weights;
    }

    public static Llama2cCheckpoint open(Path file) throws IOException {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) throw new ModelFormatException(file, "needs a little-endian machine");
        FileChannel channel = InputFiles.channel(file);
        Arena arena = Arena.ofShared();
        try (FileChannel ch = channel) {
            long size = ch.size();
            MemorySegment seg = size == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            Llama2cCheckpoint c = parse(file, seg, size, arena);
            return c;
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Llama2cCheckpoint parse(Path file, MemorySegment seg, long size, Arena arena) throws ModelFormatException {
        if (size < 28) throw new ModelFormatException(file, "file of " + size + " bytes is too short for a llama2.c header (28 bytes)");
        int version;
        long base;
        int[] h = new int[7];
        boolean shared;
        if (seg.get(INT, 0) == MAGIC) {
            if (size < 256) throw new ModelFormatException(file, "file of " + size + " bytes is too short for a version 1 header (256 bytes)");
            version = seg.get(INT, 4);
            if (version == 2) throw new ModelFormatException(file, "version 2 (int8 Q8_0) llama2.c checkpoints are not supported; export with --version 1 (float32)");
            if (version != 1) throw new ModelFormatException(file, "header version: " + version + " is not a llama2.c format version (0, 1)");
            for (int i = 0; i < 7; i++) h[i] = seg.get(INT, 8 + 4L * i);
            int flag = seg.get(ValueLayout.JAVA_BYTE, 36);
            if (flag != 0 && flag != 1) throw new ModelFormatException(file, "header shared_classifier: " + flag + " is not 0 or 1");
            shared = flag == 1;
            base = 256;
        } else {
            version = 0;
            for (int i = 0; i < 7; i++) h[i] = seg.get(INT, 4L * i);
            shared = h[5] > 0;
            h[5] = Math.abs(h[5]);
            base = 28;
        }
        String[] names = {"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"};
        for (int i = 0; i < 7; i++) {
            if (h[i] <= 0) throw new ModelFormatException(file, "header " + names[i] + ": " + h[i] + " is not positive (is this a llama2.c checkpoint?)");
        }
        int dim = h[0], hidden = h[1], layers = h[2], heads = h[3], kvHeads = h[4], vocab = h[5], seqLen = h[6];
        if (dim % heads != 0) throw new ModelFormatException(file, "header dim " + dim + " is not a multiple of n_heads " + heads);
        if (heads % kvHeads != 0) throw new ModelFormatException(file, "header n_kv_heads " + kvHeads + " does not divide n_heads " + heads);
        int headSize = dim / heads, kvDim = kvHeads * headSize;
        if (headSize % 2 != 0) throw new ModelFormatException(file, "head size " + headSize + " (dim / n_heads) is odd");

        // Every size is checked against the file's length before anything is mapped into tensors; products are
        // exact (a header of values near 2^31 would overflow even a long) and each tensor must fit crs4j's int indexing.
        long[][] shapes = {{vocab, dim}, {layers, dim}, {layers, dim, dim}, {layers, kvDim, dim}, {layers, kvDim, dim},
                {layers, dim, dim}, {layers, dim}, {layers, hidden, dim}, {layers, dim, hidden}, {layers, hidden, dim}, {dim},
                {version == 0 ? seqLen : 0, headSize}, {shared ? 0 : vocab, dim}};
        long expected = 0;
        try {
            for (long[] shape : shapes) {
                long n = 1;
                for (long d : shape) n = Math.multiplyExact(n, d);
                long perTensor = shape.length == 3 ? n / shape[0] : n; // stacked over layers: one tensor per layer
                if (perTensor > Integer.MAX_VALUE) {
                    throw new ModelFormatException(file, "header sizes (dim " + dim + ", hidden_dim " + hidden + ", vocab_size " + vocab
                            + ") make a tensor of " + perTensor + " floats, past crs4j's limit of 2^31-1 elements per tensor");
                }
                expected = Math.addExact(expected, n);
            }
            expected = Math.multiplyExact(expected, 4L);
        } catch (ArithmeticException e) {
            throw new ModelFormatException(file, "header sizes (dim " + dim + ", hidden_dim " + hidden + ", n_layers " + layers
                    + ", vocab_size " + vocab + ", seq_len " + seqLen + ") describe more than 2^63 bytes");
        }
        long want = base + expected;
        if (size != want) {
            throw new ModelFormatException(file, "size " + size + " bytes does not match its header (dim " + dim + ", hidden_dim "
                    + hidden + ", n_layers " + layers + ", n_heads " + heads + ", n_kv_heads " + kvHeads + ", vocab_size " + vocab
                    + ", seq_len " + seqLen + (shared ? ", shared" : ", unshared") + " classifier, version " + version
                    + "), which needs " + want + " bytes");
        }

        Reader r = new Reader(seg, base, arena);
        Map<String, Tensor> w = new LinkedHashMap<>();
        if (version == 0) {
            w.put("model.embed_tokens.weight", r.next(vocab, dim));
            perLayer(w, r, layers, "input_layernorm.weight", dim);
            perLayer(w, r, layers, "self_attn.q_proj.weight", dim, dim);
            perLayer(w, r, layers, "self_attn.k_proj.weight", kvDim, dim);
            perLayer(w, r, layers, "self_attn.v_proj.weight", kvDim, dim);
            perLayer(w, r, layers, "self_attn.o_proj.weight", dim, dim);
            perLayer(w, r, layers, "post_attention_layernorm.weight", dim);
            perLayer(w, r, layers, "mlp.gate_proj.weight", hidden, dim);
            perLayer(w, r, layers, "mlp.down_proj.weight", dim, hidden);
            perLayer(w, r, layers, "mlp.up_proj.weight", hidden, dim);
            w.put("model.norm.weight", r.next(dim));
            r.skip((long) seqLen * headSize);
        } else {
            perLayer(w, r, layers, "input_layernorm.weight", dim);
            perLayer(w, r, layers, "post_attention_layernorm.weight", dim);
            w.put("model.norm.weight", r.next(dim));
            w.put("model.embed_tokens.weight", r.next(vocab, dim));
            perLayer(w, r, layers, "self_attn.q_proj.weight", dim, dim);
            perLayer(w, r, layers, "self_attn.k_proj.weight", kvDim, dim);
            perLayer(w, r, layers, "self_attn.v_proj.weight", kvDim, dim);
            perLayer(w, r, layers, "self_attn.o_proj.weight", dim, dim);
            perLayer(w, r, layers, "mlp.gate_proj.weight", hidden, dim);
            perLayer(w, r, layers, "mlp.down_proj.weight", dim, hidden);
            perLayer(w, r, layers, "mlp.up_proj.weight", hidden, dim);
        }
        if (!shared) w.put("lm_head.weight", r.next(vocab, dim));

        LlamaConfig config;
        try {
            config = new LlamaConfig(vocab, dim, hidden, layers, heads, kvHeads, headSize, 1e-5, 10000, null,
                    RotaryEmbedding.Pairing.INTERLEAVED, seqLen, shared, 1, new int[] {2}, -1, false, false);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "header: " + e.getMessage() + " (llama2.c models use ids 1 and 2 for BOS and EOS)");
        }
        return new Llama2cCheckpoint(file, arena, config, w);
    }

    private static void perLayer(Map<String, Tensor> w, Reader r, int layers, String name, int... shape) {
        for (int l = 0; l < layers; l++) w.put("model.layers." + l + "." + name, r.next(shape));
    }

    /** Consecutive F32 tensors over the mapping. */
    private static final class Reader {
        private final MemorySegment seg;
        private final Object owner;
        private long pos;

        Reader(MemorySegment seg, long start, Object owner) {
            this.seg = seg;
            this.pos = start;
            this.owner = owner;
        }

        Tensor next(int... shape) {
            long n = 1;
            for (int s : shape) n *= s;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor of " + n + " elements exceeds 2^31");
            Tensor t = Tensor.of(CpuStorage.wrap(DType.F32, seg.asSlice(pos, n * 4), owner), shape);
            pos += n * 4;
            return t;
        }

        void skip(long floats) {
            pos += floats * 4;
        }
    }

    public Path file() {
        return file;
    }

    /** The model's hyperparameters (RMS eps 1e-5 and RoPE theta 10000, as run.c hard-codes them). */
    public LlamaConfig config() {
        return config;
    }

    /** The weights under Hugging Face names; read-only views of the mapping, valid until {@link #close()}. */
    public Map<String, Tensor> weights() {
        return java.util.Collections.unmodifiableMap(weights);
    }

    /** Unmaps the file: tensors from it fail afterwards. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
