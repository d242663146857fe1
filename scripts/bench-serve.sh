#!/bin/sh
# Load test of `crs4j serve` over loopback, with its peers in the same run, for each model:
#   1. `crs4j generate` alone (a fresh process, as a user runs it): its own tokens/s after the first token; and the
#      engine alone after JIT warm-up (bench's GenerateBench, greedy from BOS): tokens/s and tokens per CPU-second;
#   2. the server with batching (--batch $BATCH --queue $QUEUE, default 8 and 24): closed-loop streaming clients at 1,
#      4, 8 and 16 concurrent (bench/.../ServeLoad: aggregate tokens/s, time to first token, per-stream decoding rate,
#      server peak RSS), then a burst of 64 requests at once, past the 32 the server admits;
#   3. the same server without batching (--batch 1): clients decoded one request after another — the throughput
#      batching gains is (2) over (3). (A batch of one decodes at the same rate whatever the number of clients; the
#      1.1B run uses 4 of them to keep the run short.)
# Besides wall-clock rates, ServeLoad reports tokens per server CPU-second, which other jobs on a shared machine
# disturb far less.
# Every client request is greedy with max_tokens $TOKENS, streamed, on 127.0.0.1 only.
#
# Models: stories260K (../shared/models/stories260K/hf) and a synthetic LLaMA of TinyLlama-1.1B's shape (BF16,
# 2.2 GB, written once to $SYNTH_DIR by models' SyntheticCheckpoint, with the LLaMA-2 tokenizer from ../shared).
#
#   scripts/bench-serve.sh
#
# Variables: BATCH (default 8), QUEUE (default 24), SHARED (default ../shared), SYNTH_DIR (default bench/target/crs4j-llama-1b), SKIP_1B=1, TOKENS_SMALL
# (default 128), TOKENS_1B (default 32), REQUESTS_SMALL (default 4 per client), REQUESTS_1B (default 1 per client),
# LIMIT (seconds per load-test run, default 900).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/select-jdk.sh"
shared=${SHARED:-$root/../shared}
synth=${SYNTH_DIR:-$root/bench/target/crs4j-llama-1b}
limit=${LIMIT:-900}
batch=${BATCH:-8}
queue=${QUEUE:-24}
jar="$root/bench/target/benchmarks.jar"
out=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$out"; }
trap cleanup EXIT
java="$JAVA_HOME/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmx4g"
prompt="Once upon a time, Lily went to the park"

echo "== building the benchmarks jar"
(cd "$root" && ./mvnw -q -B -DskipTests -pl bench -am package)
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# start_server MODEL_DIR BATCH QUEUE: starts `crs4j serve` on a free port, sets $server_pid and $url
start_server() {
  $java -cp "$jar" org.crs4j.crs.cli.Main serve --model "$1" --name m --port 0 --batch "$2" --queue "$3" --timeout "$limit" \
    2> "$out/server.log" &
  server_pid=$!
  i=0
  until grep -q 'listening on' "$out/server.log"; do
    i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 "$server_pid" 2>/dev/null; then cat "$out/server.log" >&2; echo "server did not start" >&2; exit 1; fi
    sleep 0.1
  done
  url=$(grep -o 'http://127.0.0.1:[0-9]*/v1' "$out/server.log" | head -n 1)
  grep 'crs4j serve: m = ' "$out/server.log" | sed 's/^/   /'
}

stop_server() {
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

load() {
  timeout "$limit" $java -cp "$jar" org.crs4j.bench.ServeLoad "$url" m --pid "$server_pid" --timeout "$limit" "$@" 2>&1 | grep -v "^WARNING: Using incubator" | sed "s/^/   /"
}

run_model() { # NAME DIR TOKENS REQUESTS WARMUP_CLIENTS BASELINE_CLIENTS BURST_TOKENS WARMUP_REQUESTS ENGINE_RUNS
  echo "== $1: $2"
  echo "-- crs4j generate alone, greedy, $3 new tokens (fresh process)"
  timeout "$limit" $java -cp "$jar" org.crs4j.crs.cli.Main generate --model "$2" --prompt "$prompt" --max-new-tokens "$3" \
    --temperature 0 2>&1 >/dev/null | grep 'tokens in' | sed 's/^/   /'
  echo "-- the engine alone after warm-up (GenerateBench: $3 tokens from BOS, $9 runs after $9 warm-up runs)"
  timeout "$limit" $java -cp "$jar" org.crs4j.bench.GenerateBench "$2" "$3" "$9" - "$9" 2>/dev/null | grep '^crs4j' | sed 's/^/   /'
  echo "-- crs4j serve --batch $batch --queue $queue (batching), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  start_server "$2" "$batch" "$queue"
  echo "   warm-up (clients $5, $8 requests each, not reported)"
  load --clients "$5" --requests "$8" --max-tokens "$3" > /dev/null
  load --clients 1,4,8,16 --requests "$4" --max-tokens "$3" --burst 64 --burst-max-tokens "$7"
  stop_server
  echo "-- crs4j serve --batch 1 --queue 31 (no batching: one request after another), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  start_server "$2" 1 31
  load --clients 1 --requests "$8" --max-tokens "$3" > /dev/null
  load --clients "$6" --requests "$4" --max-tokens "$3"
  stop_server
}

run_model stories260K "$shared/models/stories260K/hf" "${TOKENS_SMALL:-128}" "${REQUESTS_SMALL:-4}" 1,4,8,16 16 "${TOKENS_SMALL:-128}" 3 10

if [ "${SKIP_1B-}" != 1 ]; then
  if [ ! -f "$synth/model.safetensors.index.json" ]; then
    echo "== writing the synthetic TinyLlama-1.1B-shaped checkpoint to $synth"
    $java -cp "$jar" org.crs4j.models.llama.SyntheticCheckpoint 1b "$synth"
  fi
  cp "$shared/models/llama2-tokenizer/tokenizer.model" "$synth/tokenizer.model"
  run_model "TinyLlama-1.1B shape (synthetic, BF16)" "$synth" "${TOKENS_1B:-32}" "${REQUESTS_1B:-1}" 1 4 4 1 2
fi
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
