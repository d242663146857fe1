package org.crs4j.models.t5;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.crs4j.nn.transformer.RelativePositionBias;
import org.crs4j.nn.transformer.T5Block;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/**
 * T5 as Hugging Face's {@code T5ForConditionalGeneration}, with its parameter names:
 * <pre>
 *   x = shared[input_ids]
 *   for each of encoder.block:  x = block(x)       self-attention with the stack's bidirectional relative bias
 *   memory = encoder.final_layer_norm(x)
 *   y = shared[decoder_input_ids]                   decoder_start_token_id, then the output so far
 *   for each of decoder.block:  y = block(y, memory)  causal self-attention (causal relative bias), cross-attention
 *   logits = lm_head(decoder.final_layer_norm(y))   tied: shared applied to the output scaled by d_model^-0.5
 * </pre>
 * The blocks are {@link T5Block}s of nn (pre-norm RMS layer norms, unscaled attention, ReLU or gated-GELU). The
 * relative position bias belongs to the first block of each stack and is computed once per forward pass, added to the
 * masks, and shared by every block of the stack.
 *
 * <p>Generation goes through {@link #start} ({@link TokenDecoder}): the prompts are encoded once, the cross-attention
 * keys and values of every decoder block are computed once per distinct prompt, and each step runs the decoder on one
 * new token per row with a self-attention cache. Scoring is in {@link T5Scoring}.
 */
public final class T5Model extends Module implements TokenDecoder {
    private final T5Config config;
    private final Embedding shared;
    private final Stack encoder, decoder;
    private final Linear lmHead; // null when tied to the shared embedding

    /** One stack ("encoder." or "decoder."): the blocks and the final layer norm. */
    static final class Stack extends Module {
        final ModuleList<T5Block> block;
        final RMSNorm finalLayerNorm;

        Stack(T5Config c, boolean isDecoder, Generator rng) {
            block = child("block", new ModuleList<>());
            int n = isDecoder ? c.numDecoderLayers() : c.numLayers();
            for (int i = 0; i < n; i++) {
                block.add(new T5Block(isDecoder, i == 0, c.dModel(), c.numHeads(), c.dKv(), c.dFf(), c.feedForward(),
                        c.relativeAttentionNumBuckets(), c.relativeAttentionMaxDistance(), c.layerNormEpsilon(),
                        c.dropoutRate(), rng));
            }
            finalLayerNorm = child("final_layer_norm", new RMSNorm(c.dModel(), c.layerNormEpsilon()));
        }

        RelativePositionBias relativeBias() {
            return block.get(0).relativeBias();
        }
    }

    /**
     * @param rng random initialisation (torch's layer defaults, and dropout at the config's rate in training mode), or
     *            null for placeholders that loading replaces with checkpoint weights without allocating (no dropout)
     */
    public T5Model(T5Config config, Generator rng) {
        org.crs4j.models.DeclaredSizes.fitsHeap("a T5", rng != null, config.parameterCount(),
                (2L * config.numLayers() + 3L * config.numDecoderLayers() + 2) * config.dModel());
        this.config = config;
        this.shared = child("shared", new Embedding(config.vocabSize(), config.dModel(), rng));
        this.encoder = child("encoder", new Stack(config, false, rng));
        this.decoder = child("decoder", new Stack(config, true, rng));
        this.lmHead = config.tieWordEmbeddings() ? null : child("lm_head", new Linear(config.dModel(), config.vocabSize(), false, rng));
    }

    public T5Config config() {
        return config;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    public Embedding shared() {
        return shared;
    }

    public List<T5Block> encoderBlocks() {
        return encoder.block.asList();
    }

    public List<T5Block> decoderBlocks() {
        return decoder.block.asList();
    }

    /** The output projection's weight [vocab, d_model]: lm_head's, or the shared embedding's when tied. */
    public Tensor outputWeight() {
        return lmHead != null ? lmHead.weight().data() : shared.weight().data();
    }

    // ------------------------------------------------------------------ forward

    /**
     * The encoder output [B, S, d_model].
     *
     * @param ids  [B, S] token ids (I32/I64), S >= 1
     * @param mask [B, S] true/1 for real tokens (padding may be anywhere; T5 pads on the right), or null for none
     */
    public Variable encode(Tensor ids, Tensor mask) {
        checkIds(ids, "input ids");
        int b = ids.size(0), s = ids.size(1);
        Variable bias = encoder.relativeBias().forward(s, s, 0);
        Tensor keyMask = paddingOnly(mask, b, s);
        if (keyMask != null) bias = bias.add(Variable.constant(AttentionMasks.additive(AttentionMasks.keyPadding(keyMask))));
        Variable x = shared.forward(ids);
        for (T5Block block : encoder.block) x = block.forward(x, bias);
        return encoder.finalLayerNorm.forward(x);
    }

    /**
     * The decoder's final hidden states [B, T, d_model] (after decoder.final_layer_norm).
     *
     * @param ids        [B, T] decoder input ids (decoder_start_token_id first)
     * @param memory     the encoder output [B, S, d_model]; may be null when crossCache is filled
     * @param memoryMask [B, S] real encoder tokens, or null for none padded
     * @param selfCache  self-attention cache (inference only; the T new positions follow the cached ones), or null
     * @param crossCache cross-attention keys and values, filled on first use (or beforehand), or null
     */
    public Variable decode(Tensor ids, Variable memory, Tensor memoryMask, KVCache selfCache, KVCache crossCache) {
        checkIds(ids, "decoder input ids");
        int b = ids.size(0), t = ids.size(1), past = selfCache == null ? 0 : selfCache.length();
        if (memory == null && (crossCache == null || crossCache.length() == 0)) {
            throw new IllegalArgumentException("the decoder needs the encoder output (or a filled cross-attention cache)");
        }
        int s = memory != null ? memory.size(1) : crossCache.length();
        Variable selfBias = decoder.relativeBias().forward(t, past + t, past);
        // one new token per row sees every cached position: the causal mask only matters for several
        if (t > 1) selfBias = selfBias.add(Variable.constant(AttentionMasks.additive(AttentionMasks.causal(t, past + t, past))));
        Tensor keyMask = paddingOnly(memoryMask, b, s);
        Variable crossBias = keyMask == null ? null : Variable.constant(AttentionMasks.additive(AttentionMasks.keyPadding(keyMask)));
        Variable y = shared.forward(ids);
        for (int i = 0; i < decoder.block.size(); i++) {
            y = decoder.block.get(i).forward(y, selfBias, memory, crossBias, selfCache == null ? null : selfCache.layer(i),
                    crossCache == null ? null : crossCache.layer(i));
        }
        return decoder.finalLayerNorm.forward(y);
    }

    /** Logits [..., vocab] of decoder hidden states [..., d_model]. */
    public Variable logits(Variable hidden) {
        if (lmHead != null) return lmHead.forward(hidden);
        // tied: the shared embedding as output projection, on the output rescaled by d_model^-0.5 (Mesh TensorFlow's)
        return hidden.mul(1 / Math.sqrt(config.dModel())).matmul(shared.weight().get().mT());
    }

    /** Teacher-forced logits [B, T, vocab] of decoder inputs [B, T] given encoder inputs [B, S] and their mask. */
    public Variable forward(Tensor inputIds, Tensor attentionMask, Tensor decoderInputIds) {
        return logits(decode(decoderInputIds, encode(inputIds, attentionMask), attentionMask, null, null));
    }

    private void checkIds(Tensor ids, String what) {
        if (ids.dim() != 2 || ids.size(1) == 0) {
            throw new IllegalArgumentException(what + " must be [batch, length] with length >= 1, got " + Arrays.toString(ids.shape()));
        }
        for (long id : ids.toLongArray()) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " in " + what + " is outside the vocabulary [0, "
                        + config.vocabSize() + ")");
            }
        }
    }

    /** The mask as BOOL [b, s], or null when it is null or hides nothing (no padding: no mask to add). */
    private static Tensor paddingOnly(Tensor mask, int b, int s) {
        if (mask == null) return null;
        if (mask.dim() != 2 || mask.size(0) != b || mask.size(1) != s) {
            throw new IllegalArgumentException("attention mask must be [" + b + ", " + s + "], got " + Arrays.toString(mask.shape()));
        }
        Tensor m = mask.dtype() == DType.BOOL ? mask : mask.ne(0);
        for (long v : m.to(DType.I64).toLongArray()) if (v == 0) return m;
        return null;
    }

    /** A self-attention cache of the decoder for {@code batch} rows of up to {@code capacity} positions. */
    public KVCache newDecoderCache(int batch, int capacity) {
        return new KVCache(config.numDecoderLayers(), batch, config.numHeads(), capacity, config.dKv());
    }

    /**
     * Cross-attention keys and values of every decoder block for an encoder output [B, S, d_model], computed once
     * (inference only).
     */
    public KVCache crossCache(Variable memory) {
        KVCache cache = new KVCache(config.numDecoderLayers(), memory.size(0), config.numHeads(), memory.size(1), config.dKv());
        for (int i = 0; i < decoder.block.size(); i++) {
            decoder.block.get(i).crossAttention().attention().fillCache(memory, cache.layer(i));
        }
        return cache;
    }

    // ------------------------------------------------------------------ decoding

    /**
     * Starts generating for a batch of prompts (encoder inputs, usually ending with EOS as T5's tokenizer writes them);
     * every row's output starts from decoder_start_token_id.
     */
    @Override
    public DecodingSession start(int[][] prompts, int maxNewTokens) {
        return new Session(prompts, maxNewTokens);
    }

    /**
     * T5 has no trained position limit: relative position buckets saturate at relative_attention_max_distance, so
     * longer inputs and outputs run (as in transformers); only memory bounds them ({@link #sessionBytes}).
     */
    @Override
    public ContextWindow context() {
        return CONTEXT;
    }

    private static final ContextWindow CONTEXT = new ContextWindow(Integer.MAX_VALUE, true, -1, "T5 has no position limit");

    /** Decoder self-attention and cross-attention caches, logits and the encoder's output: allocated for certain. */
    @Override
    public long sessionBytes(int rows, int promptLength, int maxNewTokens) {
        long perPosition = GenerationLimits.product(2L * config.numDecoderLayers(), rows, config.numHeads(), config.dKv(), 4);
        long self = GenerationLimits.product(perPosition, (long) maxNewTokens + 1);
        long cross = GenerationLimits.product(perPosition, promptLength);
        long logits = GenerationLimits.product(rows, config.vocabSize(), 4);
        long encoded = GenerationLimits.product(rows, promptLength, config.dModel(), 4);
        return GenerationLimits.sum(self, cross, logits, encoded);
    }

    /**
     * Batched decoding. Prompts are right-padded and masked in the encoder and in cross-attention; the decoder rows
     * all start together, so they need no padding. Identical prompts (beam search runs one prompt on every beam) are
     * encoded once, and their cross-attention keys and values computed once, then spread over their rows.
     */
    private final class Session extends BatchSession {
        private final int capacity;
        private final KVCache selfCache;
        private KVCache crossCache;
        private Tensor memoryMask; // [batch, S] BOOL, or null when no prompt is padded
        private int[] promptOfRow; // index among the distinct prompts

        Session(int[][] prompts, int maxNewTokens) {
            super(prompts, maxNewTokens, CONTEXT);
            promptOfRow = new int[batch];
            Map<String, Integer> seen = new HashMap<>();
            int[][] distinct = new int[batch][];
            int u = 0, longest = 0;
            for (int r = 0; r < batch; r++) {
                if (prompts[r].length == 0) throw new IllegalArgumentException("prompt " + r + " is empty (T5 prompts end with EOS)");
                Integer idx = seen.putIfAbsent(Arrays.toString(prompts[r]), u);
                if (idx == null) {
                    distinct[u] = prompts[r];
                    longest = Math.max(longest, prompts[r].length);
                    idx = u++;
                }
                promptOfRow[r] = idx;
            }
            long[] ids = new long[u * longest];
            boolean[] real = new boolean[u * longest];
            boolean padded = false;
            for (int i = 0; i < u; i++) {
                for (int j = 0; j < distinct[i].length; j++) {
                    ids[i * longest + j] = distinct[i][j];
                    real[i * longest + j] = true;
                }
                padded |= distinct[i].length < longest;
            }
            Tensor mask = padded ? Tensor.ofBool(real, u, longest) : null;
            try (var off = GradMode.off()) {
                Variable memory = encode(Tensor.of(ids, u, longest), mask);
                crossCache = crossCache(memory);
            }
            if (u != batch) crossCache.reorder(promptOfRow);
            memoryMask = mask == null ? null : mask.indexSelect(0, BatchSession.rowIndex(promptOfRow));
            capacity = maxNewTokens + 1; // the start token, then room for maxNewTokens appended tokens (as TokenDecoder promises)
            selfCache = newDecoderCache(batch, capacity);
            long[] start = new long[batch];
            Arrays.fill(start, config.decoderStartTokenId());
            run(start);
        }

        private void run(long[] tokens) {
            try (var off = GradMode.off()) {
                Variable h = decode(Tensor.of(tokens, batch, 1), null, memoryMask, selfCache, crossCache);
                logits = T5Model.this.logits(h).data().reshape(batch, config.vocabSize());
            }
        }

        @Override
        protected int capacity() {
            return capacity;
        }

        @Override
        protected void appendRows(int[] tokens) {
            long[] ids = new long[batch];
            for (int r = 0; r < batch; r++) ids[r] = tokens[r];
            run(ids);
        }

        @Override
        protected void reorderRows(int[] rows, Tensor index) {
            selfCache.reorder(rows);
            int[] prompts = new int[batch];
            for (int i = 0; i < batch; i++) prompts[i] = promptOfRow[rows[i]];
            // rows of the same prompt hold the same cross keys/values: copy them only if the prompts move
            if (!Arrays.equals(prompts, promptOfRow)) {
                crossCache.reorder(rows);
                if (memoryMask != null) memoryMask = memoryMask.indexSelect(0, index);
                promptOfRow = prompts;
            }
        }

        @Override
        public int remaining() {
            return capacity - selfCache.length();
        }
    }
}
