#!/bin/sh
# SGEMM: crs4j (JMH, SgemmBenchmark) against NumPy/OpenBLAS on the same sizes and thread count, in one run.
#
#   scripts/bench-gemm.sh [SIZES...]        default sizes: 256 512 1024 2048
#
# Per size, NumPy and crs4j run one right after the other (alternating which goes first), each timed in one-second
# windows after a warm-up; a side's figure for that repeat is its mean GFLOP/s over the windows. The whole sweep runs
# REPEATS times and the table gives min / median / max over the repeats and the paired ratios (scripts/bench-lib.sh).
# About 20 s per size and repeat.
#
# Environment (besides THREADS, REPEATS, JMH_OPTS, CRS4J_JAVA_OPTS: see scripts/bench-lib.sh):
#   OPENBLAS_DIR     a directory holding OpenBLAS's libblas.so.3, for machines where Debian's python3-numpy is linked
#                    to the reference BLAS (libopenblas0-pthread not installed); Debian's own OpenBLAS directory is
#                    used when present. The BLAS that NumPy actually loaded is printed: check it says openblas.
#   WINDOWS          measured one-second windows per size and side (default 5)
set -eu
. "$(dirname "$0")/bench-lib.sh"

sizes=${*:-256 512 1024 2048}
windows=${WINDOWS:-5}
jmh_defaults="-f 1 -wi 3 -w 1 -i $windows -r 1"
bench_build

# NumPy must use OpenBLAS: prefer an explicit OPENBLAS_DIR, then Debian's OpenBLAS directory if installed.
for d in "${OPENBLAS_DIR-}" /usr/lib/x86_64-linux-gnu/openblas-pthread /usr/lib/aarch64-linux-gnu/openblas-pthread; do
  if [ -n "$d" ] && [ -f "$d/libblas.so.3" ]; then
    LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; export LD_LIBRARY_PATH
    break
  fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
bench_results gemm
load_start=$(bench_load)
echo "== NumPy $($PY -c 'import numpy; print(numpy.__version__)') and crs4j JMH SgemmBenchmark (${JMH_OPTS:-$jmh_defaults}), $THREADS threads," \
  "$REPEATS repeats, size by size" >&2

numpy() {
  OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS \
    $PY "$root/scripts/bench_numpy_sgemm.py" "$windows" "$n" > "$tmp/numpy.txt"
  bench_record "n=$n" OpenBLAS "$rep" "$(awk -v n="$n" '$1 == n { print $2 }' "$tmp/numpy.txt")"
}
ours() {
  bench_jmh "$tmp/jmh.json" "$tmp/jmh.log" "$jmh_defaults" 'org.crs4j.bench.SgemmBenchmark.sgemm' -p n="$n" -p layout=nn
  bench_record "n=$n" crs4j "$rep" "$(jmh_value "$tmp/jmh.json" sgemm:gflops "n=$n")"
}
rep=1
while [ "$rep" -le "$REPEATS" ]; do
  for n in $sizes; do
    if peer_first "$rep"; then numpy; ours; else ours; numpy; fi
  done
  echo "   repeat $rep done (load $(bench_load))" >&2
  rep=$((rep + 1))
done

blas=$(sed -n 's/^# blas //p' "$tmp/numpy.txt" | head -1)
species=$(sed -n 's/.*species=//p' "$tmp/jmh.log" | head -1)
echo
echo "SGEMM C = A·B, float32, n x n, $THREADS threads ($(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//');" \
  "crs4j vectors: $species; NumPy's BLAS: $blas)"
case "$blas" in
  *openblas*) ;;
  *) echo "WARNING: NumPy is not using OpenBLAS here (install libopenblas0-pthread or set OPENBLAS_DIR)" ;;
esac
$PY "$root/scripts/bench_table.py" "$tsv" --peer OpenBLAS --unit "GFLOP/s (mean of $windows one-second windows per repeat)"
echo "measurements: $tsv"
echo "load average (1/5/15 min) at start: $load_start, at end: $(bench_load)"
