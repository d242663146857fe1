#!/usr/bin/python3
"""PyTorch reference fixtures for crs4j's transformer layers (nn/src/test/.../transformer), written from Hugging Face
transformers' LLaMA and T5 code (modeling_llama.py, modeling_t5.py, modeling_rope_utils.py), transcribed here in plain
torch because Debian's python3-torch (CPU, 1.13) comes without transformers:

  /usr/bin/python3 scripts/make_transformer_fixtures.py

Writes, into nn/src/test/resources/org/crs4j/nn/transformer/:
  t5_relative_buckets.json   _relative_position_bucket for relative positions -600..600, several bucket settings
  rope_inv_freq.json         inverse frequencies of the default, linear, dynamic and llama3 rope_scaling variants
  blocks.safetensors + blocks.json
                             a LLaMA decoder layer (GQA, causal, left padding), a T5 encoder block (relative bias,
                             gated-GELU) and a T5 decoder block (causal relative bias, cross-attention, ReLU): weights,
                             inputs, outputs and the gradients of sum(output * r) for inputs and every weight, in F64.
"""
import json
import math
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import safetensors_io  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "nn", "src", "test", "resources", "org", "crs4j", "nn", "transformer")


# ---------------------------------------------------------------- T5 (modeling_t5.py)

def relative_position_bucket(relative_position, bidirectional=True, num_buckets=32, max_distance=128):
    relative_buckets = 0
    if bidirectional:
        num_buckets //= 2
        relative_buckets += (relative_position > 0).to(torch.long) * num_buckets
        relative_position = torch.abs(relative_position)
    else:
        relative_position = -torch.min(relative_position, torch.zeros_like(relative_position))
    max_exact = num_buckets // 2
    is_small = relative_position < max_exact
    relative_position_if_large = max_exact + (
        torch.log(relative_position.float() / max_exact)
        / math.log(max_distance / max_exact)
        * (num_buckets - max_exact)
    ).to(torch.long)
    relative_position_if_large = torch.min(
        relative_position_if_large, torch.full_like(relative_position_if_large, num_buckets - 1))
    relative_buckets += torch.where(is_small, relative_position, relative_position_if_large)
    return relative_buckets


def t5_layer_norm(x, w, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(variance + eps))


def t5_compute_bias(table, q_len, k_len, bidirectional, num_buckets, max_distance):
    context = torch.arange(q_len, dtype=torch.long)[:, None]
    memory = torch.arange(k_len, dtype=torch.long)[None, :]
    buckets = relative_position_bucket(memory - context, bidirectional, num_buckets, max_distance)
    values = torch.nn.functional.embedding(buckets, table)  # [q, k, heads]
    return values.permute([2, 0, 1]).unsqueeze(0)


def t5_attention(w, prefix, x, kv, heads, d_kv, position_bias):
    b, t, _ = x.shape
    s = kv.shape[1]
    q = (x @ w[prefix + "q.weight"].T).view(b, t, heads, d_kv).transpose(1, 2)
    k = (kv @ w[prefix + "k.weight"].T).view(b, s, heads, d_kv).transpose(1, 2)
    v = (kv @ w[prefix + "v.weight"].T).view(b, s, heads, d_kv).transpose(1, 2)
    scores = q @ k.transpose(3, 2) + position_bias
    attn = torch.softmax(scores.float() if scores.dtype != torch.float64 else scores, dim=-1).type_as(scores)
    out = (attn @ v).transpose(1, 2).contiguous().view(b, t, heads * d_kv)
    return out @ w[prefix + "o.weight"].T


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def t5_ff(w, prefix, x, gated):
    if gated:
        h = gelu_new(x @ w[prefix + "wi_0.weight"].T) * (x @ w[prefix + "wi_1.weight"].T)
    else:
        h = torch.relu(x @ w[prefix + "wi.weight"].T)
    return h @ w[prefix + "wo.weight"].T


def extended_mask(mask_bool):
    # Hugging Face: (1 - mask) * finfo.min, added to the position bias
    return (1.0 - mask_bool.to(torch.float64)) * torch.finfo(torch.float32).min


# ---------------------------------------------------------------- LLaMA (modeling_llama.py)

def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def llama_rope_cos_sin(inv_freq, position_ids):
    freqs = position_ids[:, :, None].to(torch.float64) * inv_freq[None, None, :].to(torch.float64)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def repeat_kv(hidden, n_rep):
    b, kvh, s, d = hidden.shape
    if n_rep == 1:
        return hidden
    hidden = hidden[:, :, None, :, :].expand(b, kvh, n_rep, s, d)
    return hidden.reshape(b, kvh * n_rep, s, d)


def llama_layer(w, x, heads, kv_heads, head_dim, eps, cos, sin, mask_add):
    b, t, _ = x.shape
    def rms(h, weight):
        var = h.pow(2).mean(-1, keepdim=True)
        return weight * (h * torch.rsqrt(var + eps))
    h = rms(x, w["input_layernorm.weight"])
    q = (h @ w["self_attn.q_proj.weight"].T).view(b, t, heads, head_dim).transpose(1, 2)
    k = (h @ w["self_attn.k_proj.weight"].T).view(b, t, kv_heads, head_dim).transpose(1, 2)
    v = (h @ w["self_attn.v_proj.weight"].T).view(b, t, kv_heads, head_dim).transpose(1, 2)
    c, s = cos.unsqueeze(1), sin.unsqueeze(1)
    q = q * c + rotate_half(q) * s
    k = k * c + rotate_half(k) * s
    k = repeat_kv(k, heads // kv_heads)
    v = repeat_kv(v, heads // kv_heads)
    scores = (q @ k.transpose(2, 3)) * head_dim ** -0.5 + mask_add
    attn = torch.softmax(scores, dim=-1)
    out = (attn @ v).transpose(1, 2).reshape(b, t, heads * head_dim) @ w["self_attn.o_proj.weight"].T
    x = x + out
    h = rms(x, w["post_attention_layernorm.weight"])
    mlp = (torch.nn.functional.silu(h @ w["mlp.gate_proj.weight"].T) * (h @ w["mlp.up_proj.weight"].T)) @ w["mlp.down_proj.weight"].T
    return x + mlp


# ---------------------------------------------------------------- rope_scaling (modeling_rope_utils.py)

def inv_freq_default(base, dim):
    return 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))


def inv_freq_linear(base, dim, factor):
    return inv_freq_default(base, dim) / factor


def inv_freq_dynamic(base, dim, factor, max_pos, seq_len):
    seq_len = seq_len if seq_len > max_pos else max_pos
    base = base * ((factor * seq_len / max_pos) - (factor - 1)) ** (dim / (dim - 2))
    return inv_freq_default(base, dim)


def inv_freq_llama3(base, dim, factor, low_freq_factor, high_freq_factor, old_context_len):
    inv_freq = inv_freq_default(base, dim)
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed_inv_freq = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
    is_medium_freq = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
    return torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)


# ---------------------------------------------------------------- fixtures

def buckets_fixture():
    rel = torch.arange(-600, 601, dtype=torch.long)
    cases = []
    for bidirectional in (True, False):
        for nb, md in ((32, 128), (8, 20), (16, 50), (64, 300), (7, 9)):
            cases.append({"bidirectional": bidirectional, "num_buckets": nb, "max_distance": md,
                          "buckets": relative_position_bucket(rel, bidirectional, nb, md).tolist()})
    return {"relative_positions": rel.tolist(), "cases": cases}


def rope_fixture():
    cases = [
        {"type": "default", "theta": 10000.0, "dim": 64, "inv_freq": inv_freq_default(10000.0, 64).tolist()},
        {"type": "linear", "theta": 10000.0, "dim": 32, "factor": 4.0, "inv_freq": inv_freq_linear(10000.0, 32, 4.0).tolist()},
    ]
    for seq_len in (100, 2048, 3000):
        cases.append({"type": "dynamic", "theta": 10000.0, "dim": 64, "factor": 2.0, "max_position_embeddings": 2048,
                      "seq_len": seq_len, "inv_freq": inv_freq_dynamic(10000.0, 64, 2.0, 2048, seq_len).tolist()})
    cases.append({"type": "llama3", "theta": 500000.0, "dim": 128, "factor": 8.0, "low_freq_factor": 1.0,
                  "high_freq_factor": 4.0, "original_max_position_embeddings": 8192,
                  "inv_freq": inv_freq_llama3(500000.0, 128, 8.0, 1.0, 4.0, 8192).tolist()})
    cases.append({"type": "llama3", "theta": 10000.0, "dim": 16, "factor": 4.0, "low_freq_factor": 1.0,
                  "high_freq_factor": 2.0, "original_max_position_embeddings": 64,
                  "inv_freq": inv_freq_llama3(10000.0, 16, 4.0, 1.0, 2.0, 64).tolist()})
    return {"cases": cases}


def blocks_fixture(g):
    tensors, meta = {}, {}

    def param(name, *shape, scale=0.3):
        t = (torch.randn(*shape, generator=g, dtype=torch.float64) * scale).requires_grad_(True)
        tensors[name] = t
        return t

    # LLaMA decoder layer: dim 12, 4 heads, 2 kv heads, head dim 3 (+ no biases), hidden 10, batch 2, length 5
    dim, heads, kvh, hd, hidden, b, t = 12, 4, 2, 4, 10, 2, 5
    lw = {}
    for n, shape in (("input_layernorm.weight", (dim,)), ("post_attention_layernorm.weight", (dim,)),
                     ("self_attn.q_proj.weight", (heads * hd, dim)), ("self_attn.k_proj.weight", (kvh * hd, dim)),
                     ("self_attn.v_proj.weight", (kvh * hd, dim)), ("self_attn.o_proj.weight", (dim, heads * hd)),
                     ("mlp.gate_proj.weight", (hidden, dim)), ("mlp.up_proj.weight", (hidden, dim)),
                     ("mlp.down_proj.weight", (dim, hidden))):
        lw[n] = param("llama." + n, *shape, scale=1.0 if "layernorm" in n else 0.3)
    x = param("llama.input", b, t, dim, scale=1.0)
    mask = torch.tensor([[1, 1, 1, 1, 1], [0, 0, 1, 1, 1]], dtype=torch.bool)  # left padding in row 1
    pos = (mask.long().cumsum(-1) - 1).clamp(min=0)
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    allowed = causal[None, None] & mask[:, None, None, :]
    mask_add = (~allowed).to(torch.float64) * torch.finfo(torch.float32).min
    cos, sin = llama_rope_cos_sin(inv_freq_default(10000.0, hd).double(), pos)
    y = llama_layer(lw, x, heads, kvh, hd, 1e-5, cos, sin, mask_add)
    r = torch.randn(y.shape, generator=g, dtype=torch.float64)
    # padding query rows attend to nothing real: Hugging Face leaves them garbage, so they are left out of the loss
    (y * r * mask[:, :, None]).sum().backward()
    out = {"llama.output": y.detach(), "llama.r": r, "llama.mask": mask.long(), "llama.positions": pos}
    meta["llama"] = {"dim": dim, "heads": heads, "kv_heads": kvh, "head_dim": hd, "hidden": hidden, "eps": 1e-5,
                     "theta": 10000.0}

    # T5 encoder block (first block: owns the bidirectional bias), gated-GELU, right padding
    d_model, t5h, dkv, dff, nb, md, te = 8, 2, 3, 7, 8, 20, 6
    ew = {}
    for n, shape in (("layer.0.SelfAttention.q.weight", (t5h * dkv, d_model)), ("layer.0.SelfAttention.k.weight", (t5h * dkv, d_model)),
                     ("layer.0.SelfAttention.v.weight", (t5h * dkv, d_model)), ("layer.0.SelfAttention.o.weight", (d_model, t5h * dkv)),
                     ("layer.0.SelfAttention.relative_attention_bias.weight", (nb, t5h)), ("layer.0.layer_norm.weight", (d_model,)),
                     ("layer.1.DenseReluDense.wi_0.weight", (dff, d_model)), ("layer.1.DenseReluDense.wi_1.weight", (dff, d_model)),
                     ("layer.1.DenseReluDense.wo.weight", (d_model, dff)), ("layer.1.layer_norm.weight", (d_model,))):
        ew[n] = param("t5enc." + n, *shape, scale=1.0 if "norm" in n or "relative" in n else 0.4)
    ex = param("t5enc.input", b, te, d_model, scale=1.0)
    emask = torch.tensor([[1] * te, [1] * (te - 2) + [0, 0]], dtype=torch.bool)
    bias = t5_compute_bias(ew["layer.0.SelfAttention.relative_attention_bias.weight"], te, te, True, nb, md)
    bias = bias + extended_mask(emask[:, None, None, :])
    normed = t5_layer_norm(ex, ew["layer.0.layer_norm.weight"], 1e-6)
    h = ex + t5_attention(ew, "layer.0.SelfAttention.", normed, normed, t5h, dkv, bias)
    ey = h + t5_ff(ew, "layer.1.DenseReluDense.", t5_layer_norm(h, ew["layer.1.layer_norm.weight"], 1e-6), True)
    er = torch.randn(ey.shape, generator=g, dtype=torch.float64)
    (ey * er).sum().backward()
    out.update({"t5enc.output": ey.detach(), "t5enc.r": er, "t5enc.mask": emask.long()})
    meta["t5enc"] = {"d_model": d_model, "heads": t5h, "d_kv": dkv, "d_ff": dff, "num_buckets": nb, "max_distance": md,
                     "eps": 1e-6}

    # T5 decoder block (first block: causal bias), cross-attention over the padded encoder output, ReLU
    td = 4
    dw = {}
    for n, shape in (("layer.0.SelfAttention.q.weight", (t5h * dkv, d_model)), ("layer.0.SelfAttention.k.weight", (t5h * dkv, d_model)),
                     ("layer.0.SelfAttention.v.weight", (t5h * dkv, d_model)), ("layer.0.SelfAttention.o.weight", (d_model, t5h * dkv)),
                     ("layer.0.SelfAttention.relative_attention_bias.weight", (nb, t5h)), ("layer.0.layer_norm.weight", (d_model,)),
                     ("layer.1.EncDecAttention.q.weight", (t5h * dkv, d_model)), ("layer.1.EncDecAttention.k.weight", (t5h * dkv, d_model)),
                     ("layer.1.EncDecAttention.v.weight", (t5h * dkv, d_model)), ("layer.1.EncDecAttention.o.weight", (d_model, t5h * dkv)),
                     ("layer.1.layer_norm.weight", (d_model,)),
                     ("layer.2.DenseReluDense.wi.weight", (dff, d_model)), ("layer.2.DenseReluDense.wo.weight", (d_model, dff)),
                     ("layer.2.layer_norm.weight", (d_model,))):
        dw[n] = param("t5dec." + n, *shape, scale=1.0 if "norm" in n or "relative" in n else 0.4)
    dx = param("t5dec.input", b, td, d_model, scale=1.0)
    memory = param("t5dec.memory", b, te, d_model, scale=1.0)
    sbias = t5_compute_bias(dw["layer.0.SelfAttention.relative_attention_bias.weight"], td, td, False, nb, md)
    sbias = sbias + extended_mask(torch.tril(torch.ones(td, td, dtype=torch.bool))[None, None])
    normed = t5_layer_norm(dx, dw["layer.0.layer_norm.weight"], 1e-6)
    h = dx + t5_attention(dw, "layer.0.SelfAttention.", normed, normed, t5h, dkv, sbias)
    cbias = extended_mask(emask[:, None, None, :])
    h = h + t5_attention(dw, "layer.1.EncDecAttention.", t5_layer_norm(h, dw["layer.1.layer_norm.weight"], 1e-6),
                         memory, t5h, dkv, cbias)
    dy = h + t5_ff(dw, "layer.2.DenseReluDense.", t5_layer_norm(h, dw["layer.2.layer_norm.weight"], 1e-6), False)
    dr = torch.randn(dy.shape, generator=g, dtype=torch.float64)
    (dy * dr).sum().backward()
    out.update({"t5dec.output": dy.detach(), "t5dec.r": dr})

    for name, p in tensors.items():
        out[name] = p.detach()
        out[name + ".grad"] = p.grad.detach()
    return out, meta


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "t5_relative_buckets.json"), "w") as f:
        json.dump(buckets_fixture(), f, separators=(",", ":"))
    with open(os.path.join(OUT, "rope_inv_freq.json"), "w") as f:
        json.dump(rope_fixture(), f, indent=1)
    g = torch.Generator().manual_seed(20240601)
    tensors, meta = blocks_fixture(g)
    safetensors_io.write(os.path.join(OUT, "blocks.safetensors"), tensors, {"generator": "scripts/make_transformer_fixtures.py",
                                                                           "torch": torch.__version__})
    with open(os.path.join(OUT, "blocks.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print("wrote fixtures to", OUT)


if __name__ == "__main__":
    main()
