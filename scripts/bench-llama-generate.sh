#!/bin/sh
# Greedy decoding speed of crs4j's LLaMA, side by side with its peers, in one run:
#   1. stories260K (../shared/models/stories260K, or $SHARED/models/stories260K): crs4j (1 and 2 compute threads)
#      against llama2.c's run.c on the same checkpoint, same number of tokens, same "achieved tok/s" definition
#      (tokens after the first, timed from the first), and in tokens per CPU-second of each process, which other jobs
#      on a shared machine disturb far less. crs4j runs WARMUP runs first (JIT warm-up, reported apart: run.c is
#      compiled ahead of time). run.c is built from $LLAMA2C_DIR/run.c with gcc -O3, in a temporary folder outside
#      this repository (none of llama2.c's code is in crs4j). crs4j and run.c take turns (alternating which goes
#      first), REPEATS times (default 3) of RUNS runs each; a side's figure for a repeat is its median run, and the
#      table gives min / median / max over the repeats and the paired ratios (scripts/bench-lib.sh).
#   2. a synthetic LLaMA of TinyLlama-1.1B's shape in BF16 (written once to $SYNTH_DIR, 2.2 GB): decoding tokens/s
#      against the memory-bandwidth limit (weight bytes per token / bandwidth streamed in the same JVM), with the
#      weights as stored (BF16, memory-mapped) and quantized to Q8_0 while loading.
#
#   LLAMA2C_DIR=/path/to/llama2.c scripts/bench-llama-generate.sh
#
# Variables: LLAMA2C_DIR (required for part 1's peer; without it part 1 runs crs4j only), SHARED (default ../shared),
# TOKENS (default 256), RUNS (default 10), WARMUP (default 10), REPEATS (default 3), THREADS (part 2, default all),
# SYNTH_DIR (default bench/target/crs4j-llama-1b), SKIP_1B=1, QUANTIZE (default "none q8"), RUNS_1B (default 8).
set -eu
. "$(dirname "$0")/bench-lib.sh"
shared=${SHARED:-$root/../shared}
stories="$shared/models/stories260K"
tokens=${TOKENS:-256}
runs=${RUNS:-10}
warmup=${WARMUP:-10}
synth=${SYNTH_DIR:-$root/bench/target/crs4j-llama-1b}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
java="$JAVA_HOME/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmx4g ${CRS4J_JAVA_OPTS-}"

bench_build
echo "== machine: $(nproc) cores; load average: $(bench_load)"
bench_results generate

echo "== stories260K, greedy, $tokens tokens from BOS, $REPEATS repeats of $runs runs (crs4j: after $warmup warm-up runs)"
runc=""
if [ -n "${LLAMA2C_DIR-}" ]; then
  cp "$LLAMA2C_DIR/run.c" "$out/run.c"
  gcc -O3 -o "$out/run" "$out/run.c" -lm
  runc="$out/run"
else
  echo "-- llama2.c run.c: skipped (set LLAMA2C_DIR to a llama2.c checkout to compare)"
fi
# "NAME tokens/s: best B median M ..." and "NAME tokens per CPU-second: best B median M" -> the medians
median() { sed -n "s|^$1 $2: best [0-9.]* median \([0-9.]*\).*|\1|p" "$3"; }
crs4j_side() {
  for t in 1 2; do
    $java -Dcrs4j.threads=$t -cp "$jar" org.crs4j.bench.GenerateBench "$stories/stories260K.bin" "$tokens" "$runs" "$stories/tok512.bin" "$warmup" \
      2>/dev/null > "$out/crs4j-gen-$t.txt"
    [ "$rep" -eq 1 ] && grep -m1 '^warm-up run 1:' "$out/crs4j-gen-$t.txt" | sed "s/^/   crs4j, $t compute thread(s), first /"
    grep '^crs4j tokens' "$out/crs4j-gen-$t.txt" | sed "s/^/   repeat $rep, $t compute thread(s): /"
    for what in "tokens/s" "tokens per CPU-second"; do
      # run.c is single-threaded: both crs4j thread counts are compared with it
      bench_record "$what, crs4j with $t compute thread(s)" crs4j "$rep" "$(median crs4j "$what" "$out/crs4j-gen-$t.txt")"
    done
  done
}
runc_side() {
  [ -n "$runc" ] || return 0
  $PY "$root/scripts/time_runc.py" "$runs" "$tokens" "$runc" "$stories/stories260K.bin" -z "$stories/tok512.bin" \
    -t 0 -n $((tokens + 1)) -i "" > "$out/runc.txt"
  grep '^run.c tokens' "$out/runc.txt" | sed "s/^/   repeat $rep: /"
  for what in "tokens/s" "tokens per CPU-second"; do
    for t in 1 2; do bench_record "$what, crs4j with $t compute thread(s)" run.c "$rep" "$(median run.c "$what" "$out/runc.txt")"; done
  done
}
rep=1
while [ "$rep" -le "$REPEATS" ]; do
  if peer_first "$rep"; then runc_side; crs4j_side; else crs4j_side; runc_side; fi
  rep=$((rep + 1))
done
$PY "$root/scripts/bench_table.py" "$tsv" --peer run.c --unit "tokens/s and tokens per CPU-second, median run of each repeat" \
  --ratio "ratio = crs4j / run.c (one thread)"
echo "measurements: $tsv"

if [ "${SKIP_1B-}" != 1 ]; then
  echo "== synthetic TinyLlama-1.1B shape, BF16, in $synth, $THREADS threads"
  if [ ! -f "$synth/model.safetensors.index.json" ]; then
    $java -cp "$jar" org.crs4j.models.llama.SyntheticCheckpoint 1b "$synth" 2>/dev/null
  fi
  for q in ${QUANTIZE:-none q8}; do
    echo "-- weights: $q"
    $java -Dcrs4j.threads="$THREADS" -cp "$jar" org.crs4j.bench.DecodeRoofline "$synth" 32 "${RUNS_1B:-8}" "$q" 2>/dev/null
  done
fi
echo "== load average after: $(bench_load)"
