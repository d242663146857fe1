#!/bin/sh
# LLMCRS + RLPF on one dataset, end to end (seed 000 §4–6 on our data): SFT controller from the stage prompts,
# RLPF from it, both evaluated on a seeded subsample of the test turns, paired t-tests, learning curve, and
# (GRID) the ablations that need their own controller. Every figure of the RLPF / LLMCRS sections of crs/README.md comes from this script.
#
#   scripts/llmcrs-rlpf/run.sh RUN_DIR            # defaults below; override any with the environment:
#   DATASET=inspired SFT_DIALOGUES=60 SFT_EPOCHS=2 RL_STEPS=150 EVAL_TURNS=150 SEED=1 GRID= scripts/llmcrs-rlpf/run.sh runs/x
#   STAGES="sft rlpf eval" chooses stages (default: all of sft rlpf eval grid).
#   GRID="w/o-E" (Figures 3/4) or GRID=1 (w/o-E and Table 8's w/o-SI w/o-DI w/o-SG): an SFT controller per ablation.
#
# The application jar is copied into RUN_DIR once, so that editing sources while the grid runs cannot change it.
# Prompts are the short templates of scripts/llmcrs-rlpf/prompts (2 turns of context, 30 words per turn): the
# shipped Table 2 prompts are 400-600 controller tokens, past the paper's 512 and too slow to train on 2 cores.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
run=${1:?usage: run.sh RUN_DIR}
DATASET=${DATASET:-inspired}
SFT_DIALOGUES=${SFT_DIALOGUES:-60}
SFT_EPOCHS=${SFT_EPOCHS:-2}
RL_STEPS=${RL_STEPS:-150}
RL_BATCH=${RL_BATCH:-8}
RL_LR=${RL_LR:-1e-4}
LAMBDA=${LAMBDA:-0.5}
EVAL_TURNS=${EVAL_TURNS:-150}
SEED=${SEED:-1}
STAGES=${STAGES:-"sft rlpf eval grid"}
mkdir -p "$run"
if [ ! -f "$run/crs4j.jar" ]; then
  "$root/crs4j" info > /dev/null   # builds the jar when the sources are newer
  cp "$root/crs/target/crs4j.jar" "$run/crs4j.jar"
fi
. "$root/.mvn/select-jdk.sh"
crs4j() { nice -n 10 "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC \
  ${CRS4J_JAVA_OPTS-} -jar "$run/crs4j.jar" "$@"; }
common="--prompts $here/prompts --context-turns 2 --words-per-turn 30"
has() { case " $STAGES " in *" $1 "*) return 0;; esac; return 1; }
log() { echo "== $(date -u +%H:%M:%S) $* (load: $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$run/log.txt"; }

if has sft && [ ! -f "$run/sft/stage-accuracy.txt" ]; then
  log "SFT: $DATASET, $SFT_DIALOGUES dialogues, $SFT_EPOCHS epochs, seed $SEED"
  crs4j train controller --dataset "$DATASET" --max-dialogues "$SFT_DIALOGUES" --holdout 0.05 --epochs "$SFT_EPOCHS" \
    --batch-size 8 --warmup 30 --eval-pairs 50 --seed "$SEED" --out "$run/sft" $common 2> "$run/sft-train.err" | tee -a "$run/log.txt"
fi
if has rlpf; then
  log "RLPF: $RL_STEPS steps of $RL_BATCH episodes, lambda $LAMBDA, lr $RL_LR"
  resume=""; [ -f "$run/rlpf/rlpf-state.safetensors" ] && resume="--resume"
  crs4j train rlpf --controller "$run/sft" --env "llmcrs:$DATASET" --out "$run/rlpf" --steps "$RL_STEPS" --batch-size "$RL_BATCH" \
    --lambda "$LAMBDA" --lr "$RL_LR" --temperature 1 --top-p 1 --max-new-tokens 48 --baseline-rate 0.1 --save-every 5 --seed "$SEED" \
    $resume $common 2> "$run/rlpf-train.err" | tee -a "$run/log.txt"
fi
evaluate() { # name model [extra options]
  name=$1; model=$2; shift 2
  log "eval $name"
  crs4j eval llmcrs --dataset "$DATASET" --split test --llm "$model" --limit "$EVAL_TURNS" --sample-seed "$SEED" --lambda "$LAMBDA" \
    --predictions "$run/$name.predictions.jsonl" --turns "$run/$name.turns.jsonl" $common "$@" 2> "$run/$name.err" | tee "$run/$name.txt"
}
if has eval; then
  evaluate sft "$run/sft"
  evaluate rlpf "$run/rlpf" --against "$run/sft.turns.jsonl"
  # the control: the SFT controller with w/o M (every turn to the first recommendation expert, no detection)
  evaluate sft-woM "$run/sft" --ablate w/o-M --against "$run/rlpf.turns.jsonl"
  # ranking paired tests by crs4j score (it refuses a file whose lists are all empty, as an SFT run that never
  # recommends writes; the turns files' HIT@10 comparison above covers that case)
  crs4j score --predictions "$run/rlpf.predictions.jsonl" --against "$run/sft.predictions.jsonl" > "$run/rlpf-vs-sft.txt" 2>&1 || true
  crs4j score --predictions "$run/rlpf.predictions.jsonl" --against "$run/sft-woM.predictions.jsonl" > "$run/rlpf-vs-woM.txt" 2>&1 || true
fi
GRID=${GRID:-}
[ "$GRID" = 1 ] && GRID="w/o-E w/o-SI w/o-DI w/o-SG"
if has grid && [ -n "$GRID" ]; then
  # Figures 3/4's w/o E (the LLM recommends from the candidates most like the dialogue, no expert runs) and Table 8
  # (w/o SI, w/o DI, w/o SG): each an SFT controller trained and evaluated with that ablation, paired against the SFT
  # controller (Figures 3/4's w/o M is the sft-woM row above, w/o RL the sft row).
  for a in $GRID; do
    n=$(echo "$a" | tr -d '/-')
    if [ ! -f "$run/sft-$n/stage-accuracy.txt" ] && [ ! -f "$run/sft-$n/model.safetensors" ]; then
      log "SFT $a"
      crs4j train controller --dataset "$DATASET" --max-dialogues "$SFT_DIALOGUES" --holdout 0.05 --epochs "$SFT_EPOCHS" \
        --batch-size 8 --warmup 30 --eval-pairs 50 --seed "$SEED" --out "$run/sft-$n" --ablate "$a" $common 2> "$run/sft-$n-train.err" | tee -a "$run/log.txt"
    fi
    evaluate "sft-$n" "$run/sft-$n" --ablate "$a" --against "$run/sft.turns.jsonl"
    # w/o E's control, beside w/o M's: every turn a recommendation, by the LLM from the candidates instead of the expert
    if [ "$a" = w/o-E ]; then evaluate sft-woEM "$run/sft-$n" --ablate w/o-E,w/o-M --against "$run/sft-woM.turns.jsonl"; fi
  done
fi
# The table of seed 000's Figures 3-4 / Table 8 columns, one row per evaluated system, from the outputs above.
log "summary"
{
  printf '%-12s %-30s %-30s %-30s %-30s %-8s\n' system HIT@10 MRR@10 NDCG@10 BLEU-1 Dist-1
  for f in "$run"/sft.txt "$run"/rlpf.txt "$run"/sft-*.txt; do  # sft-woM, sft-woEM: the controls; sft-woE, sft-woSI ...: GRID
    [ -f "$f" ] || continue
    awk -v name="$(basename "$f" .txt)" '
      $1 == "Recall@10" { hit = $2 " " $3 " " $4 }   $1 == "MRR@10" { mrr = $2 " " $3 " " $4 }
      $1 == "NDCG@10" { ndcg = $2 " " $3 " " $4 }    $1 == "BLEU-1" && bleu == "" { bleu = $2 " " $3 $4 " " $5 }
      $1 == "Dist-1" { dist = $2 }
      END { printf "%-12s %-30s %-30s %-30s %-30s %-8s\n", name, hit, mrr, ndcg, bleu, dist }' "$f"
  done
  echo "seed 000 (GoRecDial, Flan-T5-Large; Table 8; HIT@10 / MRR@10 / NDCG@10 / BLEU-1 / Distinct-1): LLMCRS 0.3022 / 0.1253 / 0.1723 / 0.0528 / 0.1659;"
  echo "  w/o SI 0.2963 / 0.1228 / 0.1674 / 0.0412 / 0.1588; w/o DI 0.3003 / 0.1236 / 0.1692 / 0.0474 / 0.1602; w/o SG 0.2992 / 0.1235 / 0.1691 / 0.0460 / 0.1591"
  grep -h -A4 '^paired against' "$run"/rlpf.txt 2>/dev/null || true
} | tee "$run/summary.txt"
log "done"
