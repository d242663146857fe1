#!/usr/bin/python3
"""Small random-weight LLaMA checkpoints with PyTorch reference outputs, for the LLaMA variants the shared stories260K
model does not cover: untied lm_head, multi-query attention, llama3 / linear / dynamic rope_scaling, an explicit
head_dim with attention and MLP biases, F16 storage.

  /usr/bin/python3 scripts/make_llama_fixtures.py

The forward pass below is Hugging Face transformers' LlamaForCausalLM (modeling_llama.py: RMSNorm, rotate_half RoPE,
repeat_kv, eager attention with the causal mask, SiLU-gated MLP) and its rope_scaling code (modeling_rope_utils.py),
transcribed in plain torch because Debian's python3-torch (CPU, 1.13) comes without transformers. It runs in float64
on the weights as stored (F32 or F16), recomputing the whole sequence at every greedy step (no cache).

Writes models/src/test/resources/org/crs4j/models/llama/fixtures/<variant>/: config.json, model.safetensors and
reference.json (prompt ids, logits of every position, greedy continuation, summed log-probability of a continuation).
"""
import json
import math
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import safetensors_io  # noqa: E402
from make_transformer_fixtures import (inv_freq_default, inv_freq_dynamic, inv_freq_linear,  # noqa: E402
                                       inv_freq_llama3, repeat_kv, rotate_half)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "models", "src", "test", "resources", "org", "crs4j", "models", "llama", "fixtures")

BASE = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu", "vocab_size": 96,
        "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2, "max_position_embeddings": 64, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
        "tie_word_embeddings": False, "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32"}

VARIANTS = {
    # GQA (2 query heads per kv head) with a separate lm_head
    "untied-gqa": {},
    # one kv head for 4 query heads; Llama 3.1 frequency scaling; several EOS ids
    "mqa-llama3": {"num_key_value_heads": 1, "rope_theta": 500000.0, "eos_token_id": [2, 5],
                   "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                    "high_freq_factor": 4.0, "original_max_position_embeddings": 16}},
    # position interpolation; tied embeddings saved without lm_head
    "linear-tied": {"num_attention_heads": 2, "num_key_value_heads": 2, "tie_word_embeddings": True,
                    "rope_scaling": {"type": "linear", "factor": 2.0}},
    # dynamic NTK: the 20-token sequence exceeds max_position_embeddings 8, so theta grows
    "dynamic": {"max_position_embeddings": 8, "rope_scaling": {"rope_type": "dynamic", "factor": 2.0}},
    # head_dim not hidden/heads, q/k/v/o and MLP biases
    "headdim-bias": {"head_dim": 12, "attention_bias": True, "mlp_bias": True},
    # weights stored as F16
    "f16": {"torch_dtype": "float16"},
}


def make_weights(cfg, g):
    d, v, inter = cfg["hidden_size"], cfg["vocab_size"], cfg["intermediate_size"]
    h, kvh = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim", d // h)
    w = {"model.embed_tokens.weight": torch.randn(v, d, generator=g), "model.norm.weight": 1 + 0.1 * torch.randn(d, generator=g)}
    def lin(name, out_f, in_f, bias):
        w[name + ".weight"] = torch.randn(out_f, in_f, generator=g) / math.sqrt(in_f)
        if bias:
            w[name + ".bias"] = 0.1 * torch.randn(out_f, generator=g)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = 1 + 0.1 * torch.randn(d, generator=g)
        w[p + "post_attention_layernorm.weight"] = 1 + 0.1 * torch.randn(d, generator=g)
        ab, mb = cfg.get("attention_bias", False), cfg.get("mlp_bias", False)
        lin(p + "self_attn.q_proj", h * hd, d, ab)
        lin(p + "self_attn.k_proj", kvh * hd, d, ab)
        lin(p + "self_attn.v_proj", kvh * hd, d, ab)
        lin(p + "self_attn.o_proj", d, h * hd, ab)
        lin(p + "mlp.gate_proj", inter, d, mb)
        lin(p + "mlp.up_proj", inter, d, mb)
        lin(p + "mlp.down_proj", d, inter, mb)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = torch.randn(v, d, generator=g) / math.sqrt(d)
    dtype = torch.float16 if cfg["torch_dtype"] == "float16" else torch.float32
    return {k: t.to(dtype) for k, t in w.items()}


def inv_freq(cfg, seq_len):
    hd = cfg.get("head_dim", cfg["hidden_size"] // cfg["num_attention_heads"])
    base = cfg["rope_theta"]
    rs = cfg.get("rope_scaling")
    kind = None if rs is None else rs.get("rope_type", rs.get("type"))
    if kind is None or kind == "default":
        return inv_freq_default(base, hd)
    if kind == "linear":
        return inv_freq_linear(base, hd, rs["factor"])
    if kind == "dynamic":
        return inv_freq_dynamic(base, hd, rs["factor"], cfg["max_position_embeddings"], seq_len)
    if kind == "llama3":
        return inv_freq_llama3(base, hd, rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"],
                               rs["original_max_position_embeddings"])
    raise ValueError(kind)


def forward(cfg, w, ids):
    """Logits [T, vocab] of one sequence, float64."""
    W = {k: t.to(torch.float64) for k, t in w.items()}
    d, eps = cfg["hidden_size"], cfg["rms_norm_eps"]
    h, kvh = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim", d // h)
    t = len(ids)
    def rms(x, weight):
        return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))
    def lin(x, name):
        y = x @ W[name + ".weight"].T
        return y + W[name + ".bias"] if name + ".bias" in W else y
    x = W["model.embed_tokens.weight"][torch.tensor(ids)][None]  # [1, T, d]
    pos = torch.arange(t, dtype=torch.float64)
    freqs = pos[:, None] * inv_freq(cfg, t).to(torch.float64)[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[None, None], emb.sin()[None, None]
    mask = torch.triu(torch.full((t, t), float("-inf"), dtype=torch.float64), diagonal=1)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        a = rms(x, W[p + "input_layernorm.weight"])
        q = lin(a, p + "self_attn.q_proj").view(1, t, h, hd).transpose(1, 2)
        k = lin(a, p + "self_attn.k_proj").view(1, t, kvh, hd).transpose(1, 2)
        v = lin(a, p + "self_attn.v_proj").view(1, t, kvh, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k, v = repeat_kv(k, h // kvh), repeat_kv(v, h // kvh)
        s = (q @ k.transpose(2, 3)) * hd ** -0.5 + mask
        o = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(1, t, h * hd)
        x = x + lin(o, p + "self_attn.o_proj")
        m = rms(x, W[p + "post_attention_layernorm.weight"])
        x = x + lin(torch.nn.functional.silu(lin(m, p + "mlp.gate_proj")) * lin(m, p + "mlp.up_proj"), p + "mlp.down_proj")
    x = rms(x, W["model.norm.weight"])
    head = W["lm_head.weight"] if "lm_head.weight" in W else W["model.embed_tokens.weight"]
    return (x @ head.T)[0]


def main():
    for n, (name, overrides) in enumerate(VARIANTS.items()):
        cfg = dict(BASE)
        cfg.update(overrides)
        g = torch.Generator().manual_seed(1000 + n)
        w = make_weights(cfg, g)
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        safetensors_io.write(os.path.join(folder, "model.safetensors"), w, {"format": "pt"})
        prompt = [1] + torch.randint(3, cfg["vocab_size"], (19 if name == "dynamic" else 7,), generator=g).tolist()
        logits = forward(cfg, w, prompt)
        ref = {"variant": name, "prompt_ids": prompt, "logits": logits.tolist()}
        if name != "dynamic":  # dynamic NTK changes with the length: cached decoding is not full recomputation
            seq = list(prompt)
            for _ in range(12):
                seq.append(int(forward(cfg, w, seq)[-1].argmax()))
            ref["greedy_12"] = seq[len(prompt):]
            cont = torch.randint(3, cfg["vocab_size"], (5,), generator=g).tolist()
            lp = torch.log_softmax(forward(cfg, w, prompt + cont), dim=-1)
            ref["continuation_ids"] = cont
            ref["continuation_log_prob"] = float(sum(lp[len(prompt) - 1 + j, c] for j, c in enumerate(cont)))
        with open(os.path.join(folder, "reference.json"), "w") as f:
            json.dump(ref, f)
        print("wrote", folder)


if __name__ == "__main__":
    main()
