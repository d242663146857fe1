#!/usr/bin/python3
"""Times NumPy float32 matmul (a @ b, n x n, both C-contiguous) for the crs4j GEMM comparison.

Usage: bench_numpy_sgemm.py SECONDS N...
Prints one line per size: "n GFLOP/s", after a line "# blas LIBRARY" naming the BLAS library NumPy loaded.
The thread count is whatever the BLAS was given in the environment (OPENBLAS_NUM_THREADS, set by bench-gemm.sh).
Throughput is total flops / total time over repeated calls after one warm-up call: the same statistic as JMH's
throughput mode.
"""
import sys
import time

import numpy as np


def loaded_blas():
    libs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            name = path.rsplit("/", 1)[-1]
            if "blas" in name or "mkl" in name or "lapack" in name:
                libs.add(path)
    return sorted(libs)


def main():
    seconds = float(sys.argv[1])
    sizes = [int(a) for a in sys.argv[2:]]
    rng = np.random.default_rng(42)
    np.ones((4, 4), np.float32) @ np.ones((4, 4), np.float32)  # loads the BLAS
    print("# blas " + " ".join(loaded_blas()), flush=True)
    for n in sizes:
        a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        c = a @ b  # warm-up: thread pool, page faults
        calls, start = 0, time.perf_counter()
        while True:
            np.matmul(a, b, out=c)
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds and calls >= 3:
                break
        print(f"{n} {2.0 * n ** 3 * calls / elapsed / 1e9:.1f}", flush=True)


if __name__ == "__main__":
    main()
