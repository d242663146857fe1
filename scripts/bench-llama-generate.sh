#!/bin/sh
# Greedy decoding speed of crs4j's LLaMA, side by side with its peers, in one run:
#   1. stories260K (../shared/models/stories260K, or $SHARED/models/stories260K): crs4j (1 and 2 compute threads)
#      against llama2.c's run.c on the same checkpoint, same number of tokens, same "achieved tok/s" definition
#      (tokens after the first, timed from the first). run.c is built from $LLAMA2C_DIR/run.c with gcc -O3, in a
#      temporary folder outside this repository (none of llama2.c's code is in crs4j).
#   2. a synthetic LLaMA of TinyLlama-1.1B's shape in BF16 (written once to $SYNTH_DIR, 2.2 GB): decoding tokens/s
#      against the memory-bandwidth limit (weight bytes per token / bandwidth streamed in the same JVM).
#
#   LLAMA2C_DIR=/path/to/llama2.c scripts/bench-llama-generate.sh
#
# Variables: LLAMA2C_DIR (required for part 1's peer; without it part 1 runs crs4j only), SHARED (default ../shared),
# TOKENS (default 256), RUNS (default 10), SYNTH_DIR (default /tmp/crs4j-llama-1b), SKIP_1B=1.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/select-jdk.sh"
shared=${SHARED:-$root/../shared}
stories="$shared/models/stories260K"
tokens=${TOKENS:-256}
runs=${RUNS:-10}
synth=${SYNTH_DIR:-/tmp/crs4j-llama-1b}
jar="$root/bench/target/benchmarks.jar"
java="$JAVA_HOME/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmx4g"

echo "== building the benchmarks jar"
(cd "$root" && ./mvnw -q -B -DskipTests -pl bench -am package)
echo "== machine: $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== stories260K, greedy, $tokens tokens from BOS, $runs runs"
for t in 1 2; do
  echo "-- crs4j, $t compute thread(s)"
  $java -Dcrs4j.threads=$t -cp "$jar" org.crs4j.bench.GenerateBench "$stories/stories260K.bin" "$tokens" "$runs" "$stories/tok512.bin" \
    2>/dev/null | tee "/tmp/crs4j-gen-$t.txt" | tail -n 1
done
if [ -n "${LLAMA2C_DIR-}" ]; then
  build=$(mktemp -d)
  trap 'rm -rf "$build"' EXIT
  cp "$LLAMA2C_DIR/run.c" "$build/run.c"
  gcc -O3 -o "$build/run" "$build/run.c" -lm
  echo "-- llama2.c run.c (gcc -O3, one thread)"
  : > "$build/rates"
  i=0
  while [ $i -lt "$runs" ]; do
    "$build/run" "$stories/stories260K.bin" -z "$stories/tok512.bin" -t 0 -n $((tokens + 1)) -i "" 2>&1 >/dev/null \
      | sed -n 's/achieved tok\/s: //p' >> "$build/rates"
    i=$((i + 1))
  done
  sort -n "$build/rates" | awk '{a[NR]=$1} END {printf "run.c tokens/s: best %.1f median %.1f (%d runs)\n", a[NR], a[int((NR+1)/2)], NR}' \
    | tee "$build/summary"
  runc=$(sed -n 's/.*best \([0-9.]*\) median \([0-9.]*\).*/\1 \2/p' "$build/summary")
  for t in 1 2; do
    sed -n 's/.*best \([0-9.]*\) median \([0-9.]*\).*/\1 \2/p' "/tmp/crs4j-gen-$t.txt" | while read -r best median; do
      echo "$runc" | while read -r rbest rmedian; do
        awk -v t="$t" -v b="$best" -v m="$median" -v rb="$rbest" -v rm="$rmedian" \
          'BEGIN {printf "ratio crs4j (%d compute threads) / run.c: best %.2f, median %.2f\n", t, b / rb, m / rm}'
      done
    done
  done
else
  echo "-- llama2.c run.c: skipped (set LLAMA2C_DIR to a llama2.c checkout to compare)"
fi

if [ "${SKIP_1B-}" != 1 ]; then
  echo "== synthetic TinyLlama-1.1B shape, BF16, in $synth"
  if [ ! -f "$synth/model.safetensors.index.json" ]; then
    $java -cp "$jar" org.crs4j.models.llama.SyntheticCheckpoint 1b "$synth" 2>/dev/null
  fi
  $java -cp "$jar" org.crs4j.bench.DecodeRoofline "$synth" 32 8 2>/dev/null
fi
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
