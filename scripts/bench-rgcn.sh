#!/usr/bin/env bash
# One RGCN training step (forward, backward, AdamW) on ReDial's DBpedia subgraph, in crs4j (JMH) and in Debian's
# CPU PyTorch, in the same run, on the same graph file and the same number of threads; prints both and the ratio.
#
#   scripts/bench-rgcn.sh            # THREADS=2 REPEATS=3 DATA_DIR=../shared/data TORCH_BLAS_DIR=... (all optional)
#
# The workload is described in bench/src/main/java/org/crs4j/bench/RgcnTrainStep.java and scripts/bench-rgcn.py.
# PyTorch and crs4j run one right after the other (alternating which goes first), REPEATS times; a side's figure for
# a repeat is its mean step time (crs4j: JMH's mean over its iterations; PyTorch: the faster of its two algorithms and,
# with TORCH_WAIT_POLICIES="default PASSIVE" (the default here), of the two OpenMP wait policies, each the mean over
# PEER_STEPS steps). The table gives min / median / max over the repeats and the paired ratios (scripts/bench-lib.sh).
#
# PyTorch's BLAS matters: Debian's python3-torch links libblas.so.3, which is the reference (netlib) BLAS unless
# OpenBLAS is installed (libopenblas0-pthread). Set TORCH_BLAS_DIR to a folder holding OpenBLAS's libblas.so.3 to
# give torch OpenBLAS without installing it, e.g.
#   apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread_*.deb ob
#   TORCH_BLAS_DIR=$PWD/ob/usr/lib/x86_64-linux-gnu/openblas-pthread scripts/bench-rgcn.sh
# Peak memory: the smallest -Xmx (bisected to 16 MiB) in which five crs4j training steps complete, plus the live
# heap at the phase boundaries of a step (TrainStepMemoryProbe); for PyTorch, the process's peak RSS.
# About 1.5 minutes per repeat, plus about 1 minute for the memory bisection, on 2 cores.
set -euo pipefail
. "$(dirname "$0")/bench-lib.sh"
DATA_DIR=${DATA_DIR:-../shared/data}
GRAPH=bench/target/rgcn-graph.safetensors
POLICIES=${TORCH_WAIT_POLICIES:-default PASSIVE}
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dcrs4j.threads="$THREADS")
JMH_DEFAULTS="-f 1 -wi 3 -w 2 -i 5 -r 2"
if [ -z "${TORCH_BLAS_DIR-}" ] && [ -f /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  TORCH_BLAS_DIR=/usr/lib/x86_64-linux-gnu/openblas-pthread
fi

echo "== load before: $(uptime)"
bench_build
"$JAVA_HOME/bin/java" "${FLAGS[@]}" -cp "$jar" org.crs4j.bench.RgcnGraph "$GRAPH" "$DATA_DIR" 2>/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
bench_results rgcn
echo "== crs4j JMH RgcnTrainStepBenchmark (${JMH_OPTS:-$JMH_DEFAULTS}) and PyTorch (OpenMP wait policies: $POLICIES)," \
  "$THREADS threads, $REPEATS repeats"

peer() {
  local best="" policy out ms
  for policy in $POLICIES; do
    out=$( ( [ "$policy" = default ] || export OMP_WAIT_POLICY=$policy
      LD_LIBRARY_PATH="${TORCH_BLAS_DIR-}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        "$PY" scripts/bench-rgcn.py "$GRAPH" --threads "$THREADS" --steps "${PEER_STEPS:-10}" ) )
    echo "$out" > "$tmp/peer-$policy.txt"
    ms=$(echo "$out" | sed -n 's/^pytorch_best_mean_ms //p')
    echo "   PyTorch, OMP_WAIT_POLICY=$policy: $(echo "$out" | grep -E '^pytorch_(index|sparse)_mean_ms' | tr '\n' ' ')"
    if [ -z "$best" ] || "$PY" -c "import sys; sys.exit(0 if $ms < $best else 1)"; then best=$ms; fi
  done
  bench_record "RGCN training step" PyTorch "$rep" "$best"
}
ours() {
  bench_jmh "$tmp/jmh.json" "$tmp/jmh.log" "$JMH_DEFAULTS" RgcnTrainStepBenchmark -p graph="$GRAPH"
  local ms
  ms=$(jmh_value "$tmp/jmh.json" trainStep)
  echo "   crs4j: $ms ms"
  bench_record "RGCN training step" crs4j "$rep" "$ms"
}
for ((rep = 1; rep <= REPEATS; rep++)); do
  if peer_first "$rep"; then peer; ours; else ours; peer; fi
  echo "   repeat $rep done (load $(bench_load))"
done
peer_blas=$(head -1 "$tmp/peer-PASSIVE.txt" 2>/dev/null || head -1 "$tmp"/peer-*.txt)
case "$peer_blas" in *openblas*) ;; *) echo "warning: PyTorch runs on the reference BLAS: set TORCH_BLAS_DIR (see the header) for a fair peer" ;; esac

echo "== crs4j peak memory of a training step"
"$JAVA_HOME/bin/java" "${FLAGS[@]}" -Xmx8g -cp "$jar" org.crs4j.bench.TrainStepMemoryProbe rgcn "$GRAPH" 2 2>/dev/null
lo=64; hi=2048   # MiB; bisect the smallest heap in which 5 steps run
while [ $((hi - lo)) -gt 16 ]; do
  mid=$(((lo + hi) / 2))
  if "$JAVA_HOME/bin/java" "${FLAGS[@]}" -Xmx${mid}m -XX:+UseSerialGC -cp "$jar" org.crs4j.bench.TrainStepMemoryProbe rgcn "$GRAPH" 5 >/dev/null 2>&1; then hi=$mid; else lo=$mid; fi
done
"$JAVA_HOME/bin/java" "${FLAGS[@]}" -Xmx${hi}m -XX:+UseSerialGC -cp "$jar" org.crs4j.bench.TrainStepMemoryProbe rgcn "$GRAPH" 5 2>/dev/null \
  | grep "full GC" | sed "s/^/(at -Xmx${hi}m) /"
echo "smallest -Xmx (SerialGC) in which 5 training steps run: ${hi} MiB (fails at ${lo} MiB)"
echo "PyTorch peak RSS: $(sed -n 's/^pytorch_peak_rss_mib //p' "$tmp"/peer-*.txt | sort -n | tail -1) MiB"

echo "== load after: $(uptime)"
echo
echo "PyTorch: $peer_blas"
"$PY" scripts/bench_table.py "$tsv" --peer PyTorch --unit "ms per training step" --lower-is-better \
  --ratio "ratio = PyTorch's time / crs4j's (> 1: crs4j is faster)"
echo "measurements: $tsv"
