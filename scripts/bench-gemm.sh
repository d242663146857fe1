#!/bin/sh
# SGEMM: crs4j (JMH, SgemmBenchmark) against NumPy/OpenBLAS on the same sizes and thread count, in one run.
#
#   scripts/bench-gemm.sh [SIZES...]        default sizes: 256 512 1024 2048
#
# Both are timed in one-second windows after a warm-up, size by size and one right after the other, so that they see
# the same machine load. The table gives the mean over the windows (crs4j: ± JMH's 99.9% error) and the best window.
#
# Environment:
#   THREADS          threads for both (default: all processors)
#   OPENBLAS_DIR     a directory holding OpenBLAS's libblas.so.3, for machines where Debian's python3-numpy is linked
#                    to the reference BLAS (libopenblas0-pthread not installed); Debian's own OpenBLAS directory is
#                    used when present. The BLAS that NumPy actually loaded is printed: check it says openblas.
#   CRS4J_JAVA_OPTS  extra options for the benchmark JVM, e.g. -XX:UseAVX=2 to run the AVX2 kernels on an AVX-512 machine
#   WINDOWS          measured one-second windows per size (default 5)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/select-jdk.sh"
cd "$root"

sizes=${*:-256 512 1024 2048}
threads=${THREADS:-$(nproc)}
windows=${WINDOWS:-5}
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

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

load_start=$(cut -d" " -f1-3 /proc/loadavg)
echo "== NumPy $(/usr/bin/python3 -c 'import numpy; print(numpy.__version__)') and crs4j JMH SgemmBenchmark," \
  "$threads threads, size by size" >&2
: > "$tmp/numpy.txt"
for n in $sizes; do
  OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads \
    /usr/bin/python3 "$root/scripts/bench_numpy_sgemm.py" "$windows" "$n" >> "$tmp/numpy.txt"
  "$JAVA_HOME/bin/java" -jar "$jar" 'org.crs4j.bench.SgemmBenchmark.sgemm' -p n="$n" -p layout=nn \
    -jvmArgsPrepend "-Dcrs4j.threads=$threads ${CRS4J_JAVA_OPTS-}" -f 1 -wi 3 -w 1 -i "$windows" -r 1 \
    -rf json -rff "$tmp/jmh-$n.json" > "$tmp/jmh.log" 2>&1 || { cat "$tmp/jmh.log" >&2; exit 1; }
  echo "   n=$n done" >&2
done
blas=$(sed -n 's/^# blas //p' "$tmp/numpy.txt" | head -1)
echo "   BLAS loaded by NumPy: $blas" >&2
case "$blas" in
  *openblas*) ;;
  *) echo "   WARNING: NumPy is not using OpenBLAS here (install libopenblas0-pthread or set OPENBLAS_DIR)" >&2 ;;
esac

species=$(sed -n 's/.*species=//p' "$tmp/jmh.log" | head -1)
echo
echo "SGEMM C = A·B, float32, n x n, $threads threads ($(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); crs4j vectors: $species)"
echo "GFLOP/s over $windows one-second windows: mean (crs4j ± 99.9% error) and best window"
printf '%6s | %22s | %9s | %15s | %9s | %10s\n' n "crs4j mean" "best" "OpenBLAS mean" "best" "ratio mean/best"
for n in $sizes; do
  set -- $(/usr/bin/python3 "$root/scripts/jmh_result.py" "$tmp/jmh-$n.json" sgemm:gflops "n=$n")
  ours=$1 err=$2 oursbest=$3
  set -- $(awk -v n="$n" '$1 == n { print $2, $3 }' "$tmp/numpy.txt")
  peer=$1 peerbest=$2
  printf '%6s | %12.1f ± %7.1f | %9.1f | %15.1f | %9.1f | %5.2f / %4.2f\n' "$n" "$ours" "$err" "$oursbest" "$peer" "$peerbest" \
    "$(awk -v a="$ours" -v b="$peer" 'BEGIN { print a / b }')" "$(awk -v a="$oursbest" -v b="$peerbest" 'BEGIN { print a / b }')"
done
echo "load average (1/5/15 min) at start: $load_start, at end: $(cut -d" " -f1-3 /proc/loadavg)"
