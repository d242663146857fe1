#!/usr/bin/env bash
# One RLPF step (sampling 8 episodes x 32 tokens, scoring, backward, AdamW) of crs4j's small T5 controller, in crs4j
# (JMH, bench/.../RlpfStepBenchmark.java) and in Debian's CPU PyTorch (scripts/bench_rlpf_step.py), in the same run,
# same model settings (crs/.../controller-small.json: 6.8 M parameters), the same prompt ids, same number of threads;
# prints both, side by side, and the ratio. Target: crs4j at most 1.0x PyTorch's time.
#
#   scripts/bench-rlpf.sh          # THREADS=2 TORCH_BLAS_DIR=... (optional)
#
# Both sides time it the same way: 3 warm-up iterations, then 10 iterations of 3 s, each the mean step time; the
# figure is the mean of the iterations, and the fastest iteration shows the step without interference when other
# processes load the machine. Both also report the process's CPU time per step (all threads: compute, and GC and JIT
# for crs4j), which other jobs on the machine disturb much less than wall-clock time. PyTorch gets OpenBLAS through TORCH_BLAS_DIR (default: Debian's openblas-pthread folder
# when installed; see scripts/bench-transformer-block.sh for why) and runs under both OpenMP wait policies, its faster
# run being the figure.
#
# Peak memory of a crs4j step: the smallest -Xmx (bisected to 8 MiB, SerialGC) in which five steps run, and the live
# heap before a step and after full collections (TrainStepMemoryProbe rlpf); for PyTorch, the peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
. .mvn/select-jdk.sh
JAVA="$JAVA_HOME/bin/java"
PY=/usr/bin/python3
THREADS=${THREADS:-2}
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dcrs4j.threads="$THREADS")
OUT=bench/target/rlpf

echo "== load before: $(uptime)"
./mvnw -q -B -pl bench -am package -DskipTests
mkdir -p "$OUT"
"$JAVA" "${FLAGS[@]}" -cp bench/target/benchmarks.jar org.crs4j.bench.RlpfStep "$OUT/workload.json" 2>/dev/null

echo "== crs4j (JMH, $THREADS threads)"
if ! "$JAVA" -Djmh.ignoreLock=true -jar bench/target/benchmarks.jar RlpfStepBenchmark \
    -jvmArgsAppend "${FLAGS[*]} -XX:+UseParallelGC -Xmx4g" -rf json -rff "$OUT/jmh.json" > "$OUT/jmh.log" 2>&1; then
  tail -5 "$OUT/jmh.log" >&2
  exit 1
fi
grep -E "^(Benchmark|RlpfStepBenchmark)" "$OUT/jmh.log"
read -r CRS4J_MS CRS4J_ERR CRS4J_MIN < <("$PY" -c "
import json; m = json.load(open('$OUT/jmh.json'))[0]['primaryMetric']; raw = m['rawData'][0]
print(f\"{m['score']:.1f} {m['scoreError']:.1f} {min(raw):.1f}\")")
echo "crs4j iterations (ms/step): $("$PY" -c "import json; r=json.load(open('$OUT/jmh.json'))[0]['primaryMetric']; print(' '.join(f'{x:.1f}' for x in r['rawData'][0]))")"
CRS4J_CPU=$("$JAVA" "${FLAGS[@]}" -XX:+UseParallelGC -Xmx4g -cp bench/target/benchmarks.jar org.crs4j.bench.RlpfStepCpuTime 2>/dev/null \
  | sed -n 's/^crs4j_cpu_ms //p')
echo "crs4j process CPU time per step: $CRS4J_CPU ms"

echo "== PyTorch ($THREADS threads)"
if [ -z "${TORCH_BLAS_DIR-}" ] && [ -f /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  TORCH_BLAS_DIR=/usr/lib/x86_64-linux-gnu/openblas-pthread
fi
TORCH_MS=""; TORCH_MIN=""; TORCH_POLICY=""; TORCH_CPU=""
for policy in default PASSIVE; do
  echo "-- OMP_WAIT_POLICY=$policy"
  TORCH_OUT=$( ( [ "$policy" = default ] || export OMP_WAIT_POLICY=$policy
    LD_LIBRARY_PATH="${TORCH_BLAS_DIR-}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
      "$PY" scripts/bench_rlpf_step.py "$OUT/workload.json" --threads "$THREADS" ) )
  echo "$TORCH_OUT"
  case "$TORCH_OUT" in *openblas*) ;; *) echo "warning: PyTorch runs on the reference BLAS: set TORCH_BLAS_DIR for a fair peer" ;; esac
  ms=$(echo "$TORCH_OUT" | sed -n 's/^pytorch_mean_ms //p')
  mn=$(echo "$TORCH_OUT" | sed -n 's/^pytorch_best_ms //p')
  cpu=$(echo "$TORCH_OUT" | sed -n 's/^pytorch_cpu_ms //p')
  if [ -z "$TORCH_MS" ] || "$PY" -c "import sys; sys.exit(0 if $ms < $TORCH_MS else 1)"; then TORCH_MS=$ms; TORCH_POLICY=$policy; fi
  if [ -z "$TORCH_CPU" ] || "$PY" -c "import sys; sys.exit(0 if $cpu < $TORCH_CPU else 1)"; then TORCH_CPU=$cpu; fi
  TORCH_MIN=$("$PY" -c "print(min(x for x in [$mn, ${TORCH_MIN:-1e30}]))")
done

echo "== crs4j peak memory of an RLPF step"
lo=16; hi=1024   # MiB; bisect the smallest heap in which 5 steps run
while [ $((hi - lo)) -gt 8 ]; do
  mid=$(((lo + hi) / 2))
  if "$JAVA" "${FLAGS[@]}" -Xmx${mid}m -XX:+UseSerialGC -cp bench/target/benchmarks.jar org.crs4j.bench.TrainStepMemoryProbe \
      rlpf 5 >/dev/null 2>&1; then hi=$mid; else lo=$mid; fi
done
"$JAVA" "${FLAGS[@]}" -Xmx${hi}m -XX:+UseSerialGC -cp bench/target/benchmarks.jar org.crs4j.bench.TrainStepMemoryProbe \
  rlpf 5 2>/dev/null | sed "s/^/(at -Xmx${hi}m) /"
echo "smallest -Xmx (SerialGC) in which 5 RLPF steps run: ${hi} MiB (fails at ${lo} MiB)"

echo "== load after: $(uptime)"
echo
printf "RLPF step of the small controller (8 episodes x 32 sampled tokens, scoring, backward, AdamW), %s threads:\n" "$THREADS"
printf "  mean:    crs4j %s ± %s ms  |  PyTorch %s ms (OMP_WAIT_POLICY=%s)  |  ratio %s (target <= 1.0)\n" \
  "$CRS4J_MS" "$CRS4J_ERR" "$TORCH_MS" "$TORCH_POLICY" "$("$PY" -c "print(f'{$CRS4J_MS / $TORCH_MS:.2f}')")"
printf "  fastest: crs4j %s ms  |  PyTorch %s ms  |  ratio %s\n" "$CRS4J_MIN" "$TORCH_MIN" \
  "$("$PY" -c "print(f'{$CRS4J_MIN / $TORCH_MIN:.2f}')")"
printf "  CPU time per step (all threads): crs4j %s ms  |  PyTorch %s ms  |  ratio %s\n" "$CRS4J_CPU" "$TORCH_CPU" \
  "$("$PY" -c "print(f'{$CRS4J_CPU / $TORCH_CPU:.2f}')")"
