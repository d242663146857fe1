#!/usr/bin/python3
"""PyTorch and SciPy reference fixtures for crs4j's recommender (crs module: RecLossTest, PairedTTestTest).

Run with Debian's python3-torch 1.13.1 and python3-scipy 1.10, from the repository root:

    /usr/bin/python3 scripts/make-rec-fixtures.py

Writes crs/src/test/resources/fixtures/:
  rec_loss_{full,learned,kbrd}.safetensors  seed 003's whole training loss (Eq. 2-8) on a small random graph: F32
      inputs (entity embeddings, RGCN weights, pooling parameters, contexts, targets), and in float64 the loss terms
      and the gradient of the total with respect to every parameter. Written the plain torch way, independently of
      crs4j: the RGCN transforms each edge's message and index_add_s it (crs4j sums per (relation, destination)
      first), the pooling loops over contexts in Python, the losses are torch.nn.functional's.
  ttest.json  pairs of samples with SciPy's two-sided paired t-test (scipy.stats.ttest_rel): t and p.
The files are committed; tests never run Python.
"""
import json
import math
import os
import struct

import numpy as np
import scipy.stats
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crs", "src", "test", "resources", "fixtures")
torch.manual_seed(20261206)
DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}


def save(name, tensors, meta):
    header, blobs, offset = {}, [], 0
    for key in sorted(tensors):
        t = tensors[key].detach().contiguous().cpu()
        data = t.numpy().tobytes()
        header[key] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
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
    """Random values exactly representable in F32, as float64 leaves."""
    return (torch.randn(*shape) * scale).float().double().requires_grad_(True)


def rec_loss(name, bases, relu, pooling, causal, learned, output_bias=False):
    N, R, D, E = 14, 3, 6, 40
    LAMBDA, MAX_CONTEXT, ALPHA, BETA = 1.5, 3, 2.0, 0.5
    src, dst, rel = torch.randint(0, N, (E,)), torch.randint(0, N, (E,)), torch.randint(0, R, (E,))
    items = torch.tensor([1, 3, 4, 7, 8, 10, 13])
    contexts = [[2, 5], [0], [9, 1, 6, 11], [], [12, 3, 5]]    # an empty one and one longer than MAX_CONTEXT
    targets = torch.tensor([0, 2, 5, 1, 6])                     # positions in items
    emb = f32(N, D, scale=0.7)
    weight = f32(bases if bases else R, D, D, scale=0.5)
    comp = f32(R, bases) if bases else None
    root, bias = f32(D, D, scale=0.5), f32(D, scale=0.1)
    att_a, att_b = (f32(D, D, scale=0.5), f32(D, 1, scale=0.5)) if pooling == "self-attention" else (None, None)
    mask = f32(D) if learned else None
    out_bias = f32(N, scale=0.5) if output_bias else None          # KBRD's output.bias, one per entity

    w = (comp @ weight.view(bases, -1)).view(R, D, D) if bases else weight
    messages = torch.bmm(emb[src].unsqueeze(1), w[rel]).squeeze(1)
    h = (emb @ root).index_add(0, dst, messages) + bias
    if relu:
        h = torch.relu(h)
    users, bars = [], []
    for c in contexts:
        kept = c[-MAX_CONTEXT:]
        if not kept:
            users.append(torch.zeros(D, dtype=torch.float64))
            bars.append(torch.zeros(D, dtype=torch.float64))
            continue
        rows = h[torch.tensor(kept)]
        if pooling == "time-aware":
            wts = torch.tensor([LAMBDA ** i for i in range(len(kept))], dtype=torch.float64)
            wts = wts / wts.sum()
        else:
            wts = torch.softmax((torch.tanh(rows @ att_a) @ att_b).squeeze(1), 0)
        u = (wts.unsqueeze(1) * rows).sum(0)
        users.append(u)
        last = wts[-1] * rows[-1]
        bars.append(u - last if mask is None else u - last * (1 - torch.sigmoid(mask)))
    u, ubar = torch.stack(users), torch.stack(bars)
    item_rows = h[items]
    logits, logits_bar = u @ item_rows.t(), ubar @ item_rows.t()
    if out_bias is not None:
        logits, logits_bar = logits + out_bias[items], logits_bar + out_bias[items]
    ce = F.cross_entropy(logits, targets)
    params = [("entity_embedding", emb), ("rgcn.weight", weight), ("rgcn.root", root), ("rgcn.bias", bias)]
    if bases:
        params.append(("rgcn.comp", comp))
    if att_a is not None:
        params += [("attention_a", att_a), ("attention_b", att_b)]
    if mask is not None:
        params.append(("intervention_mask", mask))
    if out_bias is not None:
        params.append(("output_bias", out_bias))
    t = {}
    if causal:
        one_hot = F.one_hot(targets, len(items)).double()
        p, pbar = torch.softmax(logits, 1), torch.softmax(logits_bar, 1)
        causal_term = F.cosine_similarity(pbar, one_hot, dim=1).mean() - F.cosine_similarity(p, one_hot, dim=1).mean()
        kl = F.kl_div(torch.log_softmax(logits, 1), torch.log_softmax(logits_bar, 1), reduction="batchmean", log_target=True)
        total = ce + ALPHA * causal_term + BETA * kl
        t.update({"loss.causal": causal_term.detach().reshape(1), "loss.kl": kl.detach().reshape(1)})
    else:
        total = ce
    grads = torch.autograd.grad(total, [p for _, p in params])
    t.update({"param." + n: p.detach().float() for n, p in params})
    t.update({"grad." + n: g for (n, _), g in zip(params, grads)})
    width = max(len(c) for c in contexts)
    t.update({"src": src, "dst": dst, "rel": rel, "items": items, "targets": targets,
              "contexts": torch.tensor([c + [-1] * (width - len(c)) for c in contexts]),
              "logits": logits.detach(), "logits_bar": logits_bar.detach(),
              "loss.ce": ce.detach().reshape(1), "loss.total": total.detach().reshape(1)})
    save("rec_loss_" + name, t, {"nodes": N, "relations": R, "dim": D, "bases": bases, "relu": relu, "pooling": pooling,
                                 "outputBias": output_bias,
                                 "causal": causal, "intervention": "learned" if learned else "zero", "lambda": LAMBDA,
                                 "maxContext": MAX_CONTEXT, "alpha": ALPHA, "beta": BETA})


def ttest():
    rng = np.random.default_rng(9)
    cases = []
    a = (rng.random(300) < 0.30).astype(float)
    b = np.where(rng.random(300) < 0.8, a, (rng.random(300) < 0.25).astype(float))
    cases.append(("recall-like 0/1, n=300", a, b))
    cases.append(("normal, n=25", rng.normal(0.2, 1, 25), rng.normal(0, 1, 25)))
    cases.append(("small n=4", np.array([0.1, 0.5, 0.3, 0.9]), np.array([0.2, 0.1, 0.4, 0.3])))
    x = rng.random(50)
    cases.append(("tiny shift, n=50", x + rng.normal(0.001, 0.01, 50), x))
    out = []
    for name, a, b in cases:
        r = scipy.stats.ttest_rel(a, b)
        out.append({"name": name, "a": a.tolist(), "b": b.tolist(), "t": float(r.statistic), "p": float(r.pvalue)})
    path = os.path.join(OUT, "ttest.json")
    with open(path, "w") as f:
        json.dump({"scipy": scipy.__version__, "cases": out}, f, indent=1)
    print(f"{path}: {len(out)} cases")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    rec_loss("full", bases=0, relu=True, pooling="time-aware", causal=True, learned=False)
    rec_loss("learned", bases=0, relu=True, pooling="time-aware", causal=True, learned=True)
    rec_loss("kbrd", bases=2, relu=False, pooling="self-attention", causal=False, learned=False, output_bias=True)
    ttest()
