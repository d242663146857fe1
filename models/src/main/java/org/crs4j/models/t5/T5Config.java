package org.crs4j.models.t5;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.crs4j.models.DeclaredSizes;
import org.crs4j.models.JsonFields;
import org.crs4j.models.ModelFormatException;
import org.crs4j.nn.transformer.FeedForward;

/**
 * The hyperparameters of a T5-family model, as Hugging Face's {@code T5Config} reads them from {@code config.json}
 * (T5ForConditionalGeneration): original T5 (ReLU feed-forward, tied embeddings) and T5 v1.1 / Flan-T5 / mT5
 * (gated-GELU, untied lm_head).
 *
 * @param dKv                 size of one attention head; independent of dModel / numHeads (T5 v1.1 "large" has
 *                            d_model 1024 and 16 heads of 64, Flan-T5-small 512 and 6 heads of 64)
 * @param numDecoderLayers    decoder blocks (T5Config: num_layers when absent)
 * @param feedForward         RELU ("relu") or GATED_GELU ("gated-gelu": gelu_new, the tanh approximation)
 * @param tieWordEmbeddings   lm_head is the shared embedding, applied to the decoder output scaled by d_model^-0.5
 * @param decoderStartTokenId the first decoder input (T5: the pad id 0)
 * @param eosTokenIds         end-of-sequence ids (T5: 1)
 * @param dropoutRate         used only by randomly initialised models in training mode (loaded models have no
 *                            dropout layers)
 */
public record T5Config(int vocabSize, int dModel, int dKv, int dFf, int numLayers, int numDecoderLayers, int numHeads,
                       int relativeAttentionNumBuckets, int relativeAttentionMaxDistance, FeedForward.Kind feedForward,
                       boolean tieWordEmbeddings, double layerNormEpsilon, int decoderStartTokenId, int[] eosTokenIds,
                       int padTokenId, double dropoutRate) {

    public T5Config {
        check(vocabSize > 0, "vocab_size must be positive, got " + vocabSize);
        check(dModel > 0, "d_model must be positive, got " + dModel);
        check(dKv > 0, "d_kv must be positive, got " + dKv);
        check(dFf > 0, "d_ff must be positive, got " + dFf);
        check(numLayers > 0, "num_layers must be positive, got " + numLayers);
        check(numDecoderLayers > 0, "num_decoder_layers must be positive, got " + numDecoderLayers);
        check(numHeads > 0, "num_heads must be positive, got " + numHeads);
        check(relativeAttentionNumBuckets >= 2, "relative_attention_num_buckets must be at least 2, got " + relativeAttentionNumBuckets);
        check(relativeAttentionMaxDistance >= 1, "relative_attention_max_distance must be positive, got " + relativeAttentionMaxDistance);
        check(feedForward == FeedForward.Kind.RELU || feedForward == FeedForward.Kind.GATED_GELU,
                "feed-forward must be RELU or GATED_GELU for T5, got " + feedForward);
        check(layerNormEpsilon > 0, "layer_norm_epsilon must be positive, got " + layerNormEpsilon);
        check(decoderStartTokenId >= 0 && decoderStartTokenId < vocabSize,
                "decoder_start_token_id: " + decoderStartTokenId + " is outside the vocabulary [0, " + vocabSize + ")");
        check(dropoutRate >= 0 && dropoutRate < 1, "dropout_rate must be in [0, 1), got " + dropoutRate);
        eosTokenIds = eosTokenIds == null ? new int[0] : eosTokenIds.clone();
        for (int e : eosTokenIds) check(e >= 0 && e < vocabSize, "eos_token_id: " + e + " is outside the vocabulary [0, " + vocabSize + ")");
        check(padTokenId < vocabSize, "pad_token_id: " + padTokenId + " is outside the vocabulary [0, " + vocabSize + ")");
    }

    private static void check(boolean ok, String what) {
        if (!ok) throw new IllegalArgumentException(what);
    }

    /** Width of the attention projections: numHeads * dKv. */
    public int innerDim() {
        return numHeads * dKv;
    }

    /** Parameters, the shared embedding counted once (and the lm_head once more when untied). */
    public long parameterCount() {
        long d = dModel, inner = innerDim(), ff = (feedForward == FeedForward.Kind.GATED_GELU ? 3L : 2L) * d * dFf;
        long attention = 4 * d * inner, bias = (long) relativeAttentionNumBuckets * numHeads;
        long encoder = numLayers * (attention + ff + 2 * d) + bias + d;
        long decoder = numDecoderLayers * (2 * attention + ff + 3 * d) + bias + d;
        return encoder + decoder + (long) vocabSize * d * (tieWordEmbeddings ? 1 : 2);
    }

    @Override
    public int[] eosTokenIds() {
        return eosTokenIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof T5Config c && toString().equals(c.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "T5Config[vocab " + vocabSize + ", d_model " + dModel + ", d_kv " + dKv + ", d_ff " + dFf + ", layers " + numLayers
                + "+" + numDecoderLayers + ", heads " + numHeads + ", buckets " + relativeAttentionNumBuckets + "/"
                + relativeAttentionMaxDistance + ", " + feedForward + ", tied " + tieWordEmbeddings + ", eps " + layerNormEpsilon
                + ", decoder start " + decoderStartTokenId + ", eos " + Arrays.toString(eosTokenIds) + ", pad " + padTokenId
                + ", dropout " + dropoutRate + "]";
    }

    /**
     * Reads a Hugging Face {@code config.json} of a T5ForConditionalGeneration (model_type "t5" or "mt5"). Fields it
     * lacks take T5Config's defaults, as in transformers: feed_forward_proj "relu", tie_word_embeddings true,
     * num_decoder_layers = num_layers, 32 buckets up to distance 128, eps 1e-6, pad 0, eos 1, decoder start = pad.
     * Every error names the file and the field.
     */
    public static T5Config fromJson(Path file) throws IOException {
        JsonFields f = JsonFields.read(file);
        String type = f.string("model_type", null);
        if (type != null && !type.equals("t5") && !type.equals("mt5")) {
            throw f.error("model_type", "\"" + type + "\" is not a T5 model (expected \"t5\" or \"mt5\")");
        }
        DeclaredSizes.dtype(f);
        int layers = f.positive("num_layers", 6);
        int pad = f.integer("pad_token_id", 0);
        int[] eos = f.has("eos_token_id") ? f.ids("eos_token_id") : new int[] {1};
        try {
            return new T5Config(f.positive("vocab_size", 32128), f.positive("d_model", 512), f.positive("d_kv", 64),
                    f.positive("d_ff", 2048), layers, f.positive("num_decoder_layers", layers), f.positive("num_heads", 8),
                    f.positive("relative_attention_num_buckets", 32), f.positive("relative_attention_max_distance", 128),
                    feedForward(f), f.bool("tie_word_embeddings", true), f.number("layer_norm_epsilon", 1e-6),
                    f.integer("decoder_start_token_id", pad), eos, pad, f.number("dropout_rate", 0.1));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage());
        }
    }

    /** feed_forward_proj as transformers parses it: "ACT" or "gated-ACT"; "gated-gelu" means gelu_new. */
    private static FeedForward.Kind feedForward(JsonFields f) throws ModelFormatException {
        String proj = f.string("feed_forward_proj", "relu");
        String[] parts = proj.split("-", -1);
        boolean gated = parts.length == 2 && parts[0].equals("gated");
        if (parts.length > 2 || (parts.length == 2 && !gated)) {
            throw f.error("feed_forward_proj", "\"" + proj + "\" is not of the form ACT or gated-ACT");
        }
        if (!gated && proj.equals("relu")) return FeedForward.Kind.RELU;
        if (gated && parts[1].equals("gelu")) return FeedForward.Kind.GATED_GELU;
        throw f.error("feed_forward_proj", "\"" + proj + "\" is not supported (crs4j supports \"relu\", as in original T5,"
                + " and \"gated-gelu\", as in T5 v1.1, Flan-T5 and mT5)");
    }
}
