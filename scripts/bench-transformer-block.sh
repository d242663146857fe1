#!/usr/bin/env bash
# One training step (forward, backward, AdamW) of a LLaMA decoder block, in crs4j (JMH,
# bench/.../TransformerBlockTrainStepBenchmark.java) and in Debian's CPU PyTorch (scripts/bench_transformer_block.py),
# in the same run, same sizes, same step, same number of threads; prints both, side by side, and the ratio.
# Target: crs4j within 1.5x of PyTorch's time.
#
#   scripts/bench-transformer-block.sh     # THREADS=2 TORCH_BLAS_DIR=... SIZE="8 128 256 8 4 688" (all optional)
#
# SIZE is "batch seq dim heads kv_heads hidden"; the default block: batch 8 x 128 tokens, model dim 256, 8 heads of
# 32 with 4 kv heads (grouped-query attention), SwiGLU hidden 688, RMSNorm, rotary positions: 725,504 parameters.
# Both sides time it the same way: 5 warm-up iterations, then 10 iterations of 2 s, each the mean step time; the
# figure is the mean of the iterations, and the fastest iteration shows the step without interference when other
# processes load the machine.
#
# PyTorch's BLAS matters: Debian's python3-torch links libblas.so.3, the reference (netlib) BLAS unless OpenBLAS is
# installed (libopenblas0-pthread), and with it torch's matrix products are 10-50x slower: no fair peer. Set
# TORCH_BLAS_DIR to a folder holding OpenBLAS's libblas.so.3 to give torch OpenBLAS without installing anything, e.g.
#   apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread_*.deb ob
#   TORCH_BLAS_DIR=$PWD/ob/usr/lib/x86_64-linux-gnu/openblas-pthread scripts/bench-transformer-block.sh
# The script prints which BLAS torch loaded. Under load from other processes OpenMP's default spin-waiting costs
# torch up to 3x (measured here), so torch runs under both wait policies (default and OMP_WAIT_POLICY=PASSIVE) and
# its faster run is the figure.
#
# Peak memory of a crs4j step: the smallest -Xmx (bisected to 8 MiB, SerialGC) in which five steps run, and the live
# heap at the phase boundaries and after full collections (TrainStepMemoryProbe); for PyTorch, the peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
. .mvn/select-jdk.sh
JAVA="$JAVA_HOME/bin/java"
PY=/usr/bin/python3
THREADS=${THREADS:-2}
read -r BATCH SEQ DIM HEADS KV HIDDEN <<< "${SIZE:-8 128 256 8 4 688}"
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dcrs4j.threads="$THREADS")
OUT=bench/target/transformer-block

echo "== load before: $(uptime)"
./mvnw -q -B -pl bench -am package -DskipTests
mkdir -p "$OUT"
echo "== block: batch $BATCH x $SEQ tokens, dim $DIM, $HEADS heads of $((DIM / HEADS)) ($KV kv heads), SwiGLU hidden $HIDDEN"

echo "== crs4j (JMH, $THREADS threads)"
if ! "$JAVA" -Djmh.ignoreLock=true -jar bench/target/benchmarks.jar TransformerBlockTrainStepBenchmark \
    -p batch="$BATCH" -p seq="$SEQ" -p dim="$DIM" -p heads="$HEADS" -p kvHeads="$KV" -p hidden="$HIDDEN" \
    -jvmArgsAppend "${FLAGS[*]} -XX:+UseParallelGC -Xmx4g" -rf json -rff "$OUT/jmh.json" > "$OUT/jmh.log" 2>&1; then
  tail -5 "$OUT/jmh.log" >&2
  exit 1
fi
grep -E "^(Benchmark|TransformerBlockTrainStep)" "$OUT/jmh.log"
read -r CRS4J_MS CRS4J_ERR CRS4J_MIN < <("$PY" -c "
import json; m = json.load(open('$OUT/jmh.json'))[0]['primaryMetric']; raw = m['rawData'][0]
print(f\"{m['score']:.1f} {m['scoreError']:.1f} {min(raw):.1f}\")")
echo "crs4j iterations (ms/step): $("$PY" -c "import json; r=json.load(open('$OUT/jmh.json'))[0]['primaryMetric']; print(' '.join(f'{x:.1f}' for x in r['rawData'][0]))")"

echo "== PyTorch ($THREADS threads)"
if [ -z "${TORCH_BLAS_DIR-}" ] && [ -f /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  TORCH_BLAS_DIR=/usr/lib/x86_64-linux-gnu/openblas-pthread
fi
TORCH_MS=""; TORCH_MIN=""; TORCH_POLICY=""
for policy in default PASSIVE; do
  echo "-- OMP_WAIT_POLICY=$policy"
  TORCH_OUT=$( ( [ "$policy" = default ] || export OMP_WAIT_POLICY=$policy
    LD_LIBRARY_PATH="${TORCH_BLAS_DIR-}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
      "$PY" scripts/bench_transformer_block.py "$BATCH" "$SEQ" "$DIM" "$HEADS" "$KV" "$HIDDEN" --threads "$THREADS" ) )
  echo "$TORCH_OUT"
  case "$TORCH_OUT" in *openblas*) ;; *) echo "warning: PyTorch runs on the reference BLAS: set TORCH_BLAS_DIR (see the header) for a fair peer" ;; esac
  ms=$(echo "$TORCH_OUT" | sed -n 's/^pytorch_mean_ms //p')
  mn=$(echo "$TORCH_OUT" | sed -n 's/^pytorch_best_ms //p')
  if [ -z "$TORCH_MS" ] || "$PY" -c "import sys; sys.exit(0 if $ms < $TORCH_MS else 1)"; then TORCH_MS=$ms; TORCH_POLICY=$policy; fi
  TORCH_MIN=$("$PY" -c "print(min(x for x in [$mn, ${TORCH_MIN:-1e30}]))")
done

echo "== crs4j peak memory of a training step"
lo=16; hi=1024   # MiB; bisect the smallest heap in which 5 steps run
while [ $((hi - lo)) -gt 8 ]; do
  mid=$(((lo + hi) / 2))
  if "$JAVA" "${FLAGS[@]}" -Xmx${mid}m -XX:+UseSerialGC -cp bench/target/benchmarks.jar org.crs4j.bench.TrainStepMemoryProbe \
      transformer 5 "$BATCH" "$SEQ" "$DIM" "$HEADS" "$KV" "$HIDDEN" >/dev/null 2>&1; then hi=$mid; else lo=$mid; fi
done
"$JAVA" "${FLAGS[@]}" -Xmx${hi}m -XX:+UseSerialGC -cp bench/target/benchmarks.jar org.crs4j.bench.TrainStepMemoryProbe \
  transformer 5 "$BATCH" "$SEQ" "$DIM" "$HEADS" "$KV" "$HIDDEN" 2>/dev/null | sed "s/^/(at -Xmx${hi}m) /"
echo "smallest -Xmx (SerialGC) in which 5 training steps run: ${hi} MiB (fails at ${lo} MiB)"

echo "== load after: $(uptime)"
echo
printf "transformer block training step (batch %s x %s, dim %s, %s heads / %s kv, hidden %s), %s threads:\n" \
  "$BATCH" "$SEQ" "$DIM" "$HEADS" "$KV" "$HIDDEN" "$THREADS"
printf "  mean:    crs4j %s ± %s ms  |  PyTorch %s ms (OMP_WAIT_POLICY=%s)  |  ratio %s (target <= 1.5)\n" \
  "$CRS4J_MS" "$CRS4J_ERR" "$TORCH_MS" "$TORCH_POLICY" "$("$PY" -c "print(f'{$CRS4J_MS / $TORCH_MS:.2f}')")"
printf "  fastest: crs4j %s ms  |  PyTorch %s ms  |  ratio %s\n" "$CRS4J_MIN" "$TORCH_MIN" \
  "$("$PY" -c "print(f'{$CRS4J_MIN / $TORCH_MIN:.2f}')")"
