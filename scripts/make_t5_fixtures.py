#!/usr/bin/python3
"""Small random-weight T5 checkpoints with PyTorch reference outputs, for crs4j's T5 (models/src/test/.../t5).

  /usr/bin/python3 scripts/make_t5_fixtures.py

Debian's python3-torch (CPU, 1.13) comes without Hugging Face transformers and without the safetensors package, so
the T5 forward pass below is written here in plain torch from the semantics of transformers' modeling_t5.py
(T5ForConditionalGeneration), independently of the Java code:

  - T5LayerNorm: x * rsqrt(mean(x^2) + eps) * weight (no mean, no bias; HF computes the variance in float32);
  - T5Attention: q/k/v/o without bias and *without* 1/sqrt(d) scaling; inner dim = num_heads * d_kv (independent of
    d_model); relative position bias (_relative_position_bucket: bidirectional in the encoder, causal in the decoder)
    owned by the first block of each stack and added, together with the padding/causal mask (finfo(float32).min), in
    every block; cross-attention has no position bias, only the encoder's padding mask;
  - feed-forward: "relu" = wo(relu(wi x)); "gated-gelu" = wo(gelu_new(wi_0 x) * wi_1 x), gelu_new = tanh approximation;
  - pre-norm residual blocks, final_layer_norm per stack, decoder input = decoder_start_token_id + labels shifted right;
  - lm_head: untied (T5 v1.1 / Flan-T5), or tied to `shared` with the decoder output rescaled by d_model^-0.5
    (original T5); loss = mean cross-entropy over labels != -100.

Everything runs in float64 on the weights as stored (F32, or BF16 widened), recomputing the whole decoder at every
greedy step (no cache), and is cross-checked against a float32 run (HF's arithmetic) in this script.

Variants written to models/src/test/resources/org/crs4j/models/t5/fixtures/<variant>/:
  v1_1          gated-GELU, untied lm_head, d_kv*heads != d_model, 2 encoder / 3 decoder layers, 8 buckets, max
                distance 20 (so that short prompts reach the logarithmic buckets), generation_config.json, F32
  original      ReLU, tied embeddings with the rescale, only the HF defaults for buckets (32/128), decoder layers and
                feed_forward_proj; embeddings saved under the encoder./decoder.embed_tokens aliases (no shared.weight),
                plus a legacy decoder EncDecAttention.relative_attention_bias that loaders must ignore, F32
  sharded-bf16  gated-GELU, untied, BF16 weights in three shards with model.safetensors.index.json
Each folder holds config.json, the weights, spiece.model (a tiny SentencePiece unigram model trained here with T5's
special ids: pad 0, eos 1, unk 2, no bos; the model's vocab_size exceeds it by 4 rows as T5's 32128 exceeds 32100)
and reference.json: prompts (text and ids with </s>), the encoder output and teacher-forced logits of prompt 0, greedy
continuations (ids and text) of every prompt, the summed log-probability of a target, a padded two-pair batch loss
with -100 labels, and the gradients of that loss for a few parameters.
"""
import io
import json
import math
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sentencepiece as spm  # noqa: E402
import torch  # noqa: E402
import safetensors_io  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "models", "src", "test", "resources", "org", "crs4j", "models", "t5", "fixtures")
F32_MIN = torch.finfo(torch.float32).min

CORPUS = [
    "translate English to German: The house is wonderful.",
    "summarize: the user asked for a funny movie with a dog and the system recommended a comedy.",
    "I loved the movie, can you recommend something similar?",
    "Have you seen the new science fiction film? It was great.",
    "question: which movie should I watch tonight? answer: a thriller.",
    "The dialogue context is: hello, I like horror movies and old westerns.",
    "Please generate a response to answer the user's request.",
    "recommend a movie for a family evening with kids",
    "the cat sat on the mat and the dog watched a movie",
    "Sub-Task: recommendation. Expert Model: RGCN. Output: Jaws, Alien, Heat.",
]

BASE = {"architectures": ["T5ForConditionalGeneration"], "model_type": "t5", "vocab_size": 64, "d_model": 16,
        "d_kv": 6, "d_ff": 24, "num_layers": 2, "num_decoder_layers": 3, "num_heads": 3,
        "relative_attention_num_buckets": 8, "relative_attention_max_distance": 20, "dropout_rate": 0.1,
        "layer_norm_epsilon": 1e-6, "initializer_factor": 1.0, "feed_forward_proj": "gated-gelu",
        "is_encoder_decoder": True, "tie_word_embeddings": False, "decoder_start_token_id": 0, "eos_token_id": 1,
        "pad_token_id": 0, "torch_dtype": "float32", "use_cache": True}

VARIANTS = {
    "v1_1": {},
    # original T5: everything but the sizes left to T5Config's defaults (relu, tied, 32 buckets, max distance 128,
    # num_decoder_layers = num_layers)
    "original": {"drop": ["feed_forward_proj", "tie_word_embeddings", "relative_attention_num_buckets",
                          "relative_attention_max_distance", "num_decoder_layers"], "num_layers": 2, "d_kv": 4,
                 "num_heads": 4},
    "sharded-bf16": {"num_heads": 4, "d_kv": 4, "torch_dtype": "bfloat16"},
}

PROMPTS = ["translate English to German: the dog watched a movie.",
           "recommend a funny movie",
           "question: which film should the user watch with kids tonight? answer:"]


def full_config(overrides):
    cfg = dict(BASE)
    for k, v in overrides.items():
        if k != "drop":
            cfg[k] = v
    for k in overrides.get("drop", []):
        del cfg[k]
    return cfg


def resolved(cfg):
    """The config with T5Config's defaults applied (what the forward pass uses)."""
    r = dict(cfg)
    r.setdefault("feed_forward_proj", "relu")
    r.setdefault("tie_word_embeddings", True)
    r.setdefault("relative_attention_num_buckets", 32)
    r.setdefault("relative_attention_max_distance", 128)
    r.setdefault("num_decoder_layers", r["num_layers"])
    return r


# ---------------------------------------------------------------- weights (HF names)

def make_weights(cfg, g):
    c = resolved(cfg)
    d, inner, dff, v = c["d_model"], c["num_heads"] * c["d_kv"], c["d_ff"], c["vocab_size"]
    gated = c["feed_forward_proj"].startswith("gated")
    w = {"shared.weight": torch.randn(v, d, generator=g)}

    def lin(name, out_f, in_f, scale=1.0):
        w[name + ".weight"] = scale * torch.randn(out_f, in_f, generator=g) / math.sqrt(in_f)

    def norm(name):
        w[name + ".weight"] = 1 + 0.2 * torch.randn(d, generator=g)

    def ff(p):
        if gated:
            lin(p + "DenseReluDense.wi_0", dff, d, 2.0)
            lin(p + "DenseReluDense.wi_1", dff, d)
        else:
            lin(p + "DenseReluDense.wi", dff, d, 2.0)
        lin(p + "DenseReluDense.wo", d, dff, 3.0)

    def attn(p, bias):
        for n in "qkv":
            lin(p + n, inner, d, 1.0)
        lin(p + "o", d, inner, 4.0)
        if bias:
            w[p + "relative_attention_bias.weight"] = 3 * torch.randn(c["relative_attention_num_buckets"],
                                                                      c["num_heads"], generator=g)

    for i in range(c["num_layers"]):
        p = f"encoder.block.{i}."
        attn(p + "layer.0.SelfAttention.", i == 0)
        norm(p + "layer.0.layer_norm")
        ff(p + "layer.1.")
        norm(p + "layer.1.layer_norm")
    norm("encoder.final_layer_norm")
    for i in range(c["num_decoder_layers"]):
        p = f"decoder.block.{i}."
        attn(p + "layer.0.SelfAttention.", i == 0)
        norm(p + "layer.0.layer_norm")
        attn(p + "layer.1.EncDecAttention.", False)
        norm(p + "layer.1.layer_norm")
        ff(p + "layer.2.")
        norm(p + "layer.2.layer_norm")
    norm("decoder.final_layer_norm")
    if not c["tie_word_embeddings"]:
        lin("lm_head", v, d, 2.0)
    if cfg["torch_dtype"] == "bfloat16":
        w = {k: t.to(torch.bfloat16) for k, t in w.items()}
    return w


# ---------------------------------------------------------------- the forward pass (modeling_t5.py semantics)

def relative_position_bucket(relative_position, bidirectional, num_buckets, max_distance):
    relative_buckets = 0
    if bidirectional:
        num_buckets //= 2
        relative_buckets += (relative_position > 0).to(torch.long) * num_buckets
        relative_position = torch.abs(relative_position)
    else:
        relative_position = -torch.min(relative_position, torch.zeros_like(relative_position))
    max_exact = num_buckets // 2
    is_small = relative_position < max_exact
    # the logarithmic part in float32, as HF computes it (decides which bucket a boundary distance lands in)
    if_large = max_exact + (torch.log(relative_position.float() / max_exact) / math.log(max_distance / max_exact)
                            * (num_buckets - max_exact)).to(torch.long)
    if_large = torch.min(if_large, torch.full_like(if_large, num_buckets - 1))
    return relative_buckets + torch.where(is_small, relative_position, if_large)


class T5Reference:
    def __init__(self, cfg, weights, dtype):
        self.c = resolved(cfg)
        self.dtype = dtype
        self.W = {k: t.to(dtype) for k, t in weights.items()}
        if "shared.weight" not in self.W:  # saved under the aliases only
            self.W["shared.weight"] = self.W["encoder.embed_tokens.weight"]

    def norm(self, x, name):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.W[name + ".weight"] * (x * torch.rsqrt(var + self.c["layer_norm_epsilon"]))

    def position_bias(self, table, q_len, k_len, bidirectional):
        ctx = torch.arange(q_len)[:, None]
        mem = torch.arange(k_len)[None, :]
        buckets = relative_position_bucket(mem - ctx, bidirectional, self.c["relative_attention_num_buckets"],
                                           self.c["relative_attention_max_distance"])
        return self.W[table][buckets].permute(2, 0, 1)[None]  # [1, heads, q, k]

    def attention(self, p, x, kv, bias):
        h, dkv = self.c["num_heads"], self.c["d_kv"]
        b, t, s = x.shape[0], x.shape[1], kv.shape[1]
        q = (x @ self.W[p + "q.weight"].T).view(b, t, h, dkv).transpose(1, 2)
        k = (kv @ self.W[p + "k.weight"].T).view(b, s, h, dkv).transpose(1, 2)
        v = (kv @ self.W[p + "v.weight"].T).view(b, s, h, dkv).transpose(1, 2)
        scores = q @ k.transpose(3, 2) + bias  # no 1/sqrt(d_kv)
        attn = torch.softmax(scores, dim=-1)
        return (attn @ v).transpose(1, 2).reshape(b, t, h * dkv) @ self.W[p + "o.weight"].T

    def ff(self, p, x):
        W = self.W
        if self.c["feed_forward_proj"] == "gated-gelu":
            a = x @ W[p + "wi_0.weight"].T
            gelu_new = 0.5 * a * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (a + 0.044715 * torch.pow(a, 3.0))))
            hidden = gelu_new * (x @ W[p + "wi_1.weight"].T)
        else:
            hidden = torch.relu(x @ W[p + "wi.weight"].T)
        return hidden @ W[p + "wo.weight"].T

    def encode(self, ids, mask):
        """ids, mask [B, S] -> encoder output [B, S, d]."""
        x = self.W["shared.weight"][ids]
        s = ids.shape[1]
        bias = self.position_bias("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", s, s, True)
        bias = bias + (1.0 - mask[:, None, None, :].to(self.dtype)) * F32_MIN
        for i in range(self.c["num_layers"]):
            p = f"encoder.block.{i}.layer."
            n = self.norm(x, p + "0.layer_norm")
            x = x + self.attention(p + "0.SelfAttention.", n, n, bias)
            x = x + self.ff(p + "1.DenseReluDense.", self.norm(x, p + "1.layer_norm"))
        return self.norm(x, "encoder.final_layer_norm")

    def decode(self, dec_ids, enc, enc_mask):
        """Logits [B, T, vocab] of decoder inputs [B, T] (causal) over the encoder output."""
        y = self.W["shared.weight"][dec_ids]
        t = dec_ids.shape[1]
        causal = torch.triu(torch.full((t, t), F32_MIN, dtype=self.dtype), diagonal=1)
        self_bias = self.position_bias("decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", t, t,
                                       False) + causal
        cross_bias = (1.0 - enc_mask[:, None, None, :].to(self.dtype)) * F32_MIN
        for i in range(self.c["num_decoder_layers"]):
            p = f"decoder.block.{i}.layer."
            n = self.norm(y, p + "0.layer_norm")
            y = y + self.attention(p + "0.SelfAttention.", n, n, self_bias)
            y = y + self.attention(p + "1.EncDecAttention.", self.norm(y, p + "1.layer_norm"), enc, cross_bias)
            y = y + self.ff(p + "2.DenseReluDense.", self.norm(y, p + "2.layer_norm"))
        y = self.norm(y, "decoder.final_layer_norm")
        if self.c["tie_word_embeddings"]:
            return (y * self.c["d_model"] ** -0.5) @ self.W["shared.weight"].T
        return y @ self.W["lm_head.weight"].T

    def greedy(self, ids, max_new):
        """Greedy decoding of one prompt, recomputing the decoder from scratch each step; also the smallest gap
        between the best and second-best logit (a float32 implementation must pick the same tokens)."""
        x = torch.tensor([ids])
        m = torch.ones_like(x)
        enc = self.encode(x, m)
        dec, gap = [self.c["decoder_start_token_id"]], float("inf")
        for _ in range(max_new):
            logits = self.decode(torch.tensor([dec]), enc, m)[0, -1]
            top = torch.topk(logits, 2).values
            gap = min(gap, float(top[0] - top[1]))
            dec.append(int(logits.argmax()))
            if dec[-1] == self.c["eos_token_id"]:
                break
        return dec[1:], gap

    def shift_right(self, labels):
        start = torch.full((labels.shape[0], 1), self.c["decoder_start_token_id"], dtype=torch.long)
        dec = torch.cat([start, labels[:, :-1]], dim=1)
        return dec.masked_fill(dec == -100, self.c["pad_token_id"])

    def loss(self, ids, mask, labels):
        """HF's loss: decoder inputs = labels shifted right, mean cross-entropy over labels != -100."""
        logits = self.decode(self.shift_right(labels), self.encode(ids, mask), mask)
        return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1),
                                                 ignore_index=-100)


def pad(rows, value):
    n = max(len(r) for r in rows)
    return torch.tensor([r + [value] * (n - len(r)) for r in rows])


def train_tokenizer():
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(CORPUS), model_writer=model, vocab_size=60,
                                   model_type="unigram", pad_id=0, eos_id=1, unk_id=2, bos_id=-1,
                                   character_coverage=1.0, num_threads=1, minloglevel=2, hard_vocab_limit=False,
                                   normalization_rule_name="identity")
    return model.getvalue()


def write_weights(folder, cfg, w):
    for f in os.listdir(folder):
        if f.endswith(".safetensors") or f.endswith(".index.json"):
            os.remove(os.path.join(folder, f))
    if cfg["torch_dtype"] != "bfloat16":
        safetensors_io.write(os.path.join(folder, "model.safetensors"), w, {"format": "pt"})
        return
    names = sorted(w)
    shards = [names[i::3] for i in range(3)]
    weight_map, total = {}, 0
    for i, part in enumerate(shards):
        fname = "model-%05d-of-%05d.safetensors" % (i + 1, len(shards))
        safetensors_io.write(os.path.join(folder, fname), {n: w[n] for n in part}, {"format": "pt"})
        for n in part:
            weight_map[n] = fname
            total += w[n].numel() * w[n].element_size()
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)


def main():
    sp_model = train_tokenizer()
    sp = spm.SentencePieceProcessor(model_proto=sp_model)
    print("tokenizer: %d pieces" % sp.get_piece_size())
    for n, (name, overrides) in enumerate(VARIANTS.items()):
        cfg = full_config(overrides)
        prompts = [sp.encode(p) + [1] for p in PROMPTS]
        # the first seed whose greedy continuations are varied (random tied models tend to repeat one token, which
        # would hide decoder-cache bugs) and free of near ties (float32 must pick the same tokens)
        for seed in range(5000 + 100 * n, 5100 + 100 * n):
            g = torch.Generator().manual_seed(seed)
            w = make_weights(cfg, g)
            ref64 = T5Reference(cfg, w, torch.float64)
            greedy = [ref64.greedy(p, 12) for p in prompts]
            if all(gap > 1e-3 for _, gap in greedy) and all(len(set(out)) >= 4 for out, _ in greedy):
                break
        else:
            raise SystemExit(name + ": no seed gave varied greedy outputs")
        ref32 = T5Reference(cfg, w, torch.float32)
        c = ref64.c
        eos = c["eos_token_id"]
        # teacher-forced logits and encoder output of prompt 0 with a random target
        target = torch.randint(3, c["vocab_size"], (7,), generator=g).tolist() + [eos]
        x0, m0 = torch.tensor([prompts[0]]), torch.ones(1, len(prompts[0]), dtype=torch.long)
        dec_in = ref64.shift_right(torch.tensor([target]))
        enc = ref64.encode(x0, m0)
        logits = ref64.decode(dec_in, enc, m0)[0]
        logits32 = ref32.decode(dec_in, ref32.encode(x0, m0), m0)[0]
        print("%s: float32 vs float64 logits max diff %.2e (max |logit| %.1f)" % (
            name, float((logits32.double() - logits).abs().max()), float(logits.abs().max())))
        lp = torch.log_softmax(logits, -1)
        target_log_prob = float(sum(lp[j, t] for j, t in enumerate(target)))

        greedy = [{"ids": out, "text": sp.decode([t for t in out if t < sp.get_piece_size()]), "min_top2_gap": gap}
                  for out, gap in greedy]

        # a padded batch of two pairs with -100 labels (HF's loss), and its gradients
        lab_rows = [torch.randint(3, c["vocab_size"], (5,), generator=g).tolist() + [eos],
                    torch.randint(3, c["vocab_size"], (3,), generator=g).tolist() + [eos]]
        ids = pad([prompts[1], prompts[2]], c["pad_token_id"])
        mask = pad([[1] * len(prompts[1]), [1] * len(prompts[2])], 0)
        labels = pad(lab_rows, -100)
        grad_names = ["encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                      "decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                      "encoder.final_layer_norm.weight",
                      "decoder.block.1.layer.1.EncDecAttention.k.weight",
                      "encoder.block.1.layer.1.DenseReluDense.wo.weight"]
        grad_names.append("lm_head.weight" if not c["tie_word_embeddings"] else "shared.weight")
        leaves = {}
        for gn in grad_names:
            t = ref64.W[gn].clone().requires_grad_(True)
            leaves[gn] = t
            ref64.W[gn] = t
        loss = ref64.loss(ids, mask, labels)
        loss.backward()
        grads = {gn: leaves[gn].grad.flatten().tolist() for gn in grad_names}

        if name == "original":
            # saved as tied T5 checkpoints often are: embeddings under the aliases, plus a legacy cross-attention
            # bias that T5 never uses
            shared = w.pop("shared.weight")
            w["encoder.embed_tokens.weight"] = shared
            w["decoder.embed_tokens.weight"] = shared.clone()
            w["decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight"] = torch.randn(
                32, c["num_heads"], generator=g)
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        if name == "v1_1":
            with open(os.path.join(folder, "generation_config.json"), "w") as f:
                json.dump({"decoder_start_token_id": 0, "eos_token_id": 1, "pad_token_id": 0}, f, indent=2)
        with open(os.path.join(folder, "spiece.model"), "wb") as f:
            f.write(sp_model)
        write_weights(folder, cfg, w)
        ref = {"variant": name,
               "prompts": [{"text": t, "ids": p} for t, p in zip(PROMPTS, prompts)],
               "encoder_output": enc[0].tolist(),
               "decoder_input_ids": dec_in[0].tolist(), "target_ids": target, "logits": logits.tolist(),
               "target_log_prob": target_log_prob,
               "greedy_max_new_tokens": 12, "greedy": greedy,
               "batch": {"input_ids": ids.tolist(), "attention_mask": mask.tolist(), "labels": labels.tolist(),
                         "loss": float(loss), "gradients": grads}}
        with open(os.path.join(folder, "reference.json"), "w") as f:
            json.dump(ref, f)
        print("wrote %s (seed %d): greedy %s" % (folder, seed, [gr["ids"] for gr in greedy]))


if __name__ == "__main__":
    main()
