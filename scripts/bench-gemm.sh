#!/bin/sh
# SGEMM: crs4j (JMH, SgemmBenchmark) against NumPy/OpenBLAS on the same sizes and thread count, in one run.
#
#   scripts/bench-gemm.sh [SIZES...]        default sizes: 256 512 1024 2048
#
# Environment:
#   THREADS       threads for both (default: all processors)
#   OPENBLAS_DIR  a directory holding OpenBLAS's libblas.so.3, for machines where Debian's python3-numpy is linked
#                 to the reference BLAS (libopenblas0-pthread not installed); Debian's own OpenBLAS directory is
#                 used when present. The BLAS that NumPy actually loaded is printed: check it says openblas.
#   JMH_OPTS      JMH options (default: 1 fork, 3 x 1 s warm-up, 5 x 1 s measurement)
#   CRS4J_JAVA_OPTS  extra options for the benchmark JVM, e.g. -XX:UseAVX=2 to measure the AVX2 kernels on an
#                 AVX-512 machine
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/select-jdk.sh"
cd "$root"

sizes=${*:-256 512 1024 2048}
threads=${THREADS:-$(nproc)}
jar=bench/target/benchmarks.jar
if [ ! -f "$jar" ]; then
  echo "building $jar ..." >&2
  ./mvnw -q -B -pl bench -am package -DskipTests
fi

# NumPy must use OpenBLAS: prefer an explicit OPENBLAS_DIR, then Debian's OpenBLAS directory if installed.
for d in "${OPENBLAS_DIR-}" /usr/lib/x86_64-linux-gnu/openblas-pthread /usr/lib/aarch64-linux-gnu/openblas-pthread; do
  if [ -n "$d" ] && [ -f "$d/libblas.so.3" ]; then
    LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; export LD_LIBRARY_PATH
    break
  fi
done

. "$root/scripts/jmh-csv.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

load_start=$(cut -d" " -f1-3 /proc/loadavg)
echo "== NumPy $(/usr/bin/python3 -c 'import numpy; print(numpy.__version__)') and crs4j JMH SgemmBenchmark, $threads threads," \
  "size by size so that both see the same machine load" >&2
: > "$tmp/numpy.txt"
for n in $sizes; do
  OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads \
    /usr/bin/python3 "$root/scripts/bench_numpy_sgemm.py" 3 "$n" >> "$tmp/numpy.txt"
  # shellcheck disable=SC2086
  "$JAVA_HOME/bin/java" -jar "$jar" 'org.crs4j.bench.SgemmBenchmark.sgemm' -p n="$n" -p layout=nn \
    -jvmArgsPrepend "-Dcrs4j.threads=$threads ${CRS4J_JAVA_OPTS-}" ${JMH_OPTS:--f 1 -wi 3 -w 1 -i 5 -r 1} \
    -rf csv -rff "$tmp/jmh-$n.csv" > "$tmp/jmh.log" 2>&1 || { cat "$tmp/jmh.log" >&2; exit 1; }
  if ! grep -q gflops "$tmp/jmh-$n.csv"; then
    echo "JMH produced no results:" >&2; cat "$tmp/jmh.log" >&2; exit 1
  fi
  echo "   n=$n done" >&2
done
blas=$(sed -n 's/^# blas //p' "$tmp/numpy.txt" | head -1)
echo "   BLAS loaded by NumPy: $blas" >&2
case "$blas" in
  *openblas*) ;;
  *) echo "   WARNING: NumPy is not using OpenBLAS here (install libopenblas0-pthread or set OPENBLAS_DIR)" >&2 ;;
esac

echo
species=$(sed -n 's/.*species=//p' "$tmp/jmh.log" | head -1)
echo "SGEMM C = A·B, float32, n x n, $threads threads ($(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); crs4j vectors: $species)"
printf '%6s | %16s | %16s | %6s\n' n "crs4j GFLOP/s" "OpenBLAS GFLOP/s" ratio
printf '%6s-+-%16s-+-%16s-+-%6s\n' ------ ---------------- ---------------- ------
for n in $sizes; do
  ours=$(jmh_field "$tmp/jmh-$n.csv" 'sgemm:gflops' "n=$n" 'Score')
  err=$(jmh_field "$tmp/jmh-$n.csv" 'sgemm:gflops' "n=$n" 'Score Error (99.9%)')
  peer=$(awk -v n="$n" '$1 == n { print $2 }' "$tmp/numpy.txt")
  ratio=$(awk -v a="$ours" -v b="$peer" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  printf '%6s | %8.1f ± %5.1f | %16s | %6s\n' "$n" "$ours" "$err" "$peer" "$ratio"
done
echo "load average (1/5/15 min) at start: $load_start, at end: $(cut -d" " -f1-3 /proc/loadavg) -- other work on the machine makes the figures noisy"
