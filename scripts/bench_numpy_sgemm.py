#!/usr/bin/python3
"""Times NumPy float32 matmul (a @ b, n x n, both C-contiguous) for the crs4j GEMM comparison.

Usage: bench_numpy_sgemm.py WINDOWS N...
Prints "# blas LIBRARIES" (the BLAS NumPy loaded), then per size "n MEAN BEST" in GFLOP/s, where each of WINDOWS
one-second windows counts the calls it completes after a warm-up call: MEAN over the windows, BEST the best window.
That mirrors JMH's throughput mode with one-second iterations. The thread count is the BLAS's, from the environment
(OPENBLAS_NUM_THREADS, set by bench-gemm.sh).
"""
import sys
import time

import numpy as np


def loaded_blas():
    libs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            name = fields[-1].rsplit("/", 1)[-1] if len(fields) >= 6 else ""
            if "blas" in name or "mkl" in name or "lapack" in name:
                libs.add(fields[-1])
    return sorted(libs)


def main():
    windows = int(sys.argv[1])
    sizes = [int(a) for a in sys.argv[2:]]
    rng = np.random.default_rng(42)
    np.ones((4, 4), np.float32) @ np.ones((4, 4), np.float32)  # loads the BLAS
    print("# blas " + " ".join(loaded_blas()), flush=True)
    for n in sizes:
        a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        c = a @ b  # warm-up: thread pool, page faults
        rates = []
        for _ in range(windows):
            calls, start = 0, time.perf_counter()
            while True:
                np.matmul(a, b, out=c)
                calls += 1
                elapsed = time.perf_counter() - start
                if elapsed >= 1.0:
                    break
            rates.append(2.0 * n ** 3 * calls / elapsed / 1e9)
        print(f"{n} {sum(rates) / len(rates):.1f} {max(rates):.1f}", flush=True)


if __name__ == "__main__":
    main()
