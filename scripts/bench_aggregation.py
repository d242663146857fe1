#!/usr/bin/python3
"""The graph-aggregation benchmark's peer: crs4j's AggregationWorkload in Debian's CPU PyTorch (python3-torch 1.13.1).

    /usr/bin/python3 scripts/bench_aggregation.py GRAPH.safetensors [--threads 2] [--warmup 1] [--seconds 3] [--check]

Same graph file as crs4j's GraphAggregationBenchmark, same computation: node features x [N, 128], one weight W_r
[128, 128] per relation, out[e] = sum_r sum_{e' in N_r(e)} x[e'] W_r; forward, and forward + backward through
autograd with a fixed output gradient (dx and dW). Three ways, all timed, the fastest counts:
  edge            the textbook form: index_select the source row of every edge, one matmul per relation over its
                  edges, index_add into the destinations (what PyG's RGCNConv does per relation);
  segment-index   crs4j's algorithm: sum the source rows per (relation, destination) segment with index_add_, one
                  matmul per relation over its segments, index_add into the destinations;
  segment-sparse  the same with the segment sums as torch.sparse.mm (a COO aggregation matrix, like crs4j's CSR spmm).
Timed as JMH times crs4j: calls for --warmup seconds (at least one) discarded, then calls for --seconds (at least
two). Prints "CASE VARIANT MEDGES" (million edges per second) per case and variant, CASE being "forward" or
"forward+backward", then "best CASE VARIANT MEDGES".
"""
import argparse

import torch

from torch_peer import blas_library, read_graph, segments, timed_rate

DIM = 128


def variants(t, nodes, relations):
    src, dst, rel = t["src"], t["dst"], t["rel"]
    # edges grouped by relation (stable), for the per-edge form
    order = torch.argsort(rel, stable=True)
    e_src, e_dst = src[order], dst[order]
    e_sizes = torch.bincount(rel, minlength=relations).tolist()
    s_src, seg, seg_dst, offsets = segments(src, dst, rel, nodes, relations)
    segs = len(seg_dst)
    s_sizes = [offsets[r + 1] - offsets[r] for r in range(relations)]
    matrix = torch.sparse_coo_tensor(torch.stack([seg, s_src]), torch.ones(len(s_src)), (segs, nodes)).coalesce()

    def per_relation(rows, sizes, w):
        # split/unbind: their backward is one cat/stack, where slices would each backpropagate a full-size zero tensor
        return torch.cat([part @ wr for part, wr in zip(rows.split(sizes), w.unbind(0))])

    def edge(x, w):
        return torch.zeros(nodes, DIM).index_add(0, e_dst, per_relation(x.index_select(0, e_src), e_sizes, w))

    def segment_index(x, w):
        summed = torch.zeros(segs, DIM).index_add(0, seg, x.index_select(0, s_src))
        return torch.zeros(nodes, DIM).index_add(0, seg_dst, per_relation(summed, s_sizes, w))

    def segment_sparse(x, w):
        return torch.zeros(nodes, DIM).index_add(0, seg_dst, per_relation(torch.sparse.mm(matrix, x), s_sizes, w))

    return {"edge": edge, "segment-index": segment_index, "segment-sparse": segment_sparse}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("graph")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--check", action="store_true", help="check the variants agree (forward and gradients), then exit")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t, meta = read_graph(args.graph)
    nodes, relations, edges = int(meta["nodes"]), int(meta["relations"]), len(t["src"])
    print(f"# pytorch {torch.__version__}, {torch.get_num_threads()} threads, BLAS: {blas_library()}", flush=True)
    print(f"# graph: {nodes} nodes, {relations} relations, {edges} edges ({meta.get('description', '')})", flush=True)
    g = torch.Generator().manual_seed(7)
    x0 = torch.randn(nodes, DIM, generator=g)
    w0 = torch.randn(relations, DIM, DIM, generator=g) / DIM ** 0.5
    dout = torch.randn(nodes, DIM, generator=g)
    fns = variants(t, nodes, relations)
    if args.check:
        ref = None
        for name, fn in fns.items():
            x, w = x0.clone().requires_grad_(), w0.clone().requires_grad_()
            out = fn(x, w)
            out.backward(dout)
            got = [out, x.grad, w.grad]
            ref = ref or got
            for a, b in zip(got, ref):
                err = (a - b).abs().max().item() / b.abs().max().item()
                assert err < 1e-4, f"{name} differs from the first variant by {err}"
        print("variants agree")
        return
    medges = edges / 1e6
    best = {}
    for name, fn in fns.items():
        with torch.no_grad():
            r = timed_rate(lambda: fn(x0, w0), medges, args.warmup, args.seconds)
        print(f"forward {name} {r:.3f}", flush=True)
        best["forward"] = max(best.get("forward", (0, "")), (r, name))
        x, w = x0.clone().requires_grad_(), w0.clone().requires_grad_()

        def step():
            x.grad = w.grad = None
            fn(x, w).backward(dout)

        r = timed_rate(step, medges, args.warmup, args.seconds)
        print(f"forward+backward {name} {r:.3f}", flush=True)
        best["forward+backward"] = max(best.get("forward+backward", (0, "")), (r, name))
    for case, (r, name) in best.items():
        print(f"best {case} {name} {r:.3f}", flush=True)


if __name__ == "__main__":
    main()
