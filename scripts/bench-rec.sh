#!/usr/bin/env bash
# The recommender of seed 003 (full variant) on a prepared dataset: time per training epoch and test evaluation time
# in crs4j (its real trainer and evaluation, bench's RecTrainEpoch) and in Debian's CPU PyTorch (scripts/bench-rec.py:
# the same model, loss and update), in the same run, on the same data and the same number of threads; prints both
# and the ratio; then crs4j's peak heap of training by -Xmx bisection.
#
#   scripts/bench-rec.sh                 # DATASET=redial THREADS=2 EPOCHS=2 DATA_DIR=../shared/data TORCH_BLAS_DIR=...
#                                        # POLICIES="default PASSIVE" TORCH_VARIANTS=sparse,index MEMORY=1 (all optional)
#
# The epoch figure of each side is its fastest epoch after the first (JIT and allocator warm-up); evaluation is the
# fastest of three passes over the test split. PyTorch needs OpenBLAS to be a fair peer: see scripts/bench-rgcn.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. .mvn/select-jdk.sh
JAVA="$JAVA_HOME/bin/java"
PY=/usr/bin/python3
DATASET=${DATASET:-redial}
THREADS=${THREADS:-2}
EPOCHS=${EPOCHS:-2}
DATA_DIR=${DATA_DIR:-../shared/data}
CACHE_DIR=${CRS4J_CACHE_DIR:-$HOME/.cache/crs4j/data}
PEER=bench/target/rec-peer-$DATASET.safetensors
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dcrs4j.threads="$THREADS")
JAR=bench/target/benchmarks.jar

echo "== load before: $(uptime)"
[ -f "$JAR" ] && [ -z "$(find crs/src bench/src -newer "$JAR" -type f | head -1)" ] || ./mvnw -q -B -pl bench -am package -DskipTests

echo "== crs4j ($THREADS threads)"
CRS=$("$JAVA" "${FLAGS[@]}" -Xmx8g -XX:+UseParallelGC -cp "$JAR" org.crs4j.bench.RecTrainEpoch time "$DATASET" "$DATA_DIR" "$CACHE_DIR" "$PEER" "$EPOCHS" 2>/dev/null)
echo "$CRS"
CRS_EPOCH=$(echo "$CRS" | awk '/^crs4j_epoch_seconds/ && $2 > 1 {print $3}' | sort -g | head -1)
CRS_EVAL=$(echo "$CRS" | awk '/^crs4j_eval_seconds/ {print $2}' | sort -g | head -1)

echo "== PyTorch ($THREADS threads)"
if [ -z "${TORCH_BLAS_DIR-}" ] && [ -f /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  TORCH_BLAS_DIR=/usr/lib/x86_64-linux-gnu/openblas-pthread
fi
TORCH_EPOCH=""; TORCH_EVAL=""
# OpenMP's default spin-waiting costs torch up to 3x when other processes load the machine (bench-rgcn.sh measured
# it); both policies run and the faster counts. POLICIES=PASSIVE skips the spinning one on a loaded machine.
for policy in ${POLICIES:-default PASSIVE}; do
  echo "-- OMP_WAIT_POLICY=$policy"
  OUTP=$( ( [ "$policy" = default ] || export OMP_WAIT_POLICY=$policy
    LD_LIBRARY_PATH="${TORCH_BLAS_DIR-}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$PY" scripts/bench-rec.py "$PEER" --threads "$THREADS" --epochs "$EPOCHS" --variants "${TORCH_VARIANTS:-sparse,index}" ) )
  echo "$OUTP"
  case "$OUTP" in *openblas*) ;; *) echo "warning: PyTorch runs on the reference BLAS: set TORCH_BLAS_DIR (see scripts/bench-rgcn.sh) for a fair peer" ;; esac
  e=$(echo "$OUTP" | sed -n 's/^pytorch_best_epoch_seconds //p'); v=$(echo "$OUTP" | sed -n 's/^pytorch_best_eval_seconds //p')
  TORCH_EPOCH=$("$PY" -c "print(min(x for x in [$e, ${TORCH_EPOCH:-1e30}]))")
  TORCH_EVAL=$("$PY" -c "print(min(x for x in [$v, ${TORCH_EVAL:-1e30}]))")
done

if [ "${MEMORY:-1}" = 1 ]; then
  echo "== crs4j peak heap of training (10 updates, SerialGC, -Xmx bisection to 32 MiB)"
  lo=128; hi=4096
  while [ $((hi - lo)) -gt 32 ]; do
    mid=$(((lo + hi) / 2))
    if "$JAVA" "${FLAGS[@]}" -Xmx${mid}m -XX:+UseSerialGC -cp "$JAR" org.crs4j.bench.RecTrainEpoch memory "$DATASET" "$DATA_DIR" "$CACHE_DIR" 10 >/dev/null 2>&1; then hi=$mid; else lo=$mid; fi
  done
  echo "smallest -Xmx in which 10 training updates run: ${hi} MiB (fail at ${lo} MiB)"
fi

echo "== load after: $(uptime)"
echo
printf "training epoch (%s, full variant): crs4j %s s / PyTorch %s s = %s\n" "$DATASET" "$CRS_EPOCH" "$TORCH_EPOCH" \
  "$("$PY" -c "print(f'{$CRS_EPOCH / $TORCH_EPOCH:.2f}x')")"
printf "test evaluation (top 50):          crs4j %s s / PyTorch %s s = %s\n" "$CRS_EVAL" "$TORCH_EVAL" \
  "$("$PY" -c "print(f'{$CRS_EVAL / $TORCH_EVAL:.2f}x')")"
