#!/bin/sh
# Shows that a LLaMA-7B-shaped BF16 checkpoint (6.74B parameters, 13.5 GB in 3 shards) loads and generates on a
# 24 GiB machine with a 4 GiB heap: the weights stay memory-mapped in BF16 (page cache, not heap).
#
#   scripts/llama7b-synthetic.sh [FOLDER]       default FOLDER: bench/target/crs4j-llama-7b (needs ~14 GB free; deleted after
#                                               unless KEEP=1)
#
# The weights are synthetic (a random BF16 block repeated, see SyntheticCheckpoint): the text is meaningless; what is
# shown is loading, memory and speed. Prints the crs4j generate output, its tokens/s, and peak resident memory.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/bench/target/crs4j-llama-7b}
shared=${SHARED:-$root/../shared}
tokens=${TOKENS:-8}
. "$root/.mvn/select-jdk.sh"
(cd "$root" && ./mvnw -q -B -DskipTests -pl crs -am package)
jar="$root/crs/target/crs4j.jar"
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM," \
     "$(awk '/MemAvailable/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) available; load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -f "$dir/model.safetensors.index.json" ]; then
  echo "== writing the synthetic checkpoint to $dir"
  "$JAVA_HOME/bin/java" -cp "$jar" org.crs4j.models.llama.SyntheticCheckpoint 7b "$dir"
fi
du -sh "$dir"
tok="$shared/models/llama2-tokenizer/tokenizer.model"
echo "== crs4j generate, -Xmx4g, $tokens new tokens (first run: weights come from disk)"
for run in 1 2; do
  /usr/bin/time -f "peak resident memory %M KiB, elapsed %e s" \
    "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmx4g \
    -jar "$jar" generate --model "$dir" --tokenizer "$tok" --prompt "Once upon a time" --max-new-tokens "$tokens" \
    --temperature 0 2>&1 | grep -v WARNING
done
if [ "${KEEP-}" != 1 ]; then rm -rf "$dir"; echo "== removed $dir"; fi
