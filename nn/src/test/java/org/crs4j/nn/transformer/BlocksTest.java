package org.crs4j.nn.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.autograd.GradMode;
import org.crs4j.autograd.Variable;
import org.crs4j.nn.Module;
import org.crs4j.nn.Parameter;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.io.Safetensors;
import org.crs4j.tensor.testing.RandomTensors;
import org.junit.jupiter.api.Test;

/**
 * Transformer blocks against the PyTorch fixtures of scripts/make_transformer_fixtures.py (outputs and gradients for
 * inputs and every weight, F64), and cached decoding against full recomputation.
 */
class BlocksTest {
    private final RandomTensors random = new RandomTensors(31);

    /** The fixture tensors under {@code prefix.}, copied to the heap (the file is closed after the test). */
    private static Map<String, Tensor> load(Safetensors st, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var info : st.tensors()) {
            if (info.name().startsWith(prefix + ".")) out.put(info.name().substring(prefix.length() + 1), st.tensor(info.name()).copy());
        }
        return out;
    }

    /** Installs the fixture's F64 weights; returns nothing left over except inputs, outputs and gradients. */
    private static void install(Module m, Map<String, Tensor> fx) {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (String name : m.namedParameters().keySet()) weights.put(name, fx.get(name));
        m.loadStateDict(weights, true);
    }

    private static void assertGradients(String what, Module m, Map<String, Tensor> fx, double tol) {
        for (Map.Entry<String, Parameter> e : m.namedParameters().entrySet()) {
            Tensor want = fx.get(e.getKey() + ".grad");
            assertNotNull(want, "fixture lacks gradient of " + e.getKey());
            assertClose(what + " d/d " + e.getKey(), want, e.getValue().grad(), tol);
        }
    }

    private static void assertClose(String what, Tensor want, Tensor got, double tol) {
        double[] w = want.toDoubleArray(), g = got.toDoubleArray();
        assertEquals(w.length, g.length, what + ": size");
        for (int i = 0; i < w.length; i++) {
            assertTrue(Math.abs(w[i] - g[i]) <= tol * (1 + Math.abs(w[i])), what + "[" + i + "]: PyTorch " + w[i] + ", crs4j " + g[i]);
        }
    }

    @Test
    void llamaDecoderLayerMatchesPyTorchOutputsAndGradients() {
        JsonNode meta = Fixtures.json("blocks.json").get("llama");
        try (Safetensors st = Fixtures.safetensors("blocks.safetensors")) {
            Map<String, Tensor> fx = load(st, "llama");
            LlamaDecoderLayer layer = new LlamaDecoderLayer(meta.get("dim").asInt(), meta.get("heads").asInt(),
                    meta.get("kv_heads").asInt(), meta.get("head_dim").asInt(), meta.get("hidden").asInt(),
                    meta.get("eps").asDouble(), false, false, null);
            install(layer, fx);
            Variable x = Variable.parameter(fx.get("input"));
            Tensor mask = fx.get("mask");
            RotaryEmbedding rope = new RotaryEmbedding(meta.get("head_dim").asInt(), meta.get("theta").asDouble(), null,
                    RotaryEmbedding.Pairing.HALF);
            int t = x.size(1);
            Variable bias = Variable.constant(AttentionMasks.additive(AttentionMasks.causalWithPadding(mask, t, 0)));
            Variable y = layer.forward(x, bias, rope.angles(fx.get("positions")), null);
            Tensor realRows = mask.to(DType.F64).unsqueeze(-1);
            assertClose("llama output (real rows)", fx.get("output").mul(realRows), y.data().mul(realRows), 1e-6);
            y.mul(Variable.constant(fx.get("r").mul(realRows))).sum().backward();
            assertClose("llama d/d input", fx.get("input.grad"), x.grad(), 1e-6);
            assertGradients("llama", layer, fx, 1e-6);
        }
    }

    @Test
    void t5EncoderBlockMatchesPyTorchOutputsAndGradients() {
        JsonNode meta = Fixtures.json("blocks.json").get("t5enc");
        try (Safetensors st = Fixtures.safetensors("blocks.safetensors")) {
            Map<String, Tensor> fx = load(st, "t5enc");
            T5Block block = t5Block(meta, false, FeedForward.Kind.GATED_GELU);
            install(block, fx);
            Variable x = Variable.parameter(fx.get("input"));
            int t = x.size(1);
            Variable bias = block.relativeBias().forward(t, t, 0)
                    .add(Variable.constant(AttentionMasks.additive(AttentionMasks.keyPadding(fx.get("mask")))));
            Variable y = block.forward(x, bias);
            assertClose("t5 encoder output", fx.get("output"), y.data(), 1e-9);
            y.mul(Variable.constant(fx.get("r"))).sum().backward();
            assertClose("t5 encoder d/d input", fx.get("input.grad"), x.grad(), 1e-9);
            assertGradients("t5 encoder", block, fx, 1e-9);
        }
    }

    @Test
    void t5DecoderBlockWithCrossAttentionMatchesPyTorchOutputsAndGradients() {
        JsonNode meta = Fixtures.json("blocks.json").get("t5enc");
        try (Safetensors st = Fixtures.safetensors("blocks.safetensors")) {
            Map<String, Tensor> fx = load(st, "t5dec");
            Tensor encMask = st.tensor("t5enc.mask").copy();
            T5Block block = t5Block(meta, true, FeedForward.Kind.RELU);
            install(block, fx);
            Variable x = Variable.parameter(fx.get("input")), memory = Variable.parameter(fx.get("memory"));
            int t = x.size(1);
            Variable selfBias = block.relativeBias().forward(t, t, 0)
                    .add(Variable.constant(AttentionMasks.additive(AttentionMasks.causal(t, t, 0))));
            Variable crossBias = Variable.constant(AttentionMasks.additive(AttentionMasks.keyPadding(encMask)));
            Variable y = block.forward(x, selfBias, memory, crossBias, null, null);
            assertClose("t5 decoder output", fx.get("output"), y.data(), 1e-9);
            y.mul(Variable.constant(fx.get("r"))).sum().backward();
            assertClose("t5 decoder d/d input", fx.get("input.grad"), x.grad(), 1e-9);
            assertClose("t5 decoder d/d memory", fx.get("memory.grad"), memory.grad(), 1e-9);
            assertGradients("t5 decoder", block, fx, 1e-9);
        }
    }

    private static T5Block t5Block(JsonNode meta, boolean decoder, FeedForward.Kind kind) {
        return new T5Block(decoder, true, meta.get("d_model").asInt(), meta.get("heads").asInt(), meta.get("d_kv").asInt(),
                meta.get("d_ff").asInt(), kind, meta.get("num_buckets").asInt(), meta.get("max_distance").asInt(),
                meta.get("eps").asDouble(), 0, null);
    }

    @Test
    void t5BlockNamesAreHuggingFaces() {
        T5Block dec = new T5Block(true, true, 8, 2, 4, 16, FeedForward.Kind.GATED_GELU, 32, 128, 1e-6, 0.1, new Generator(1));
        assertEquals(List.of(
                "layer.0.SelfAttention.q.weight", "layer.0.SelfAttention.k.weight", "layer.0.SelfAttention.v.weight",
                "layer.0.SelfAttention.o.weight", "layer.0.SelfAttention.relative_attention_bias.weight", "layer.0.layer_norm.weight",
                "layer.1.EncDecAttention.q.weight", "layer.1.EncDecAttention.k.weight", "layer.1.EncDecAttention.v.weight",
                "layer.1.EncDecAttention.o.weight", "layer.1.layer_norm.weight",
                "layer.2.DenseReluDense.wi_0.weight", "layer.2.DenseReluDense.wi_1.weight", "layer.2.DenseReluDense.wo.weight",
                "layer.2.layer_norm.weight"), List.copyOf(dec.namedParameters().keySet()));
        T5Block later = new T5Block(false, false, 8, 2, 4, 16, FeedForward.Kind.RELU, 32, 128, 1e-6, 0, null);
        assertNull(later.relativeBias());
        assertEquals(8, later.namedParameters().size());
        LlamaDecoderLayer l = new LlamaDecoderLayer(8, 4, 2, 2, 16, 1e-5, false, false, null);
        assertEquals(List.of("self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight",
                "self_attn.o_proj.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight",
                "input_layernorm.weight", "post_attention_layernorm.weight"), List.copyOf(l.namedParameters().keySet()));
    }

    /** A two-block T5 decoder: greedy-style decoding with self and cross caches equals recomputing everything. */
    @Test
    void t5DecoderStackCachedDecodingEqualsFullRecomputation() {
        int d = 8, heads = 2, dkv = 3, b = 2, s = 5, t = 6;
        Generator rng = new Generator(17);
        T5Block b0 = new T5Block(true, true, d, heads, dkv, 12, FeedForward.Kind.GATED_GELU, 8, 16, 1e-6, 0, rng);
        T5Block b1 = new T5Block(true, false, d, heads, dkv, 12, FeedForward.Kind.GATED_GELU, 8, 16, 1e-6, 0, rng);
        Tensor x = random.uniform(new int[] {b, t, d}, -1, 1), memory = random.uniform(new int[] {b, s, d}, -1, 1);
        boolean[] mm = new boolean[b * s];
        for (int i = 0; i < b * s; i++) mm[i] = i % s < (i < s ? s : s - 2);
        Variable crossBias = Variable.constant(AttentionMasks.additive(AttentionMasks.keyPadding(Tensor.ofBool(mm, b, s))));
        try (var off = GradMode.off()) {
            Variable full = stack(b0, b1, Variable.constant(x), Variable.constant(memory), crossBias, 0, null, null);
            KVCache self = new KVCache(2, b, heads, t, dkv), cross = new KVCache(2, b, heads, s, dkv);
            for (int i = 0; i < t; i++) {
                Variable step = stack(b0, b1, Variable.constant(x.narrow(1, i, 1)), i == 0 ? Variable.constant(memory) : null,
                        crossBias, i, self, cross);
                double[] got = step.data().toDoubleArray(), want = full.data().narrow(1, i, 1).toDoubleArray();
                for (int j = 0; j < got.length; j++) assertEquals(want[j], got[j], 2e-6, "step " + i);
            }
            assertEquals(t, self.length());
            assertEquals(s, cross.length());
        }
    }

    private static Variable stack(T5Block b0, T5Block b1, Variable x, Variable memory, Variable crossBias, int offset,
                                  KVCache self, KVCache cross) {
        int tq = x.size(1), keys = offset + tq;
        Variable selfBias = b0.relativeBias().forward(tq, keys, offset)
                .add(Variable.constant(AttentionMasks.additive(AttentionMasks.causal(tq, keys, offset))));
        Variable h = b0.forward(x, selfBias, memory, crossBias, self == null ? null : self.layer(0), cross == null ? null : cross.layer(0));
        return b1.forward(h, selfBias, memory, crossBias, self == null ? null : self.layer(1), cross == null ? null : cross.layer(1));
    }

    @Test
    void llamaLayerStackCachedDecodingEqualsFullRecomputationAndBeamReorder() {
        int d = 16, heads = 4, kv = 1, hd = 4, b = 3, t = 7;
        Generator rng = new Generator(23);
        LlamaDecoderLayer l0 = new LlamaDecoderLayer(d, heads, kv, hd, 24, 1e-5, false, false, rng);
        LlamaDecoderLayer l1 = new LlamaDecoderLayer(d, heads, kv, hd, 24, 1e-5, false, false, rng);
        RotaryEmbedding rope = new RotaryEmbedding(hd, 10000, new RotaryEmbedding.Scaling.Llama3(4, 1, 2, 4), RotaryEmbedding.Pairing.HALF);
        Tensor x = random.uniform(new int[] {b, t, d}, -1, 1);
        try (var off = GradMode.off()) {
            Variable bias = Variable.constant(AttentionMasks.additive(AttentionMasks.causal(t, t, 0)));
            RotaryEmbedding.Angles angles = rope.angles(b, 0, t);
            Tensor full = l1.forward(l0.forward(Variable.constant(x), bias, angles, null), bias, angles, null).data();
            KVCache cache = new KVCache(2, b, kv, t, hd);
            for (int i = 0; i < 4; i++) {
                Variable mask = Variable.constant(AttentionMasks.additive(AttentionMasks.causal(1, i + 1, i)));
                RotaryEmbedding.Angles a = rope.angles(b, i, 1);
                Tensor step = l1.forward(l0.forward(Variable.constant(x.narrow(1, i, 1)), mask, a, cache.layer(0)), mask, a, cache.layer(1)).data();
                assertClose("step " + i, full.narrow(1, i, 1), step, 2e-6);
            }
            // beam search keeps rows 2, 2, 0: the cache follows, and decoding continues as if those rows had been run
            cache.reorder(new int[] {2, 2, 0});
            long[] rows = {2, 2, 0};
            Tensor xr = x.indexSelect(0, Tensor.of(rows, 3)), fullr = full.indexSelect(0, Tensor.of(rows, 3));
            for (int i = 4; i < t; i++) {
                Variable mask = Variable.constant(AttentionMasks.additive(AttentionMasks.causal(1, i + 1, i)));
                RotaryEmbedding.Angles a = rope.angles(b, i, 1);
                Tensor step = l1.forward(l0.forward(Variable.constant(xr.narrow(1, i, 1)), mask, a, cache.layer(0)), mask, a, cache.layer(1)).data();
                assertClose("reordered step " + i, fullr.narrow(1, i, 1), step, 2e-6);
            }
        }
    }

    @Test
    void blockParameterGradientsByFiniteDifferences() {
        Generator rng = new Generator(5);
        LlamaDecoderLayer l = new LlamaDecoderLayer(6, 2, 1, 3 * 2, 8, 1e-5, false, false, rng);
        ModuleGradients.toF64(l);
        Tensor x = random.uniform(new int[] {1, 3, 6}, DType.F64, -1, 1);
        RotaryEmbedding rope = new RotaryEmbedding(6, 10000, null, RotaryEmbedding.Pairing.INTERLEAVED);
        Variable causal = Variable.constant(AttentionMasks.additive(AttentionMasks.causal(3, 3, 0)));
        ModuleGradients.check("llama layer", l, () -> l.forward(Variable.constant(x), causal, rope.angles(1, 0, 3), null), 4);
    }
}
