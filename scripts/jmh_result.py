#!/usr/bin/python3
"""Prints "MEAN ERROR BEST" of one JMH result: mean and 99.9% error as JMH reports them, and the best iteration.

Usage: jmh_result.py RESULT.json METRIC [PARAM=VALUE ...]
METRIC is a benchmark method ("sgemm") or a secondary metric ("sgemm:gflops"); the row must match every PARAM.
The best iteration is reported because the benchmark machines are shared: a one-second window that nothing else
disturbed shows what the code can do, the mean what it did under the load of the moment.
"""
import json
import sys


def main():
    path, metric, *params = sys.argv[1:]
    want = dict(p.split("=", 1) for p in params)
    method, _, secondary = metric.partition(":")
    for row in json.load(open(path)):
        if not row["benchmark"].endswith("." + method):
            continue
        if any(row.get("params", {}).get(k) != v for k, v in want.items()):
            continue
        m = row["secondaryMetrics"][secondary] if secondary else row["primaryMetric"]
        raw = [x for fork in m["rawData"] for x in fork]
        error = m["scoreError"] if isinstance(m["scoreError"], float) else float("nan")
        print(f"{m['score']:.3f} {error:.3f} {max(raw):.3f}")
        return
    sys.exit(f"no JMH result {metric} {params} in {path}")


if __name__ == "__main__":
    main()
