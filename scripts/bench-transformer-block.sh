#!/usr/bin/env bash
# One training step (forward, backward, AdamW) of a LLaMA decoder block, in crs4j (JMH,
# bench/.../TransformerBlockTrainStepBenchmark.java) and in Debian's CPU PyTorch (scripts/bench_transformer_block.py),
# in the same run, same sizes, same step, same number of threads; prints both, side by side, and the ratio.
# Target: crs4j within 1.5x of PyTorch's time.
#
#   scripts/bench-transformer-block.sh     # THREADS=2 REPEATS=3 TORCH_BLAS_DIR=... SIZE="8 128 256 8 4 688" (all optional)
#
# SIZE is "batch seq dim heads kv_heads hidden"; the default block: batch 8 x 128 tokens, model dim 256, 8 heads of
# 32 with 4 kv heads (grouped-query attention), SwiGLU hidden 688, RMSNorm, rotary positions: 725,504 parameters.
# Both sides time it the same way: 3 warm-up iterations, then 5 iterations of 1 s, each the mean step time; a side's
# figure for a repeat is the mean of its iterations. PyTorch and crs4j run one right after the other (alternating
# which goes first), REPEATS times, and the table gives min / median / max over the repeats and the paired ratios
# (scripts/bench-lib.sh: THREADS, REPEATS, JMH_OPTS, CRS4J_JAVA_OPTS). About 1 minute per repeat on 2 cores.
#
# PyTorch's BLAS matters: Debian's python3-torch links libblas.so.3, the reference (netlib) BLAS unless OpenBLAS is
# installed (libopenblas0-pthread), and with it torch's matrix products are 10-50x slower: no fair peer. Set
# TORCH_BLAS_DIR to a folder holding OpenBLAS's libblas.so.3 to give torch OpenBLAS without installing anything, e.g.
#   apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread_*.deb ob
#   TORCH_BLAS_DIR=$PWD/ob/usr/lib/x86_64-linux-gnu/openblas-pthread scripts/bench-transformer-block.sh
# The script prints which BLAS torch loaded. Under load from other processes OpenMP's default spin-waiting costs
# torch up to 3x (measured here), so torch runs under both wait policies (TORCH_WAIT_POLICIES, default
# "default PASSIVE") and its faster run is the repeat's figure.
#
# Peak memory of a crs4j step: the smallest -Xmx (bisected to 8 MiB, SerialGC) in which five steps run, and the live
# heap at the phase boundaries and after full collections (TrainStepMemoryProbe); for PyTorch, the peak RSS.
set -euo pipefail
. "$(dirname "$0")/bench-lib.sh"
read -r BATCH SEQ DIM HEADS KV HIDDEN <<< "${SIZE:-8 128 256 8 4 688}"
POLICIES=${TORCH_WAIT_POLICIES:-default PASSIVE}
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dcrs4j.threads="$THREADS")
JMH_DEFAULTS="-f 1 -wi 3 -w 1 -i 5 -r 1"
if [ -z "${TORCH_BLAS_DIR-}" ] && [ -f /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  TORCH_BLAS_DIR=/usr/lib/x86_64-linux-gnu/openblas-pthread
fi

echo "== load before: $(uptime)"
bench_build
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
bench_results transformer-block
echo "== block: batch $BATCH x $SEQ tokens, dim $DIM, $HEADS heads of $((DIM / HEADS)) ($KV kv heads), SwiGLU hidden $HIDDEN"
echo "== crs4j JMH TransformerBlockTrainStepBenchmark (${JMH_OPTS:-$JMH_DEFAULTS}) and PyTorch (OpenMP wait policies:" \
  "$POLICIES), $THREADS threads, $REPEATS repeats"

peer() {
  local best="" policy out ms
  for policy in $POLICIES; do
    out=$( ( [ "$policy" = default ] || export OMP_WAIT_POLICY=$policy
      LD_LIBRARY_PATH="${TORCH_BLAS_DIR-}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        "$PY" scripts/bench_transformer_block.py "$BATCH" "$SEQ" "$DIM" "$HEADS" "$KV" "$HIDDEN" --threads "$THREADS" \
          --warmup 3 --iterations 5 --time 1 ) )
    echo "$out" > "$tmp/peer-$policy.txt"
    ms=$(echo "$out" | sed -n 's/^pytorch_mean_ms //p')
    echo "   PyTorch, OMP_WAIT_POLICY=$policy: $ms ms"
    if [ -z "$best" ] || "$PY" -c "import sys; sys.exit(0 if $ms < $best else 1)"; then best=$ms; fi
  done
  bench_record "transformer block training step" PyTorch "$rep" "$best"
}
ours() {
  bench_jmh "$tmp/jmh.json" "$tmp/jmh.log" "$JMH_DEFAULTS" TransformerBlockTrainStepBenchmark \
    -p batch="$BATCH" -p seq="$SEQ" -p dim="$DIM" -p heads="$HEADS" -p kvHeads="$KV" -p hidden="$HIDDEN"
  local ms
  ms=$(jmh_value "$tmp/jmh.json" trainStep)
  echo "   crs4j: $ms ms"
  bench_record "transformer block training step" crs4j "$rep" "$ms"
}
for ((rep = 1; rep <= REPEATS; rep++)); do
  if peer_first "$rep"; then peer; ours; else ours; peer; fi
  echo "   repeat $rep done (load $(bench_load))"
done
peer_blas=$(head -1 "$tmp"/peer-*.txt | grep -m1 pytorch)
case "$peer_blas" in *openblas*) ;; *) echo "warning: PyTorch runs on the reference BLAS: set TORCH_BLAS_DIR (see the header) for a fair peer" ;; esac

echo "== crs4j peak memory of a training step"
lo=16; hi=1024   # MiB; bisect the smallest heap in which 5 steps run
while [ $((hi - lo)) -gt 8 ]; do
  mid=$(((lo + hi) / 2))
  if "$JAVA_HOME/bin/java" "${FLAGS[@]}" -Xmx${mid}m -XX:+UseSerialGC -cp "$jar" org.crs4j.bench.TrainStepMemoryProbe \
      transformer 5 "$BATCH" "$SEQ" "$DIM" "$HEADS" "$KV" "$HIDDEN" >/dev/null 2>&1; then hi=$mid; else lo=$mid; fi
done
"$JAVA_HOME/bin/java" "${FLAGS[@]}" -Xmx${hi}m -XX:+UseSerialGC -cp "$jar" org.crs4j.bench.TrainStepMemoryProbe \
  transformer 5 "$BATCH" "$SEQ" "$DIM" "$HEADS" "$KV" "$HIDDEN" 2>/dev/null | sed "s/^/(at -Xmx${hi}m) /"
echo "smallest -Xmx (SerialGC) in which 5 training steps run: ${hi} MiB (fails at ${lo} MiB)"
echo "PyTorch peak RSS: $(sed -n 's/^pytorch_peak_rss_mib //p' "$tmp"/peer-*.txt | sort -n | tail -1) MiB"

echo "== load after: $(uptime)"
echo
printf "transformer block training step (batch %s x %s, dim %s, %s heads / %s kv, hidden %s), %s threads; target: crs4j\n" \
  "$BATCH" "$SEQ" "$DIM" "$HEADS" "$KV" "$HIDDEN" "$THREADS"
echo "within 1.5x of PyTorch's time, i.e. a ratio of at least 0.67 below. PyTorch: $peer_blas"
"$PY" scripts/bench_table.py "$tsv" --peer PyTorch --unit "ms per training step" --lower-is-better \
  --ratio "ratio = PyTorch's time / crs4j's (> 1: crs4j is faster)"
echo "measurements: $tsv"
