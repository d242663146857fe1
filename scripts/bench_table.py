#!/usr/bin/python3
"""The side-by-side table every benchmark script prints: crs4j and its peer, repeated, min / median / max.

    bench_table.py RESULTS.tsv --ours crs4j --peer PyTorch --unit GFLOP/s [--lower-is-better] [--title T] [--ratio T]

RESULTS.tsv has one measurement per line: CASE <tab> SIDE <tab> REPEAT <tab> VALUE, where the scripts run the two
sides of a case one right after the other (alternating which goes first) and the whole sweep REPEAT times, so that a
crs4j figure and the peer figure of the same case and repeat saw the same machine load. Per case the table gives
each side's median with its min and max over the repeats, the ratio of the medians, and the paired ratios (one per
repeat, crs4j over the peer of the same repeat) as median (min-max). Ratios are oriented so that above 1 means crs4j
is better: ours/peer for throughputs, peer/ours with --lower-is-better (times).
"""
import argparse
import statistics
import sys


def spread(values):
    return f"{statistics.median(values):.4g} ({min(values):.4g}-{max(values):.4g})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--ours", default="crs4j")
    ap.add_argument("--peer", required=True)
    ap.add_argument("--unit", required=True)
    ap.add_argument("--lower-is-better", action="store_true")
    ap.add_argument("--title", default="")
    ap.add_argument("--ratio", default=None, help="what the ratio means (default: above 1, crs4j is better)")
    args = ap.parse_args()

    cases, values = [], {}
    with open(args.results) as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 4:
                sys.exit(f"bench_table.py: {args.results}: line {n}: expected CASE, SIDE, REPEAT, VALUE, got {line!r}")
            case, side, repeat, value = fields
            try:
                float(value)
            except ValueError:
                sys.exit(f"bench_table.py: {args.results}: line {n}: {case} / {side}: value {value!r} is not a number")
            if case not in values:
                cases.append(case)
                values[case] = {}
            values[case].setdefault(side, {})[repeat] = float(value)

    if args.title:
        print(args.title)
    better = "lower" if args.lower_is_better else "higher"
    meaning = args.ratio or f"ratio > 1 means {args.ours} is better"
    print(f"{args.unit} ({better} is better): median (min-max) over the repeats; {meaning}")
    header = ["case", f"{args.ours}", f"{args.peer}", "ratio of medians", "paired ratio per repeat"]
    rows = []
    for case in cases:
        ours, peer = values[case].get(args.ours, {}), values[case].get(args.peer, {})
        if not ours or not peer:
            rows.append([case, spread(list(ours.values())) if ours else "-", spread(list(peer.values())) if peer else "-",
                         "-", "-"])
            continue

        def ratio(a, b):
            return b / a if args.lower_is_better else a / b

        paired = [ratio(ours[r], peer[r]) for r in ours if r in peer]
        rows.append([case, spread(list(ours.values())) + f" n={len(ours)}", spread(list(peer.values())) + f" n={len(peer)}",
                     f"{ratio(statistics.median(ours.values()), statistics.median(peer.values())):.2f}",
                     f"{statistics.median(paired):.2f} ({min(paired):.2f}-{max(paired):.2f})"])
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)))


if __name__ == "__main__":
    main()
