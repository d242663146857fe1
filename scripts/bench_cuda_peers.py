"""PyTorch peers of crs4j's GPU benchmarks (org.crs4j.bench.cuda.CudaBench), same shapes, same JSON keys.

    python3 scripts/bench_cuda_peers.py attention
    python3 scripts/bench_cuda_peers.py aggregation GRAPH.safetensors [GRAPH_X10.safetensors]

attention: torch.nn.functional.scaled_dot_product_attention forward and forward+backward on float32 inputs (PyTorch
  picks its memory-efficient kernel for float32; crs4j computes in float32 too: the fair pair) and, for reference, on
  bfloat16 inputs (the FlashAttention kernel, tensor cores). GQA shapes repeat the key/value heads first (what
  Hugging Face's repeat_kv does), outside the timed region for the forward. FLOPs: 4 B H T^2 d forward (half when
  causal), 3.5 x that forward+backward (FlashAttention's convention).
aggregation: the R-GCN layer of crs4j's RGCN (a weight per relation, self-loop weight, bias, Z = 1) on the same graph
  files, forward and forward+backward of out.sum(), three ways, each reported: "segment" (index_add of the gathered
  sources into (relation, destination) segments, one matmul per relation, index_add into the destinations: crs4j's
  algorithm), "edge" (a matmul per relation over the gathered edge features, then index_add: the textbook form), and
  PyG's RGCNConv when torch_geometric imports. Edges per second = E / time.
Timing: 3 warm-up iterations, then WINDOWS windows of ITERS iterations, synchronised around each window; min, median,
max of the per-iteration time.
"""
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

WINDOWS = int(os.environ.get("WINDOWS", "5"))
DEV = "cuda"


def timed(iters, body):
    for _ in range(3):
        body()
    torch.cuda.synchronize()
    w = []
    for _ in range(WINDOWS):
        t0 = time.perf_counter()
        for _ in range(iters):
            body()
        torch.cuda.synchronize()
        w.append((time.perf_counter() - t0) / iters)
    w.sort()
    return [w[0], w[len(w) // 2], w[-1]]


def emit(bench, shape, pass_, dtype, s, work, unit, extra=None):
    rec = {"side": "pytorch", "bench": bench, **shape, "pass": pass_, "dtype": dtype,
           "ms": [round(x * 1e3, 4) for x in s], unit: [round(work / x, 4) for x in reversed(s)]}
    if extra:
        rec.update(extra)
    print(json.dumps(rec), flush=True)


MODELS = [("flan-t5-large", 16, 16, 64), ("llama-7b", 32, 32, 128), ("llama-7b-gqa", 32, 8, 128)]


def attention():
    torch.manual_seed(1)
    for name, h, hkv, d in MODELS:
        for t in (128, 512, 2048):
            b = max(1, 4096 // t)
            for dtype, label in ((torch.float32, "float32"), (torch.bfloat16, "bfloat16")):
                q = torch.randn(b, h, t, d, device=DEV, dtype=dtype, requires_grad=True)
                k = torch.randn(b, hkv, t, d, device=DEV, dtype=dtype, requires_grad=True)
                v = torch.randn(b, hkv, t, d, device=DEV, dtype=dtype, requires_grad=True)
                g = torch.randn(b, h, t, d, device=DEV, dtype=dtype)
                rep = h // hkv
                for causal in (False, True):
                    flops = 4.0 * b * h * t * t * d * (0.5 if causal else 1.0)
                    kr, vr = (k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)) if rep > 1 else (k, v)
                    with torch.no_grad():
                        fwd = timed(5, lambda: F.scaled_dot_product_attention(q, kr, vr, is_causal=causal))

                    def both():
                        kk, vv = (k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)) if rep > 1 else (k, v)
                        o = F.scaled_dot_product_attention(q, kk, vv, is_causal=causal)
                        torch.autograd.grad(o, (q, k, v), g)

                    fb = timed(3, both)
                    shape = {"model": name, "batch": b, "heads": h, "kv_heads": hkv, "head_dim": d, "tokens": t, "causal": causal}
                    emit("attention", shape, "fwd", label, fwd, flops / 1e12, "tflops")
                    emit("attention", shape, "fwd+bwd", label, fb, 3.5 * flops / 1e12, "tflops")


def read_graph(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    t = {k: torch.from_numpy(np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]],
                                           dtype={"I32": np.int32, "I64": np.int64}[v["dtype"]]).copy()).long()
         for k, v in header.items()}
    return t, meta


def aggregation(paths):
    dim = 128
    for label, path in zip(("redial", "redial-x10"), paths):
        if not os.path.exists(path):
            print(json.dumps({"side": "pytorch", "bench": "aggregation", "graph": label, "skipped": "no file " + path}), flush=True)
            continue
        t, meta = read_graph(path)
        src, dst, rel = t["src"].to(DEV), t["dst"].to(DEV), t["rel"].to(DEV)
        nodes, relations, edges = int(meta["nodes"]), int(meta["relations"]), src.numel()
        torch.manual_seed(0)
        x = torch.randn(nodes, dim, device=DEV, requires_grad=True)
        w = (torch.randn(relations, dim, dim, device=DEV) * 0.05).requires_grad_()
        root = (torch.randn(dim, dim, device=DEV) * 0.05).requires_grad_()
        bias = torch.zeros(dim, device=DEV, requires_grad=True)
        # segments: edges sorted by (relation, destination), one segment per distinct pair (crs4j's RelationalGraph)
        key = rel * nodes + dst
        order = torch.argsort(key, stable=True)
        s_src, key_sorted, e_rel, e_dst = src[order], key[order], rel[order], dst[order]
        uniq, seg = torch.unique_consecutive(key_sorted, return_inverse=True)
        seg_rel, seg_dst = uniq // nodes, uniq % nodes
        seg_off = torch.searchsorted(seg_rel, torch.arange(relations + 1, device=DEV)).tolist()
        edge_off = torch.searchsorted(e_rel, torch.arange(relations + 1, device=DEV)).tolist()

        def segment_form(xx):
            summed = torch.zeros(uniq.numel(), dim, device=DEV).index_add_(0, seg, xx.index_select(0, s_src))
            parts = [summed[seg_off[r]:seg_off[r + 1]] @ w[r] for r in range(relations)]
            return (xx @ root + bias).index_add(0, seg_dst, torch.cat(parts))

        def edge_form(xx):
            gathered = xx.index_select(0, s_src)
            parts = [gathered[edge_off[r]:edge_off[r + 1]] @ w[r] for r in range(relations)]
            return (xx @ root + bias).index_add(0, e_dst, torch.cat(parts))

        forms = [("segment", segment_form), ("edge", edge_form)]
        try:
            from torch_geometric.nn import RGCNConv
            conv = RGCNConv(dim, dim, relations, aggr="add").to(DEV)
            edge_index = torch.stack([src, dst])
            forms.append(("pyg-rgcnconv", lambda xx: conv(xx, edge_index, rel)))
        except Exception as e:  # noqa: BLE001 - report and go on
            print(json.dumps({"side": "pytorch", "bench": "aggregation", "graph": label, "pyg": "unavailable: " + str(e)[:200]}), flush=True)
        shape = {"graph": label, "nodes": nodes, "relations": relations, "edges": edges, "dim": dim}
        for form, f in forms:
            with torch.no_grad():
                fwd = timed(5, lambda: f(x))

            def both():
                x.grad = None
                f(x).sum().backward()

            fb = timed(3, both)
            emit("aggregation", shape, "fwd", "float32", fwd, edges / 1e6, "medges_per_s", {"variant": form})
            emit("aggregation", shape, "fwd+bwd", "float32", fb, edges / 1e6, "medges_per_s", {"variant": form})


if __name__ == "__main__":
    print(json.dumps({"side": "pytorch", "torch": torch.__version__, "device": torch.cuda.get_device_name(0)}), flush=True)
    if sys.argv[1] == "attention":
        attention()
    elif sys.argv[1] == "aggregation":
        aggregation(sys.argv[2:])
    else:
        sys.exit("usage: bench_cuda_peers.py attention | aggregation GRAPH [GRAPH_X10]")
