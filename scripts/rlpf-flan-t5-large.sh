#!/bin/sh
# Time and memory of RLPF steps on a model of Flan-T5-Large's exact shape (783M parameters, random BF16 weights from
# SyntheticT5, the real T5 tokenizer from ../shared): `crs4j train rlpf --llm FOLDER` with the last two decoder blocks,
# the final norm and lm_head trained (67M parameters, widened to F32 with their AdamW moments), everything else frozen
# and memory-mapped. Episodes: 2 per step, 16 sampled tokens each, from CRS-style prompts; the toy reward (HIT when
# "▁movie" is sampled) with a baseline starting at 0.5, so that every step makes an update (backward and AdamW).
# Prints rlpf-metrics.csv (per step: total and sampling seconds) and the process's peak resident memory (mapped
# weight pages included).
#
#   scripts/rlpf-flan-t5-large.sh [FOLDER]   XMX=2g STEPS=3 TRAIN='...' (optional); KEEP=1 keeps the 1.6 GB folder
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/bench/target/crs4j-flan-t5-large}
shared=${SHARED:-$root/../shared}
xmx=${XMX:-2g}
steps=${STEPS:-3}
train=${TRAIN:-'decoder\.block\.2[23]\..*|decoder\.final_layer_norm\.weight|lm_head\.weight'}
work=$root/bench/target/rlpf-flan-t5-large
. "$root/.mvn/select-jdk.sh"
(cd "$root" && ./mvnw -q -B -DskipTests -pl crs -am package)
jar="$root/crs/target/crs4j.jar"
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM," \
     "$(awk '/MemAvailable/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) available; load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -f "$dir/model.safetensors.index.json" ]; then
  echo "== writing the synthetic checkpoint to $dir"
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -Xmx6g -cp "$jar" org.crs4j.models.t5.SyntheticT5 "$dir" bf16 2>&1 | grep -v WARNING
fi
for f in tokenizer.json spiece.model tokenizer_config.json special_tokens_map.json; do cp "$shared/models/t5-tokenizer/$f" "$dir/"; done
rm -rf "$work" && mkdir -p "$work"
cat > "$work/pairs.jsonl" <<'PAIRS'
{"prompt": "The AI assistant should analyze the dialogue context to detect which sub-task should be selected. The dialogue context is: User: I loved Jaws and Alien, what should I watch tonight?", "target": "recommendation"}
{"prompt": "The AI assistant should analyze the dialogue context to detect which sub-task should be selected. The dialogue context is: User: Hi! I am looking for a funny movie for a family evening.", "target": "preference elicitation"}
PAIRS
echo "== crs4j train rlpf, -Xmx$xmx, $steps steps of 2 episodes x 16 tokens, trained: $train"
/usr/bin/time -f "peak resident memory %M KiB, elapsed %e s" \
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmx"$xmx" \
  -jar "$jar" train rlpf --llm "$dir" --env 'token:▁movie' --pairs "$work/pairs.jsonl" --out "$work/out" --steps "$steps" \
  --batch-size 2 --max-new-tokens 16 --lambda 1 --baseline-start 0.5 --train-layers "$train" 2>&1 \
  | grep -v WARNING | tr '\r' '\n' | grep -v '^rlpf ' || true
cat "$work/out/rlpf-metrics.csv"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${KEEP-}" != 1 ]; then rm -rf "$dir" "$work/out"; echo "== removed $dir and the trained copy"; fi
