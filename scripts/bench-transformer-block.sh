#!/bin/sh
# One training step (forward, backward, AdamW) of a LLaMA decoder block: crs4j's JMH benchmark
# (bench/.../TransformerBlockTrainStep.java) and the same step in Debian's CPU PyTorch (scripts/bench_transformer_block.py,
# /usr/bin/python3, torch.set_num_threads(2)), in one run, with the ratio. Target: crs4j within 1.5x of PyTorch.
#
#   scripts/bench-transformer-block.sh            default size: batch 8 x 128 tokens, dim 256, 8 heads (4 kv), hidden 688
#   SIZE="4 64 128 4 2 344" scripts/bench-transformer-block.sh      batch seq dim heads kv_heads hidden
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/select-jdk.sh"
set -- ${SIZE:-8 128 256 8 4 688}
batch=$1 seq=$2 dim=$3 heads=$4 kv=$5 hidden=$6

echo "== building the benchmarks jar"
(cd "$root" && ./mvnw -q -B -DskipTests -pl bench -am package)
echo "== machine: $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "== crs4j (JMH, 2 compute threads)"
"$JAVA_HOME/bin/java" -Djmh.ignoreLock=true -jar "$root/bench/target/benchmarks.jar" TransformerBlockTrainStep \
  -p batch="$batch" -p seq="$seq" -p dim="$dim" -p heads="$heads" -p kvHeads="$kv" -p hidden="$hidden" \
  -wi 5 -w 2 -i 5 -r 2 -f 1 -rf text -rff "$out" 2>/dev/null | grep -E "^TransformerBlockTrainStep|^Benchmark" || true
crs=$(awk '/trainStep/ {for (i = 1; i <= NF; i++) if ($i == "avgt") {print $(i + 2); exit}}' "$out")
echo "crs4j ms/op: $crs (JMH average)"
echo "== PyTorch"
py=$(/usr/bin/python3 "$root/scripts/bench_transformer_block.py" "$batch" "$seq" "$dim" "$heads" "$kv" "$hidden" --iters 30)
echo "$py"
median=$(echo "$py" | sed -n 's/.*median \([0-9.]*\).*/\1/p')
awk -v c="$crs" -v p="$median" 'BEGIN {printf "ratio crs4j / PyTorch: %.2f (target <= 1.5)\n", c / p}'
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
