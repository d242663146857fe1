package org.crs4j.models.llama;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.crs4j.models.DeclaredSizes;
import org.crs4j.models.JsonFields;
import org.crs4j.models.ModelFormatException;
import org.crs4j.nn.transformer.RotaryEmbedding;

/**
 * The hyperparameters of a LLaMA-family model (LLaMA 1/2/3, TinyLlama, llama2.c's models): what Hugging Face's
 * {@code config.json} of a {@code LlamaForCausalLM} holds, or what a llama2.c checkpoint header gives.
 *
 * @param headDim           {@code head_dim}, else hidden_size / num_attention_heads
 * @param ropeScaling       null for none
 * @param ropePairing       HALF for Hugging Face weights; INTERLEAVED for llama2.c / Meta weights
 * @param eosTokenIds       one id, or several (LLaMA 3 lists its end-of-turn tokens too)
 * @param padTokenId        -1 when the config has none
 */
public record LlamaConfig(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numKvHeads,
                          int headDim, double rmsNormEps, double ropeTheta, RotaryEmbedding.Scaling ropeScaling,
                          RotaryEmbedding.Pairing ropePairing, int maxPositionEmbeddings, boolean tieWordEmbeddings,
                          int bosTokenId, int[] eosTokenIds, int padTokenId, boolean attentionBias, boolean mlpBias) {

    public LlamaConfig {
        check(vocabSize > 0, "vocab_size must be positive, got " + vocabSize);
        check(hiddenSize > 0, "hidden_size must be positive, got " + hiddenSize);
        check(intermediateSize > 0, "intermediate_size must be positive, got " + intermediateSize);
        check(numLayers > 0, "num_hidden_layers must be positive, got " + numLayers);
        check(numHeads > 0, "num_attention_heads must be positive, got " + numHeads);
        check(numKvHeads > 0 && numHeads % numKvHeads == 0,
                "num_key_value_heads (" + numKvHeads + ") must divide num_attention_heads (" + numHeads + ")");
        check(headDim > 0 && headDim % 2 == 0, "head_dim must be positive and even, got " + headDim);
        check(rmsNormEps > 0, "rms_norm_eps must be positive, got " + rmsNormEps);
        check(ropeTheta > 0, "rope_theta must be positive, got " + ropeTheta);
        check(maxPositionEmbeddings > 0, "max_position_embeddings must be positive, got " + maxPositionEmbeddings);
        eosTokenIds = eosTokenIds == null ? new int[0] : eosTokenIds.clone();
        checkId("bos_token_id", bosTokenId, vocabSize, true);
        checkId("pad_token_id", padTokenId, vocabSize, true);
        for (int e : eosTokenIds) checkId("eos_token_id", e, vocabSize, false);
        new RotaryEmbedding(headDim, ropeTheta, ropeScaling, ropePairing); // validates rope_scaling's fields
    }

    private static void check(boolean ok, String what) {
        if (!ok) throw new IllegalArgumentException(what);
    }

    /** An id field within the vocabulary; -1 (or any negative id, as old configs write pad_token_id) means none. */
    static void checkId(String field, int id, int vocabSize, boolean optional) {
        if (optional && id < 0) return;
        check(id >= 0 && id < vocabSize, field + ": " + id + " is outside the vocabulary [0, " + vocabSize + ")");
    }

    /** Parameters, embeddings included (the lm_head counted once when tied). */
    public long parameterCount() {
        long d = hiddenSize, q = (long) numHeads * headDim, kv = (long) numKvHeads * headDim;
        long attn = d * q + 2 * d * kv + q * d + (attentionBias ? q + 2 * kv + d : 0);
        long mlp = 3 * d * intermediateSize + (mlpBias ? 2L * intermediateSize + d : 0);
        long layer = attn + mlp + 2 * d;
        return numLayers * layer + d + (long) vocabSize * d * (tieWordEmbeddings ? 1 : 2);
    }

    @Override
    public int[] eosTokenIds() {
        return eosTokenIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LlamaConfig c && toString().equals(c.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "LlamaConfig[vocab " + vocabSize + ", hidden " + hiddenSize + ", intermediate " + intermediateSize + ", layers "
                + numLayers + ", heads " + numHeads + ", kv heads " + numKvHeads + ", head dim " + headDim + ", eps " + rmsNormEps
                + ", rope theta " + ropeTheta + " " + ropeScaling + " " + ropePairing + ", max positions " + maxPositionEmbeddings
                + ", tied " + tieWordEmbeddings + ", bos " + bosTokenId + ", eos " + Arrays.toString(eosTokenIds) + ", pad "
                + padTokenId + ", attention bias " + attentionBias + ", mlp bias " + mlpBias + "]";
    }

    /** Reads a Hugging Face {@code config.json}; every error names the file and the field. */
    public static LlamaConfig fromJson(Path file) throws IOException {
        JsonFields f = JsonFields.read(file);
        JsonNode root = f.node;
        String type = f.string("model_type", null);
        if (type != null && !type.equals("llama")) {
            throw new ModelFormatException(file, "model_type: \"" + type + "\" is not a LLaMA model (expected \"llama\")");
        }
        DeclaredSizes.dtype(f);
        String act = f.string("hidden_act", "silu");
        if (!act.equals("silu")) throw new ModelFormatException(file, "hidden_act: \"" + act + "\" is not supported (LLaMA uses silu)");
        int hidden = f.positive("hidden_size", -1);
        int heads = f.positive("num_attention_heads", -1);
        int kvHeads = f.positive("num_key_value_heads", heads);
        int maxPos = f.positive("max_position_embeddings", 2048);
        int headDim = root.hasNonNull("head_dim") ? f.positive("head_dim", -1) : hidden / heads;
        if (!root.hasNonNull("head_dim") && hidden % heads != 0) {
            throw new ModelFormatException(file, "hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
        }
        int[] eos = f.ids("eos_token_id");
        try {
            return new LlamaConfig(f.positive("vocab_size", -1), hidden, f.positive("intermediate_size", -1),
                    f.positive("num_hidden_layers", -1), heads, kvHeads, headDim, f.number("rms_norm_eps", 1e-6),
                    f.number("rope_theta", 10000), ropeScaling(f, root.get("rope_scaling"), maxPos, headDim),
                    RotaryEmbedding.Pairing.HALF, maxPos, f.bool("tie_word_embeddings", false),
                    f.integer("bos_token_id", -1), eos, f.integer("pad_token_id", -1), f.bool("attention_bias", false),
                    f.bool("mlp_bias", false));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage());
        }
    }

    private static RotaryEmbedding.Scaling ropeScaling(JsonFields f, JsonNode node, int maxPos, int headDim) throws ModelFormatException {
        if (node == null || node.isNull()) return null;
        if (!node.isObject()) throw f.error("rope_scaling", "expected an object or null");
        JsonFields s = new JsonFields(f.file, node, "rope_scaling.");
        String type = s.string("rope_type", null);
        if (type == null) type = s.string("type", null);
        if (type == null) throw f.error("rope_scaling.rope_type", "missing");
        return switch (type) {
            case "default" -> null;
            case "linear" -> new RotaryEmbedding.Scaling.Linear(s.number("factor", Double.NaN));
            case "dynamic" -> new RotaryEmbedding.Scaling.Dynamic(s.number("factor", Double.NaN), maxPos);
            case "llama3" -> new RotaryEmbedding.Scaling.Llama3(s.number("factor", Double.NaN),
                    s.number("low_freq_factor", Double.NaN), s.number("high_freq_factor", Double.NaN),
                    s.positive("original_max_position_embeddings", -1));
            default -> throw f.error("rope_scaling.rope_type", "\"" + type + "\" is not supported (crs4j supports default, linear,"
                    + " dynamic and llama3)");
        };
    }
}
