#!/bin/sh
# Shows that a model of Flan-T5-Large's exact shape (783M parameters, google/flan-t5-large's config.json) loads
# memory-mapped and generates through `crs4j generate`, with the real T5 tokenizer from ../shared; prints the output,
# tokens/s and peak resident memory. Real Flan-T5 weights could not be had here, so the weights are random (see
# SyntheticT5): the text is meaningless; what is shown is loading, the T5 code path at full size, memory and speed.
#
#   scripts/flan-t5-large-synthetic.sh [FOLDER]   default FOLDER: bench/target/crs4j-flan-t5-large (1.6 GB in BF16, 3.1 GB
#                                                  with DTYPE=f32; deleted after unless KEEP=1)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/bench/target/crs4j-flan-t5-large}
shared=${SHARED:-$root/../shared}
tokens=${TOKENS:-32}
dtype=${DTYPE:-bf16}
. "$root/.mvn/select-jdk.sh"
(cd "$root" && ./mvnw -q -B -DskipTests -pl crs -am package)
jar="$root/crs/target/crs4j.jar"
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM," \
     "$(awk '/MemAvailable/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) available; load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -f "$dir/model.safetensors.index.json" ]; then
  echo "== writing the synthetic checkpoint to $dir"
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -Xmx6g -cp "$jar" org.crs4j.models.t5.SyntheticT5 "$dir" "$dtype" 2>&1 | grep -v WARNING
fi
for f in tokenizer.json spiece.model tokenizer_config.json special_tokens_map.json; do cp "$shared/models/t5-tokenizer/$f" "$dir/"; done
du -sh "$dir"
echo "== crs4j generate, -Xmx2g, greedy, $tokens new tokens (first run: weights come from disk)"
for run in 1 2; do
  /usr/bin/time -f "peak resident memory %M KiB, elapsed %e s" \
    "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmx2g \
    -jar "$jar" generate --model "$dir" --prompt "Recommend a movie for a family evening: the user liked Jaws and Alien." \
    --max-new-tokens "$tokens" --temperature 0 2>&1 | grep -v WARNING
done
if [ "${KEEP-}" != 1 ]; then rm -rf "$dir"; echo "== removed $dir"; fi
