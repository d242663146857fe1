#!/usr/bin/env bash
# The recommendation experiments of issue 9 (seed 003 §5.1, §5.3): for each dataset, the popularity baseline and each
# variant (full, no-causal, kbrd) trained with each seed, evaluated on the test split (predictions files kept), then
# the tables: Recall/MRR/NDCG@K with 95% bootstrap intervals per run, mean ± std across seeds, and the two-sided
# paired t-tests full vs no-causal and full vs kbrd (seed by seed, over the same test samples); finally seed 003's
# Figure 4 for ReDial's first full model.
#
#   scripts/rec-experiments.sh                                   # the whole grid: inspired and redial, seeds 1 2 3
#   DATASETS=inspired SEEDS="1 2" VARIANTS="full no-causal" scripts/rec-experiments.sh
#
# Re-running skips finished runs, resumes interrupted ones (crs4j train rec --resume) and prints the tables again.
# Environment: OUT (default crs/target/rec-experiments), CRS4J (the command, default ./crs4j), CRS4J_THREADS,
# DATA_DIR (passed as --data-dir when set). Each run is nice'd; every table line names its sample count. Cost on the
# 2-core development machine: an INSPIRED run takes minutes, a ReDial run about an hour under load (crs/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-crs/target/rec-experiments}
CRS4J=${CRS4J:-./crs4j}
DATASETS=${DATASETS:-inspired redial}
SEEDS=${SEEDS:-1 2 3}
VARIANTS=${VARIANTS:-full no-causal kbrd}
DATA=()
[ -n "${DATA_DIR-}" ] && DATA=(--data-dir "$DATA_DIR")
mkdir -p "$OUT/models" "$OUT/predictions" "$OUT/logs"

crs4j() { nice -n 10 $CRS4J "$@" 2> >(grep -v "^WARNING: Using incubator modules" >&2); }

finished() { grep -q '"training"' "$1/config.json" 2>/dev/null; }

for d in $DATASETS; do
  echo "== $d: popularity"
  crs4j eval rec --model popularity --dataset "$d" "${DATA[@]}" --predictions "$OUT/predictions/$d-popularity.jsonl" \
    | tee "$OUT/logs/$d-popularity.eval.txt"
  for seed in $SEEDS; do
    for v in $VARIANTS; do
      name="$d-$v-seed$seed"
      dir="$OUT/models/$name"
      if ! finished "$dir"; then
        echo "== $name: training ($(uptime | sed 's/.*load/load/'))"
        if [ -f "$dir/config.json" ]; then
          crs4j train rec --resume --out "$dir" "${DATA[@]}" 2>>"$OUT/logs/$name.train.err" | tee -a "$OUT/logs/$name.train.txt"
        else
          crs4j train rec --dataset "$d" --variant "$v" --seed "$seed" --out "$dir" "${DATA[@]}" 2>"$OUT/logs/$name.train.err" | tee "$OUT/logs/$name.train.txt"
        fi
        echo "   done ($(uptime | sed 's/.*load/load/'))"
      fi
      if [ ! -f "$OUT/predictions/$name.jsonl" ] || [ "$dir/model.safetensors" -nt "$OUT/predictions/$name.jsonl" ]; then
        crs4j eval rec --model "$dir" "${DATA[@]}" --predictions "$OUT/predictions/$name.jsonl" > "$OUT/logs/$name.eval.txt"
      fi
    done
  done
done

echo
echo "================ tables ================"
for d in $DATASETS; do
  P="$OUT/predictions"
  echo
  echo "---------------- $d, test split: popularity"
  crs4j score --predictions "$P/$d-popularity.jsonl"
  for v in $VARIANTS; do
    files=()
    for seed in $SEEDS; do [ -f "$P/$d-$v-seed$seed.jsonl" ] && files+=("$P/$d-$v-seed$seed.jsonl"); done
    [ ${#files[@]} -eq 0 ] && continue
    echo
    echo "---------------- $d, test split: $v, seeds $SEEDS"
    crs4j score --predictions "${files[@]}"
  done
  for other in no-causal kbrd; do
    a=(); b=()
    for seed in $SEEDS; do
      if [ -f "$P/$d-full-seed$seed.jsonl" ] && [ -f "$P/$d-$other-seed$seed.jsonl" ]; then
        a+=("$P/$d-full-seed$seed.jsonl"); b+=("$P/$d-$other-seed$seed.jsonl")
      fi
    done
    [ ${#a[@]} -eq 0 ] && continue
    echo
    echo "---------------- $d, test split: full vs $other, paired by seed"
    crs4j score --predictions "${a[@]}" --against "${b[@]}" | sed -n '/^paired/,$p'
  done
done

first="$OUT/models/redial-full-seed$(echo $SEEDS | cut -d' ' -f1)"
if finished "$first"; then
  echo
  echo "---------------- seed 003 Figure 4 for $(basename "$first")"
  crs4j diagnose causal --model "$first" "${DATA[@]}" --out "$OUT/diagnose/$(basename "$first")"
fi
