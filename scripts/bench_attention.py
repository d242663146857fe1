#!/usr/bin/python3
"""The attention benchmark's peer: crs4j's AttentionWorkload in Debian's CPU PyTorch (python3-torch 1.13.1).

    /usr/bin/python3 scripts/bench_attention.py SHAPE SEQ [--threads 2] [--warmup 1] [--seconds 3]

Same workload as bench/src/main/java/org/crs4j/bench/AttentionWorkload.java: batch 1, SEQ queries and keys,
softmax(q·k^T/sqrt(d) + mask)·v at the head shapes t5-large (16 x 64), llama-7b (32 x 128), llama-7b-gqa (32 x 128
with 8 key/value heads), without and with the causal mask, forward and forward + backward (autograd, a fixed
standard-normal output gradient), F32, model FLOPs counted the same way (4·d per allowed (query, key) pair forward,
three times that forward + backward; the causal mask allows seq(seq+1)/2 pairs).

PyTorch 1.13 has no public torch.nn.functional.scaled_dot_product_attention (it arrived in 2.0). Its nearest
equivalents are all timed and the fastest counts:
  sdpa-prototype   torch.nn.functional._scaled_dot_product_attention, 1.13's private prototype of SDPA (on the CPU
                   it runs the math composition; no GQA, so key/value heads are repeated first, as HF's repeat_kv);
  matmul-softmax   (q·scale) @ k^T (+ the additive mask), softmax, @ v, with the query heads of a key/value head
                   stacked as rows for GQA (crs4j's own composition);
  baddbmm          the same with the mask added inside the GEMM (torch.baddbmm) and batched 3-d products.
Each is timed as JMH times crs4j: calls for --warmup seconds (at least one) discarded, then calls for --seconds (at
least two); GFLOP/s = FLOPs done / time. Prints one line per case and variant:
    case VARIANT GFLOPS
and per case "best CASE VARIANT GFLOPS", CASE being "causal=False forward" etc.
"""
import argparse
import math
import torch
import torch.nn.functional as F

from torch_peer import blas_library, timed_rate

HEADS = {"t5-large": (16, 16, 64), "llama-7b": (32, 32, 128), "llama-7b-gqa": (32, 8, 128)}


def make(shape, seq):
    heads, kv, d = HEADS[shape]
    g = torch.Generator().manual_seed(42)
    q = torch.randn(1, heads, seq, d, generator=g)
    k = torch.randn(1, kv, seq, d, generator=g)
    v = torch.randn(1, kv, seq, d, generator=g)
    dout = torch.randn(1, heads, seq, d, generator=g)
    return q, k, v, dout


def variants(heads, kv, d, seq, causal):
    scale = 1 / math.sqrt(d)
    group = heads // kv
    mask = None
    if causal:  # additive, as crs4j's AttentionMasks: 0 where allowed, the most negative float elsewhere
        mask = torch.zeros(seq, seq).masked_fill(~torch.ones(seq, seq, dtype=torch.bool).tril(), torch.finfo(torch.float32).min)

    def sdpa(q, k, v):
        if group > 1:
            k = k.repeat_interleave(group, dim=1)
            v = v.repeat_interleave(group, dim=1)
        return F._scaled_dot_product_attention(q, k, v, None, 0.0, False, causal)[0]

    def matmul_softmax(q, k, v):
        b = q.shape[0]
        qg = (q * scale).reshape(b, kv, group * seq, d)
        s = (qg @ k.transpose(-1, -2)).view(b, heads, seq, seq)
        if mask is not None:
            s = s + mask
        p = s.softmax(-1).view(b, kv, group * seq, seq)
        return (p @ v).view(b, heads, seq, d)

    def baddbmm(q, k, v):
        b = q.shape[0]
        q3 = q.reshape(b * kv, group * seq, d)
        k3t = k.reshape(b * kv, seq, d).transpose(1, 2)
        if mask is None:
            s = torch.bmm(q3 * scale, k3t)
        else:
            m = mask.repeat(group, 1).expand(b * kv, group * seq, seq)
            s = torch.baddbmm(m, q3, k3t, alpha=scale)
        return torch.bmm(s.softmax(-1), v.reshape(b * kv, seq, d)).view(b, heads, seq, d)

    return {"sdpa-prototype": sdpa, "matmul-softmax": matmul_softmax, "baddbmm": baddbmm}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shape", choices=sorted(HEADS))
    ap.add_argument("seq", type=int)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--check", action="store_true", help="check the variants agree (forward and gradients), then exit")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"# pytorch {torch.__version__}, {torch.get_num_threads()} threads, BLAS: {blas_library()}", flush=True)
    heads, kv, d = HEADS[args.shape]
    q0, k0, v0, dout = make(args.shape, args.seq)
    for causal in (False, True):
        pairs = args.seq * (args.seq + 1) / 2 if causal else args.seq ** 2
        fwd_flops = 4.0 * heads * pairs * d
        fns = variants(heads, kv, d, args.seq, causal)
        if args.check:
            ref = None
            for name, fn in fns.items():
                q, k, v = (t.clone().requires_grad_() for t in (q0, k0, v0))
                out = fn(q, k, v)
                out.backward(dout)
                got = [out, q.grad, k.grad, v.grad]
                if ref is None:
                    ref = got
                for a, b in zip(got, ref):
                    err = (a - b).abs().max().item() / b.abs().max().item()
                    assert err < 1e-4, f"{name} differs from the first variant by {err}"
            print(f"causal={causal}: variants agree")
            continue
        best = {}
        for name, fn in fns.items():
            with torch.no_grad():
                r = timed_rate(lambda: fn(q0, k0, v0), fwd_flops / 1e9, args.warmup, args.seconds)
            case = f"causal={causal} forward"
            print(f"{case} {name} {r:.2f}", flush=True)
            best[case] = max(best.get(case, (0, "")), (r, name))
            q, k, v = (t.clone().requires_grad_() for t in (q0, k0, v0))

            def step():
                for t in (q, k, v):
                    t.grad = None
                fn(q, k, v).backward(dout)

            r = timed_rate(step, 3 * fwd_flops / 1e9, args.warmup, args.seconds)
            case = f"causal={causal} forward+backward"
            print(f"{case} {name} {r:.2f}", flush=True)
            best[case] = max(best.get(case, (0, "")), (r, name))
        for case, (r, name) in best.items():
            print(f"best {case} {name} {r:.2f}", flush=True)


if __name__ == "__main__":
    main()
