package org.crs4j.models.llama;

import java.util.Arrays;
import java.util.List;
import org.crs4j.autograd.GradMode;
import org.crs4j.autograd.Variable;
import org.crs4j.models.generation.BatchSession;
import org.crs4j.models.generation.ContextWindow;
import org.crs4j.models.generation.GenerationLimits;
import org.crs4j.models.generation.DecodingSession;
import org.crs4j.models.generation.TokenDecoder;
import org.crs4j.nn.Embedding;
import org.crs4j.nn.Linear;
import org.crs4j.nn.Module;
import org.crs4j.nn.ModuleList;
import org.crs4j.nn.RMSNorm;
import org.crs4j.nn.transformer.AttentionMasks;
import org.crs4j.nn.transformer.KVCache;
import org.crs4j.nn.transformer.LlamaDecoderLayer;
import org.crs4j.nn.transformer.RotaryEmbedding;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/**
 * LLaMA as Hugging Face's {@code LlamaForCausalLM}, with its parameter names:
 * <pre>
 *   h = model.embed_tokens[ids]
 *   for each of model.layers:  h = layer(h)        RMSNorm, rotary GQA attention, RMSNorm, SwiGLU (LlamaDecoderLayer)
 *   logits = lm_head(model.norm(h))                lm_head = model.embed_tokens when the embeddings are tied
 * </pre>
 * Built from the nn transformer layers; weights come from {@link LlamaLoader} (memory-mapped, in their stored dtype)
 * or a random initialisation. Generation goes through {@link #start} ({@link TokenDecoder}), scoring through
 * {@link LlamaScoring}.
 */
public final class LlamaModel extends Module implements TokenDecoder {
    private final LlamaConfig config;
    private final Backbone model;
    private final Linear lmHead; // null when tied to the embedding
    private final RotaryEmbedding rope;

    /** The "model." part: embeddings, layers and final norm. */
    static final class Backbone extends Module {
        final Embedding embedTokens;
        final ModuleList<LlamaDecoderLayer> layers;
        final RMSNorm norm;

        Backbone(LlamaConfig c, Generator rng) {
            embedTokens = child("embed_tokens", new Embedding(c.vocabSize(), c.hiddenSize(), rng));
            layers = child("layers", new ModuleList<>());
            for (int i = 0; i < c.numLayers(); i++) {
                layers.add(new LlamaDecoderLayer(c.hiddenSize(), c.numHeads(), c.numKvHeads(), c.headDim(),
                        c.intermediateSize(), c.rmsNormEps(), c.attentionBias(), c.mlpBias(), rng));
            }
            norm = child("norm", new RMSNorm(c.hiddenSize(), c.rmsNormEps()));
        }
    }

    /**
     * @param rng random initialisation (std 0.02 would be Hugging Face's; torch's layer defaults are used here), or
     *            null for placeholders that {@link LlamaLoader} replaces with checkpoint weights without allocating
     */
    public LlamaModel(LlamaConfig config, Generator rng) {
        org.crs4j.models.DeclaredSizes.fitsHeap("a LLaMA", rng != null, config.parameterCount(),
                (2L * config.numLayers() + 1) * config.hiddenSize());
        this.config = config;
        this.model = child("model", new Backbone(config, rng));
        this.lmHead = config.tieWordEmbeddings() ? null : child("lm_head", new Linear(config.hiddenSize(), config.vocabSize(), false, rng));
        this.rope = new RotaryEmbedding(config.headDim(), config.ropeTheta(), config.ropeScaling(), config.ropePairing());
    }

    public LlamaConfig config() {
        return config;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    public RotaryEmbedding rotary() {
        return rope;
    }

    /** A cache for {@code batch} rows of up to {@code capacity} positions. */
    public KVCache newCache(int batch, int capacity) {
        return new KVCache(config.numLayers(), batch, config.numKvHeads(), capacity, config.headDim());
    }

    /**
     * Final hidden states (after model.norm), [B, T, hidden].
     *
     * @param ids       [B, T] token ids (I32/I64)
     * @param positions [B, T] positions (each row's own: left padding shifts them), or null for cache.length() + 0..T-1
     * @param keyMask   [B, keys] true for real tokens over every key (cached ones and these T), or null when nothing is
     *                  padded
     * @param cache     key/value cache (inference only), or null
     */
    public Variable hidden(Tensor ids, Tensor positions, Tensor keyMask, KVCache cache) {
        if (ids.dim() != 2) throw new IllegalArgumentException("ids must be [batch, length], got " + Arrays.toString(ids.shape()));
        int b = ids.size(0), t = ids.size(1), past = cache == null ? 0 : cache.length();
        if (t == 0) throw new IllegalArgumentException("no tokens to run");
        checkIds(ids);
        if (positions == null) positions = Tensor.arange(past, past + t, 1, DType.I64).unsqueeze(0).expand(b, t);
        if (keyMask != null && (keyMask.dim() != 2 || keyMask.size(0) != b || keyMask.size(1) != past + t)) {
            throw new IllegalArgumentException("key mask must be [" + b + ", " + (past + t) + "] (cached + new positions), got "
                    + Arrays.toString(keyMask.shape()));
        }
        // A single new token with nothing padded may attend to everything: no mask at all.
        Variable mask = keyMask == null && t == 1 ? null
                : Variable.constant(AttentionMasks.additive(AttentionMasks.causalWithPadding(keyMask, t, past)));
        RotaryEmbedding.Angles angles = rope.angles(positions);
        Variable h = model.embedTokens.forward(ids);
        for (int i = 0; i < model.layers.size(); i++) {
            h = model.layers.get(i).forward(h, mask, angles, cache == null ? null : cache.layer(i));
        }
        return model.norm.forward(h);
    }

    private void checkIds(Tensor ids) {
        for (long id : ids.toLongArray()) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
    }

    /** Logits [..., vocab] of hidden states [..., hidden]. */
    public Variable logits(Variable hidden) {
        if (lmHead != null) return lmHead.forward(hidden);
        return hidden.matmul(model.embedTokens.weight().get().mT());
    }

    /** Logits [B, T, vocab]; see {@link #hidden} for the arguments. */
    public Variable forward(Tensor ids, Tensor positions, Tensor keyMask, KVCache cache) {
        return logits(hidden(ids, positions, keyMask, cache));
    }

    public Embedding embedTokens() {
        return model.embedTokens;
    }

    public List<LlamaDecoderLayer> layers() {
        return model.layers.asList();
    }

    /** The output projection's weight [vocab, hidden]: lm_head's, or the embedding's when tied. */
    public Tensor outputWeight() {
        return lmHead != null ? lmHead.weight().data() : model.embedTokens.weight().data();
    }

    // ------------------------------------------------------------------ decoding

    @Override
    public DecodingSession start(int[][] prompts, int maxNewTokens) {
        return new Session(prompts, maxNewTokens);
    }

    /**
     * max_position_embeddings (llama2.c: seq_len), the positions the model was trained on. With dynamic NTK scaling the
     * model is meant to run past them (the RoPE base grows with the sequence), so only memory bounds it.
     */
    @Override
    public ContextWindow context() {
        if (config.ropeScaling() instanceof RotaryEmbedding.Scaling.Dynamic) return ContextWindow.UNLIMITED;
        boolean llama2c = config.ropePairing() == RotaryEmbedding.Pairing.INTERLEAVED;
        return new ContextWindow(config.maxPositionEmbeddings(), false, config.bosTokenId(),
                llama2c ? "seq_len of the llama2.c checkpoint" : "max_position_embeddings of config.json");
    }

    /** The key/value cache, the logits of every row and the prompt's hidden states: allocated for certain. */
    @Override
    public long sessionBytes(int rows, int promptLength, int maxNewTokens) {
        long positions = (long) promptLength + maxNewTokens;
        long cache = GenerationLimits.product(2L * config.numLayers(), rows, config.numKvHeads(), positions, config.headDim(), 4);
        long logits = GenerationLimits.product(rows, config.vocabSize(), 4);
        long hidden = GenerationLimits.product(rows, promptLength, config.hiddenSize(), 4);
        return GenerationLimits.sum(cache, logits, hidden);
    }

    /**
     * Batched decoding with left padding: every row's prompt ends at the same column, padding positions are masked
     * from every query, and each row's positions count its own tokens only (as Hugging Face derives them from the
     * attention mask), so a padded row computes what it would compute alone.
     */
    private final class Session extends BatchSession {
        private final int capacity;
        private final KVCache cache;
        private final boolean[] real;       // [batch * capacity]: key j of row r is a real token
        private final long[] nextPosition;  // per row
        private final boolean padded;

        Session(int[][] prompts, int maxNewTokens) {
            super(prompts, maxNewTokens, context());
            int longest = 0, shortest = Integer.MAX_VALUE;
            for (int r = 0; r < batch; r++) {
                if (prompts[r].length == 0) throw new IllegalArgumentException("prompt " + r + " is empty (LLaMA prompts start with BOS)");
                longest = Math.max(longest, prompts[r].length);
                shortest = Math.min(shortest, prompts[r].length);
            }
            capacity = longest + maxNewTokens;
            cache = newCache(batch, capacity);
            real = new boolean[batch * capacity];
            nextPosition = new long[batch];
            padded = shortest != longest;
            long[] ids = new long[batch * longest], pos = new long[batch * longest];
            for (int r = 0; r < batch; r++) {
                int pad = longest - prompts[r].length;
                for (int j = 0; j < longest; j++) {
                    boolean isReal = j >= pad;
                    real[r * capacity + j] = isReal;
                    ids[r * longest + j] = isReal ? prompts[r][j - pad] : 0;
                    pos[r * longest + j] = isReal ? j - pad : 0;
                }
                nextPosition[r] = prompts[r].length;
            }
            run(Tensor.of(ids, batch, longest), Tensor.of(pos, batch, longest));
        }

        private void run(Tensor ids, Tensor positions) {
            int keys = cache.length() + ids.size(1);
            Tensor mask = padded ? keyMask(keys) : null;
            try (var off = GradMode.off()) {
                Variable h = hidden(ids, positions, mask, cache);
                logits = LlamaModel.this.logits(h.narrow(1, h.size(1) - 1, 1)).data().reshape(batch, config.vocabSize());
            }
        }

        private Tensor keyMask(int keys) {
            boolean[] m = new boolean[batch * keys];
            for (int r = 0; r < batch; r++) System.arraycopy(real, r * capacity, m, r * keys, keys);
            return Tensor.ofBool(m, batch, keys);
        }

        @Override
        protected int capacity() {
            return capacity;
        }

        @Override
        protected void appendRows(int[] tokens) {
            long[] ids = new long[batch], pos = new long[batch];
            int col = cache.length();
            for (int r = 0; r < batch; r++) {
                ids[r] = tokens[r];
                pos[r] = nextPosition[r]++;
                real[r * capacity + col] = true;
            }
            run(Tensor.of(ids, batch, 1), Tensor.of(pos, batch, 1));
        }

        @Override
        protected void reorderRows(int[] rows, Tensor index) {
            cache.reorder(rows);
            boolean[] r2 = new boolean[real.length];
            long[] p2 = new long[batch];
            for (int i = 0; i < batch; i++) {
                System.arraycopy(real, rows[i] * capacity, r2, i * capacity, capacity);
                p2[i] = nextPosition[rows[i]];
            }
            System.arraycopy(r2, 0, real, 0, real.length);
            System.arraycopy(p2, 0, nextPosition, 0, batch);
        }

        @Override
        public int remaining() {
            return capacity - cache.length();
        }
    }
}
