"""Pairs the JSON lines of CudaBench (crs4j) and bench_cuda_peers.py (PyTorch) into one markdown table per benchmark.

    python3 scripts/cuda_bench_table.py RESULTS.jsonl...

Each configuration was measured in several rounds (the device script alternates the two sides); a round's figure is
the median window, and the table gives the median over rounds with the range of the rounds' medians. Attention is
compared with float32 SDPA (the same arithmetic) and, as information, with bfloat16 FlashAttention; aggregation with
each PyTorch form and PyG's RGCNConv, the ratio against the fastest.
"""
import json
import statistics
import sys
from collections import defaultdict


def load(paths):
    rows = []
    for p in paths:
        with open(p) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError:
                        pass
    return rows


def med(values):
    return statistics.median(values) if values else float("nan")


def rng(values):
    return f"{min(values):.3g}-{max(values):.3g}" if values else "-"


def attention_table(rows):
    key = lambda r: (r["model"], r["tokens"], r["causal"], r["pass"])
    ours, peers = defaultdict(list), defaultdict(list)
    for r in rows:
        if r.get("bench") != "attention" or "tflops" not in r:
            continue
        (ours if r["side"] == "crs4j" else peers)[key(r) + ((r["dtype"],) if r["side"] != "crs4j" else ())].append(r["tflops"][1])
    print("| model | tokens | causal | pass | crs4j f32 TFLOP/s | SDPA f32 | ratio | SDPA bf16 (flash) | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for k in sorted(ours):
        a, f32, bf = ours[k], peers.get(k + ("float32",), []), peers.get(k + ("bfloat16",), [])
        print(f"| {k[0]} | {k[1]} | {k[2]} | {k[3]} | {med(a):.2f} ({rng(a)}) | {med(f32):.2f} ({rng(f32)}) | "
              f"{med(a) / med(f32):.2f} | {med(bf):.2f} | {med(a) / med(bf):.3f} |")


def aggregation_table(rows):
    ours, peers = defaultdict(list), defaultdict(list)
    for r in rows:
        if r.get("bench") != "aggregation" or "medges_per_s" not in r:
            continue
        k = (r["graph"], r["pass"])
        (ours if r["side"] == "crs4j" else peers)[k + (r["variant"],)].append(r["medges_per_s"][1])
    print("| graph | pass | crs4j variant | crs4j Medges/s | PyTorch form | PyTorch Medges/s | crs4j / PyTorch |")
    print("|---|---|---|---|---|---|---|")
    for k in sorted(ours):
        graph, pass_, variant = k
        forms = {pk[2]: v for pk, v in peers.items() if pk[:2] == (graph, pass_)}
        for form, v in sorted(forms.items(), key=lambda kv: -med(kv[1])):
            print(f"| {graph} | {pass_} | {variant} | {med(ours[k]):.1f} ({rng(ours[k])}) | {form} | {med(v):.1f} ({rng(v)}) | "
                  f"{med(ours[k]) / med(v):.2f} |")


def other(rows):
    for r in rows:
        if r.get("bench") in ("decode", "bandwidth") or ("steps" in r and r.get("bench") == "train-parity"):
            print("- " + json.dumps(r))


if __name__ == "__main__":
    rows = load(sys.argv[1:])
    print("## Attention (GPU)\n")
    attention_table(rows)
    print("\n## Graph aggregation: the R-GCN layer (GPU)\n")
    aggregation_table(rows)
    print("\n## Decoding against the bandwidth roof, training parity\n")
    other(rows)
