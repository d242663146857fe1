#!/usr/bin/python3
"""The RGCN training step of crs4j's RgcnTrainStepBenchmark, in Debian's CPU PyTorch (python3-torch 1.13.1).

    /usr/bin/python3 scripts/bench-rgcn.py GRAPH.safetensors [--threads 2] [--steps 20]

Same graph (read from the file crs4j's benchmark uses), same model, same algorithm, same loss and optimizer:
  H = RGCN(E): E a trainable [N, 128] embedding; one RGCN layer 128 -> 128, a weight per relation, self-loop
      weight and bias, Z = 1; computed as gather -> sum per (relation, destination) segment -> one matmul per
      relation -> index_add into the destinations, on top of E @ W_0;
  loss: 32 users = mean of H over 8 context entities, scored against all entities, cross-entropy;
  backward, AdamW(lr 1e-3, weight decay 0.01), zero_grad.
The gather-and-sum runs two ways, both timed: "index" (index_select + index_add_, the textbook form) and "sparse"
(torch.sparse.mm with a COO aggregation matrix, the same idea as crs4j's CSR spmm). The faster is PyTorch's figure.
For each, prints the mean and median step time in ms over --steps steps after 5 warm-up steps; also the BLAS library
torch loaded (Debian's torch links libblas.so.3, which is the slow reference BLAS unless OpenBLAS provides it) and
the peak resident memory (ru_maxrss).
"""
import argparse
import resource
import time

import numpy as np
import torch
import torch.nn.functional as F

from torch_peer import blas_library, read_graph, segments

DIM, BATCH, CONTEXT = 128, 32, 8


class Encoder(torch.nn.Module):
    def __init__(self, nodes, relations):
        super().__init__()
        self.entities = torch.nn.Embedding(nodes, DIM)
        g = torch.nn.init.xavier_uniform_
        self.weight = torch.nn.Parameter(g(torch.empty(relations, DIM, DIM)))
        self.root = torch.nn.Parameter(g(torch.empty(DIM, DIM)))
        self.bias = torch.nn.Parameter(torch.zeros(DIM))

    def forward(self, aggregate, seg_dst, offsets):
        x = self.entities.weight
        summed = aggregate(x)                                                        # [S, 128]
        # split/unbind rather than slicing: their backward is one cat/stack, where 24 slices would each
        # backpropagate a full-size zero tensor
        sizes = [offsets[r + 1] - offsets[r] for r in range(len(offsets) - 1)]
        transformed = torch.cat([part @ w for part, w in
                                 zip(summed.split(sizes), self.weight.unbind(0))])  # [S, 128]
        return (x @ self.root).index_add(0, seg_dst, transformed) + self.bias       # [N, 128]


def run(variant, graph, steps):
    torch.manual_seed(0)
    t, meta = graph
    nodes, relations = int(meta["nodes"]), int(meta["relations"])
    src, seg, seg_dst, offsets = segments(t["src"], t["dst"], t["rel"], nodes, relations)
    S = len(seg_dst)
    if variant == "index":
        def aggregate(x):
            return torch.zeros(S, DIM).index_add_(0, seg, x.index_select(0, src))
    else:
        matrix = torch.sparse_coo_tensor(torch.stack([seg, src]), torch.ones(len(src)), (S, nodes)).coalesce()

        def aggregate(x):
            return torch.sparse.mm(matrix, x)
    model = Encoder(nodes, relations)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    context = torch.randint(0, nodes, (BATCH, CONTEXT))
    targets = torch.randint(0, nodes, (BATCH,))

    def step():
        h = model(aggregate, seg_dst, offsets)
        users = F.embedding(context, h).mean(1)
        loss = F.cross_entropy(users @ h.t(), targets)
        loss.backward()
        opt.step()
        opt.zero_grad()
        return loss.item()

    for _ in range(5):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    print(f"pytorch_{variant}_mean_ms {np.mean(times):.1f}")
    print(f"pytorch_{variant}_median_ms {np.median(times):.1f}")
    print(f"pytorch_{variant}_min_ms {np.min(times):.1f}")
    return float(np.mean(times)), float(np.min(times)), len(src), S


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("graph")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=20)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    graph = read_graph(args.graph)
    meta = graph[1]
    print(f"pytorch {torch.__version__}, {torch.get_num_threads()} threads, BLAS: {blas_library()}")
    best, best_min = None, None
    for variant in ("index", "sparse"):
        mean, fastest, edges, segs = run(variant, graph, args.steps)
        best = mean if best is None else min(best, mean)
        best_min = fastest if best_min is None else min(best_min, fastest)
    print(f"graph: {meta['nodes']} nodes, {meta['relations']} relations, {edges} edges, {segs} segments")
    print(f"pytorch_best_mean_ms {best:.1f}")
    print(f"pytorch_best_min_ms {best_min:.1f}")
    print(f"pytorch_peak_rss_mib {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


if __name__ == "__main__":
    main()
