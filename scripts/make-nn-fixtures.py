#!/usr/bin/python3
"""PyTorch reference fixtures for crs4j's nn module (TorchParityTest).

Run with Debian's CPU PyTorch (python3-torch 1.13.1), from the repository root:

    /usr/bin/python3 scripts/make-nn-fixtures.py

It writes small safetensors files under nn/src/test/resources/fixtures/: the inputs (F32 values), the outputs and
the gradients of composite functions, computed by torch in float64 from those F32 inputs, so that the Java F32
results are compared against an independent, more precise reference. Hyper-parameters go into each file's
__metadata__. The files are committed; tests never run Python.

Every function is written the plain torch way (nn.functional, index_add_, torch.optim, LambdaLR), independently of
how crs4j computes it: e.g. the RGCN layer here transforms every edge's message, where crs4j sums per
(relation, destination) before transforming.
"""
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nn", "src", "test", "resources", "fixtures")
torch.manual_seed(20261121)

DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}


def save(name, tensors, meta=None):
    """A minimal safetensors writer (the format: 8-byte header length, JSON header, raw little-endian data)."""
    header, blobs, offset = {}, [], 0
    for key in sorted(tensors):
        t = tensors[key].detach().contiguous().cpu()
        data = t.numpy().tobytes()
        header[key] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if meta:
        header["__metadata__"] = {k: str(v) for k, v in meta.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    path = os.path.join(OUT, name + ".safetensors")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    print(f"{path}: {len(tensors)} tensors, {os.path.getsize(path)} bytes")


def f32(*shape, scale=1.0):
    """Random inputs that are exactly representable in F32, returned as float64 leaves."""
    return (torch.randn(*shape) * scale).float().double().requires_grad_(True)


def grads_of(y, inputs):
    """Backpropagates sum(y * r) for a fixed random r; returns r and the gradients."""
    r = torch.randn(y.shape, dtype=torch.float64).float().double()
    gs = torch.autograd.grad((y * r).sum(), inputs)
    return r, gs


def attention():
    B, T, D, H = 2, 5, 8, 2
    x = f32(B, T, D)
    wq, wk, wv, wo = (f32(D, D, scale=0.4) for _ in range(4))
    bq, bk, bv, bo = (f32(D, scale=0.1) for _ in range(4))
    lengths = torch.tensor([5, 3])
    keep = torch.arange(T)[None, :] < lengths[:, None]                      # [B, T] padding mask, True = real token
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))                 # [T, T]
    mask = keep[:, None, None, :] & causal[None, None, :, :]                 # [B, 1, T, T]

    def heads(t):
        return t.view(B, T, H, D // H).transpose(1, 2)                       # [B, H, T, d]

    q, k, v = heads(F.linear(x, wq, bq)), heads(F.linear(x, wk, bk)), heads(F.linear(x, wv, bv))
    scores = q @ k.transpose(-1, -2) / math.sqrt(D // H)
    probs = scores.masked_fill(~mask, float("-inf")).softmax(-1)
    y = F.linear((probs @ v).transpose(1, 2).reshape(B, T, D), wo, bo)
    inputs = [x, wq, bq, wk, bk, wv, bv, wo, bo]
    r, gs = grads_of(y, inputs)
    names = ["x", "wq", "bq", "wk", "bk", "wv", "bv", "wo", "bo"]
    t = {n: v.detach().float() for n, v in zip(names, inputs)}
    t.update({"lengths": lengths, "y": y, "r": r.float()})
    t.update({"grad_" + n: g for n, g in zip(names, gs)})
    save("attention", t, {"heads": H})


def norms():
    x = f32(3, 4, 16, scale=2.0) + 0.5
    w, b = f32(16), f32(16)
    y = F.layer_norm(x, (16,), w, b, 1e-5)
    r, (gx, gw, gb) = grads_of(y, [x, w, b])
    save("layer_norm", {"x": x.detach().float(), "weight": w.detach().float(), "bias": b.detach().float(), "y": y,
                        "r": r.float(), "grad_x": gx, "grad_weight": gw, "grad_bias": gb}, {"eps": 1e-5})

    x = f32(3, 4, 16, scale=2.0)
    w = f32(16)
    eps = 1e-6
    y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w  # T5LayerNorm / LlamaRMSNorm
    r, (gx, gw) = grads_of(y, [x, w])
    save("rms_norm", {"x": x.detach().float(), "weight": w.detach().float(), "y": y, "r": r.float(),
                      "grad_x": gx, "grad_weight": gw}, {"eps": eps})


def cross_entropy():
    t = {}
    logits = f32(6, 7, scale=2.0)
    target = torch.tensor([3, -100, 0, 6, 6, -100])
    cases = {"mean": dict(reduction="mean"), "smooth": dict(reduction="mean", label_smoothing=0.1),
             "sum_smooth": dict(reduction="sum", label_smoothing=0.25)}
    for name, kw in cases.items():
        loss = F.cross_entropy(logits, target, ignore_index=-100, **kw)
        (g,) = torch.autograd.grad(loss, [logits])
        t["loss_" + name], t["grad_" + name] = loss, g
    # [batch, time, classes] logits, classes last as in crs4j (torch wants them at dim 1)
    seq = f32(2, 3, 5, scale=2.0)
    seq_target = torch.tensor([[1, 4, -100], [0, -100, 2]])
    loss = F.cross_entropy(seq.permute(0, 2, 1), seq_target, ignore_index=-100, label_smoothing=0.1)
    (g,) = torch.autograd.grad(loss, [seq])
    t.update({"logits": logits.detach().float(), "target": target, "seq_logits": seq.detach().float(),
              "seq_target": seq_target, "loss_seq": loss, "grad_seq": g})
    save("cross_entropy", t, {"ignore_index": -100})


def kl_and_cosine():
    a, b = f32(4, 6), f32(4, 6)
    loss = F.kl_div(F.log_softmax(a, -1), F.softmax(b, -1), reduction="batchmean")
    ga, gb = torch.autograd.grad(loss, [a, b])
    loss_lt = F.kl_div(F.log_softmax(a, -1), F.log_softmax(b, -1), reduction="sum", log_target=True)
    ga_lt, gb_lt = torch.autograd.grad(loss_lt, [a, b])
    save("kl_div", {"a": a.detach().float(), "b": b.detach().float(), "loss": loss, "grad_a": ga, "grad_b": gb,
                    "loss_log_target": loss_lt, "grad_a_log_target": ga_lt, "grad_b_log_target": gb_lt})

    x1, x2 = f32(5, 9), f32(5, 9)
    y = F.cosine_similarity(x1, x2, dim=1, eps=1e-8)
    r, (g1, g2) = grads_of(y, [x1, x2])
    save("cosine_similarity", {"x1": x1.detach().float(), "x2": x2.detach().float(), "y": y, "r": r.float(),
                               "grad_x1": g1, "grad_x2": g2}, {"eps": 1e-8})


def rgcn():
    N, R, E, IN, OUT = 12, 3, 40, 6, 5
    src, dst, rel = torch.randint(0, N, (E,)), torch.randint(0, N, (E,)), torch.randint(0, R, (E,))
    for bases, norm in ((2, "in_degree"), (0, "none")):
        x = f32(N, IN)
        weight = f32(bases if bases else R, IN, OUT, scale=0.5)
        comp = f32(R, bases) if bases else None
        root, bias = f32(IN, OUT, scale=0.5), f32(OUT, scale=0.1)
        w = (comp @ weight.view(bases, -1)).view(R, IN, OUT) if bases else weight
        # per edge: message x[src] W_rel / Z, added into dst with index_add_
        messages = torch.bmm(x[src].unsqueeze(1), w[rel]).squeeze(1)            # [E, OUT]
        if norm == "in_degree":
            deg = torch.zeros(R, N, dtype=torch.float64).index_put_((rel, dst), torch.ones(E, dtype=torch.float64), accumulate=True)
            messages = messages / deg[rel, dst].unsqueeze(1)
        y = (x @ root).index_add(0, dst, messages) + bias
        inputs = [x, weight, root, bias] + ([comp] if bases else [])
        r, gs = grads_of(y, inputs)
        names = ["x", "weight", "root", "bias"] + (["comp"] if bases else [])
        t = {n: v.detach().float() for n, v in zip(names, inputs)}
        t.update({"src": src, "dst": dst, "rel": rel, "y": y, "r": r.float()})
        t.update({"grad_" + n: g for n, g in zip(names, gs)})
        save(f"rgcn_{'bases' if bases else 'full'}", t, {"nodes": N, "relations": R, "bases": bases,
                                                          "normalization": norm})


def optimizers():
    """A few steps of each optimizer on loss = sum(c * (x @ w + b)^2), with clipping and an LR schedule."""
    x, c = f32(8, 4).detach(), f32(8, 3).detach().abs()
    w0, b0 = f32(4, 3).detach(), f32(3).detach()
    steps, max_norm = 6, 2.0

    def hf_linear(warmup, total):
        return lambda s: s / max(1, warmup) if s < warmup else max(0.0, (total - s) / max(1, total - warmup))

    def hf_cosine(warmup, total):
        def f(s):
            if s < warmup:
                return s / max(1, warmup)
            p = (s - warmup) / max(1, total - warmup)
            return max(0.0, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * p)))
        return f

    def hf_poly(warmup, total, lr_init, lr_end, power):
        def f(s):
            if s < warmup:
                return s / max(1, warmup)
            if s > total:
                return lr_end / lr_init
            rem = 1 - (s - warmup) / (total - warmup)
            return ((lr_init - lr_end) * rem ** power + lr_end) / lr_init
        return f

    configs = {
        "adamw": (lambda p: torch.optim.AdamW(p, lr=0.1, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.05), hf_linear(2, 8)),
        "adam": (lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.01), hf_poly(2, 5, 0.05, 1e-4, 2.0)),
        "sgd": (lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9, nesterov=True, weight_decay=0.01), hf_cosine(1, 6)),
    }
    t = {"x": x.float(), "c": c.float(), "w0": w0.float(), "b0": b0.float()}
    for name, (make, schedule) in configs.items():
        w, b = w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
        opt = make([w, b])
        sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
        norms, lrs = [], []
        for s in range(steps):
            opt.zero_grad()
            loss = (c * (x @ w + b) ** 2).sum()
            loss.backward()
            norms.append(float(torch.nn.utils.clip_grad_norm_([w, b], max_norm)))
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
            t[f"{name}_w_{s}"], t[f"{name}_b_{s}"] = w.detach().clone(), b.detach().clone()
        t[f"{name}_norms"] = torch.tensor(norms, dtype=torch.float64)
        t[f"{name}_lrs"] = torch.tensor(lrs, dtype=torch.float64)
    save("optimizers", t, {"steps": steps, "max_norm": max_norm})


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    os.makedirs(OUT, exist_ok=True)
    attention()
    norms()
    cross_entropy()
    kl_and_cosine()
    rgcn()
    optimizers()
