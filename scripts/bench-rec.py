#!/usr/bin/python3
"""Seed 003's recommender (the `full` variant) in Debian's CPU PyTorch (python3-torch 1.13.1): the peer of crs4j's
RecTrainEpoch in scripts/bench-rec.sh. Same data (the file RecTrainEpoch writes from the prepared dataset), same
model, loss and update, same thread count:

  H = relu(RGCN(E)): E a trainable [N, 128] embedding; one RGCN layer 128 -> 128 with a weight per relation, a
      self-loop weight and a bias, Z = 1 (Eq. 2); computed by summing each (relation, destination) segment of the
      gathered source rows, one matmul per relation, index_add into the destinations on top of E @ W_0 (the same
      algorithm as crs4j); the gather-and-sum both as index_select + index_add_ and as torch.sparse.mm, the faster
      counting;
  u = time-aware pooling of the context rows (lambda = 1.5, last 100 entities, Eq. 3); u-bar = u - w_last h_last
      (Eq. 5, the zero mask); logits over the item rows (Eq. 4, 6);
  loss = CE + 2 (cos(p-bar, y) - cos(p, y)) + 0.5 KL(p-bar || p) (Eq. 7-8), Adam lr 5e-3;
  one update per 128 shuffled samples with H computed once for all of them (what crs4j does; equal to accumulating
  4 micro-batches of 32).
Evaluation: H once under no_grad, then the test contexts in batches of 256, scores over the items, top 50.

    /usr/bin/python3 scripts/bench-rec.py PEER.safetensors [--threads 2] [--epochs 2]
"""
import argparse
import json
import resource
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F

DIM, PER_UPDATE, LAMBDA, MAX_CONTEXT, ALPHA, BETA, TOP = 128, 128, 1.5, 100, 2.0, 0.5, 50


def read(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    types = {"I32": np.int32, "I64": np.int64, "F32": np.float32}
    return {k: torch.from_numpy(np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], dtype=types[v["dtype"]])
                                .reshape(v["shape"]).copy()).long() for k, v in header.items()}, meta


def pooling_inputs(contexts):
    """Right-padded ids of the last MAX_CONTEXT entities, Eq. 3's weights, the last id and its weight."""
    lengths = (contexts >= 0).sum(1).clamp(max=MAX_CONTEXT)
    width = max(1, int(lengths.max()))
    ids = torch.zeros(len(contexts), width, dtype=torch.long)
    w = torch.zeros(len(contexts), width, dtype=torch.float64)
    full = (contexts >= 0).sum(1)
    for i in range(len(contexts)):
        n, total = int(lengths[i]), int(full[i])
        if n == 0:
            continue
        ids[i, :n] = contexts[i, total - n:total]
        p = torch.tensor([LAMBDA ** j for j in range(n)], dtype=torch.float64)
        w[i, :n] = p / p.sum()
    last = torch.clamp(lengths - 1, min=0)
    return ids, w.float().unsqueeze(2), ids.gather(1, last.unsqueeze(1)).squeeze(1), w.float().gather(1, last.unsqueeze(1))


class Model(torch.nn.Module):
    def __init__(self, nodes, relations):
        super().__init__()
        g = torch.nn.init.xavier_uniform_
        self.entities = torch.nn.Parameter(g(torch.empty(nodes, DIM)))
        self.weight = torch.nn.Parameter(g(torch.empty(relations, DIM, DIM)))
        self.root = torch.nn.Parameter(g(torch.empty(DIM, DIM)))
        self.bias = torch.nn.Parameter(torch.zeros(DIM))

    def forward(self, aggregate, seg_dst, sizes):
        x = self.entities
        summed = aggregate(x)
        transformed = torch.cat([part @ w for part, w in zip(summed.split(sizes), self.weight.unbind(0))])
        return torch.relu((x @ self.root).index_add(0, seg_dst, transformed) + self.bias)


def graph_parts(t, nodes, relations, variant):
    src, dst, rel = t["src"], t["dst"], t["rel"]
    key = rel * nodes + dst
    order = torch.argsort(key, stable=True)
    key, src = key[order], src[order]
    uniq, seg = torch.unique_consecutive(key, return_inverse=True)
    seg_rel, seg_dst = uniq // nodes, uniq % nodes
    offsets = torch.searchsorted(seg_rel, torch.arange(relations + 1)).tolist()
    sizes = [offsets[r + 1] - offsets[r] for r in range(relations)]
    S = len(seg_dst)
    if variant == "index":
        def aggregate(x):
            return torch.zeros(S, DIM).index_add_(0, seg, x.index_select(0, src))
    else:
        matrix = torch.sparse_coo_tensor(torch.stack([seg, src]), torch.ones(len(src)), (S, nodes)).coalesce()

        def aggregate(x):
            return torch.sparse.mm(matrix, x)
    return aggregate, seg_dst, sizes


def run(t, meta, variant, epochs):
    torch.manual_seed(0)
    nodes, relations = int(meta["nodes"]), int(meta["relations"])
    aggregate, seg_dst, sizes = graph_parts(t, nodes, relations, variant)
    items = t["items"]
    model = Model(nodes, relations)
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    ctx, targets = t["train_contexts"], t["train_targets"]
    n = len(targets)
    times = []
    for epoch in range(epochs):
        perm = torch.randperm(n)
        t0 = time.perf_counter()
        for start in range(0, n, PER_UPDATE):
            idx = perm[start:start + PER_UPDATE]
            ids, w, last, w_last = pooling_inputs(ctx[idx])
            y = targets[idx]
            h = model(aggregate, seg_dst, sizes)
            item_rows = h[items]
            u = (h[ids] * w).sum(1)
            u_bar = u - w_last * h[last]
            logits, logits_bar = u @ item_rows.t(), u_bar @ item_rows.t()
            log_p, log_p_bar = torch.log_softmax(logits, 1), torch.log_softmax(logits_bar, 1)
            one_hot = F.one_hot(y, len(items)).float()
            ce = F.nll_loss(log_p, y)
            causal = F.cosine_similarity(log_p_bar.exp(), one_hot).mean() - F.cosine_similarity(log_p.exp(), one_hot).mean()
            kl = F.kl_div(log_p, log_p_bar, reduction="batchmean", log_target=True)
            loss = ce + ALPHA * causal + BETA * kl
            loss.backward()
            opt.step()
            opt.zero_grad()
        times.append(time.perf_counter() - t0)
        print(f"pytorch_{variant}_epoch_seconds {epoch + 1} {times[-1]:.2f}", flush=True)
    evals = []
    test_ctx = t["test_contexts"]
    for _ in range(3):
        t0 = time.perf_counter()
        with torch.no_grad():
            h = model(aggregate, seg_dst, sizes)
            item_rows = h[items]
            for start in range(0, len(test_ctx), 256):
                ids, w, _, _ = pooling_inputs(test_ctx[start:start + 256])
                torch.topk((h[ids] * w).sum(1) @ item_rows.t(), TOP, dim=1)
        evals.append(time.perf_counter() - t0)
    print(f"pytorch_{variant}_eval_seconds {min(evals):.3f} ({len(test_ctx)} test samples, top {TOP})")
    return times, min(evals)


def blas_library():
    torch.ones(64, 64) @ torch.ones(64, 64)
    with open("/proc/self/maps") as f:
        libs = sorted({line.split()[-1] for line in f if "blas" in line.lower() and ".so" in line})
    return ", ".join(libs) or "(none found)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("peer")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--variants", default="sparse,index", help="gather-and-sum forms to time (the faster counts)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t, meta = read(args.peer)
    print(f"pytorch {torch.__version__}, {torch.get_num_threads()} threads, BLAS: {blas_library()}")
    print(f"data: {meta['dataset']}, {meta['nodes']} entities, {meta['relations']} relations, {len(t['src'])} edges, "
          f"{len(t['items'])} items, {len(t['train_targets'])} training samples, {len(t['test_targets'])} test samples")
    best_epoch, best_eval = None, None
    for variant in args.variants.split(","):
        times, ev = run(t, meta, variant, args.epochs)
        steady = min(times[1:]) if len(times) > 1 else times[0]
        best_epoch = steady if best_epoch is None else min(best_epoch, steady)
        best_eval = ev if best_eval is None else min(best_eval, ev)
    print(f"pytorch_best_epoch_seconds {best_epoch:.2f}")
    print(f"pytorch_best_eval_seconds {best_eval:.3f}")
    print(f"pytorch_peak_rss_mib {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


if __name__ == "__main__":
    main()
