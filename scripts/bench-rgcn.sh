#!/usr/bin/env bash
# One RGCN training step (forward, backward, AdamW) on ReDial's DBpedia subgraph, in crs4j (JMH) and in Debian's
# CPU PyTorch, in the same run, on the same graph file and the same number of threads; prints both and the ratio.
#
#   scripts/bench-rgcn.sh            # THREADS=2 DATA_DIR=../shared/data TORCH_BLAS_DIR=... (all optional)
#
# The workload is described in bench/src/main/java/org/crs4j/bench/RgcnTrainStep.java and scripts/bench-rgcn.py.
# PyTorch's BLAS matters: Debian's python3-torch links libblas.so.3, which is the reference (netlib) BLAS unless
# OpenBLAS is installed (libopenblas0-pthread). Set TORCH_BLAS_DIR to a folder holding OpenBLAS's libblas.so.3 to
# give torch OpenBLAS without installing it, e.g.
#   apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread_*.deb ob
#   TORCH_BLAS_DIR=$PWD/ob/usr/lib/x86_64-linux-gnu/openblas-pthread scripts/bench-rgcn.sh
# Peak memory: the smallest -Xmx (bisected to 16 MiB) in which five crs4j training steps complete, plus the live
# heap at the phase boundaries of a step (TrainStepMemoryProbe); for PyTorch, the process's peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
. .mvn/select-jdk.sh
JAVA="$JAVA_HOME/bin/java"
PY=/usr/bin/python3
THREADS=${THREADS:-2}
DATA_DIR=${DATA_DIR:-../shared/data}
GRAPH=bench/target/rgcn-graph.safetensors
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dcrs4j.threads="$THREADS")

echo "== load before: $(uptime)"
./mvnw -q -B -pl bench -am package -DskipTests
"$JAVA" "${FLAGS[@]}" -cp bench/target/benchmarks.jar org.crs4j.bench.RgcnGraph "$GRAPH" "$DATA_DIR" 2>/dev/null

echo "== crs4j (JMH, $THREADS threads)"
# JMH holds a lock file (jmh.lock in the temporary directory): another JMH run on the machine makes this one stop (retry when it is done)
if ! "$JAVA" -jar bench/target/benchmarks.jar RgcnTrainStepBenchmark -p graph="$GRAPH" \
    -jvmArgsAppend "${FLAGS[*]} -Xmx8g" -rf json -rff bench/target/rgcn-jmh.json > bench/target/rgcn-jmh.log 2>&1; then
  tail -5 bench/target/rgcn-jmh.log >&2
  exit 1
fi
grep -E "^(Benchmark|RgcnTrainStep)" bench/target/rgcn-jmh.log
CRS4J_MS=$("$PY" -c "import json; r=json.load(open('bench/target/rgcn-jmh.json'))[0]['primaryMetric']; print(f\"{r['score']:.1f}\")")
CRS4J_MIN=$("$PY" -c "import json; r=json.load(open('bench/target/rgcn-jmh.json'))[0]['primaryMetric']; print(f\"{min(r['rawData'][0]):.1f}\")")
echo "crs4j iterations (ms/step): $("$PY" -c "import json; r=json.load(open('bench/target/rgcn-jmh.json'))[0]['primaryMetric']; print(' '.join(f'{x:.1f}' for x in r['rawData'][0]))")"

echo "== PyTorch ($THREADS threads)"
if [ -z "${TORCH_BLAS_DIR-}" ] && [ -f /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  TORCH_BLAS_DIR=/usr/lib/x86_64-linux-gnu/openblas-pthread
fi
# Under load from other processes, OpenMP's default spin-waiting costs torch up to 3x (measured here); passive
# waiting avoids it. Both are run and the faster counts.
TORCH_MS=""; TORCH_MIN=""
for policy in default PASSIVE; do
  echo "-- OMP_WAIT_POLICY=$policy"
  TORCH_OUT=$( ( [ "$policy" = default ] || export OMP_WAIT_POLICY=$policy
    LD_LIBRARY_PATH="${TORCH_BLAS_DIR-}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$PY" scripts/bench-rgcn.py "$GRAPH" --threads "$THREADS" ) )
  echo "$TORCH_OUT"
  case "$TORCH_OUT" in *openblas*) ;; *) echo "warning: PyTorch runs on the reference BLAS: set TORCH_BLAS_DIR (see the header) for a fair peer" ;; esac
  ms=$(echo "$TORCH_OUT" | sed -n 's/^pytorch_best_mean_ms //p')
  TORCH_MS=$("$PY" -c "print(min(x for x in [$ms, ${TORCH_MS:-1e30}]))")
  mn=$(echo "$TORCH_OUT" | sed -n 's/^pytorch_best_min_ms //p')
  TORCH_MIN=$("$PY" -c "print(min(x for x in [$mn, ${TORCH_MIN:-1e30}]))")
done

echo "== crs4j peak memory of a training step"
"$JAVA" "${FLAGS[@]}" -Xmx8g -cp bench/target/benchmarks.jar org.crs4j.bench.TrainStepMemoryProbe rgcn "$GRAPH" 2 2>/dev/null
lo=64; hi=2048   # MiB; bisect the smallest heap in which 5 steps run
while [ $((hi - lo)) -gt 16 ]; do
  mid=$(((lo + hi) / 2))
  if "$JAVA" "${FLAGS[@]}" -Xmx${mid}m -XX:+UseSerialGC -cp bench/target/benchmarks.jar org.crs4j.bench.TrainStepMemoryProbe rgcn "$GRAPH" 5 >/dev/null 2>&1; then hi=$mid; else lo=$mid; fi
done
"$JAVA" "${FLAGS[@]}" -Xmx${hi}m -XX:+UseSerialGC -cp bench/target/benchmarks.jar org.crs4j.bench.TrainStepMemoryProbe rgcn "$GRAPH" 5 2>/dev/null \
  | grep "full GC" | sed "s/^/(at -Xmx${hi}m) /"
echo "smallest -Xmx (SerialGC) in which 5 training steps run: ${hi} MiB (fails at ${lo} MiB)"

echo "== load after: $(uptime)"
echo
# The mean is the figure; the fastest step of each side (a JMH iteration's average, a single torch step) shows
# what a step costs without interference when other processes load the machine during the run.
printf "RGCN training step, mean:    crs4j %s ms / PyTorch %s ms = %s\n" "$CRS4J_MS" "$TORCH_MS" \
  "$("$PY" -c "print(f'{$CRS4J_MS / $TORCH_MS:.2f}x')")"
printf "RGCN training step, fastest: crs4j %s ms / PyTorch %s ms = %s\n" "$CRS4J_MIN" "$TORCH_MIN" \
  "$("$PY" -c "print(f'{$CRS4J_MIN / $TORCH_MIN:.2f}x')")"
