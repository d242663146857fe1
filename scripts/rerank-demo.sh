#!/usr/bin/env bash
# crs4j eval crs (seed 003's LLM re-ranking) on a seeded sample of ReDial test, three ways, with the stories260K
# checkpoint (not an instruction model: this shows the plumbing, every answer is expected to be unparsable):
#   1. the local model in process (LocalLlm);
#   2. the same checkpoint behind scripts/openai_test_server.py on loopback (RemoteLlm; NumPy llama2.c, no shared
#      code), whose first two answers are HTTP 429 with Retry-After: 1, to show the retries;
#   3. a replay of the trace of run 2 (ReplayLlm), which must print the same report without any model.
# Then it checks that the greedy answers of 1 and 2 are equal prompt by prompt.
#
#   scripts/rerank-demo.sh [N]        # N samples (default 50); outputs under crs/target/rerank-demo/
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}
OUT=crs/target/rerank-demo
PORT=${PORT:-8765}
D=scripts/rerank-demo
mkdir -p "$OUT"
rm -f "$OUT"/*.jsonl
COMMON=(eval crs --dataset redial --recommender popularity --limit "$N" --settings "$D/stories260K.properties" --prompt "$D/stories260K-prompt.txt")

echo "== 1. local: ../shared/models/stories260K/hf" >&2
./crs4j "${COMMON[@]}" --llm ../shared/models/stories260K/hf --trace "$OUT/local.jsonl" --output "$OUT/local-samples.jsonl" | tee "$OUT/local.txt"

echo "== 2. remote: scripts/openai_test_server.py on 127.0.0.1:$PORT" >&2
/usr/bin/python3 scripts/openai_test_server.py --port "$PORT" --fail-first 2 --lifetime 1800 > "$OUT/server.out" 2> "$OUT/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$OUT/server.out" 2>/dev/null && break; sleep 0.2; done
./crs4j "${COMMON[@]}" --llm "http://127.0.0.1:$PORT/v1#stories260K" --trace "$OUT/remote.jsonl" | tee "$OUT/remote.txt"
kill $SERVER

echo "== 3. replay: $OUT/remote.jsonl" >&2
./crs4j "${COMMON[@]}" --llm "replay:$OUT/remote.jsonl" | tee "$OUT/replay.txt"

/usr/bin/python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
def calls(name):
    return [json.loads(l) for l in open(f"{out}/{name}.jsonl")]
local = {c["prompt"]: c for c in calls("local")}
remote = [c for c in calls("remote") if "output" in c]
same = sum(1 for c in remote if local[c["prompt"]]["output"] == c["output"])
print(f"greedy answers equal, local crs4j vs NumPy server: {same} of {len(remote)} prompts")
diff = lambda a, b: [l for l in open(f"{out}/{a}.txt") if not l.startswith("recommender ")] == [l for l in open(f"{out}/{b}.txt") if not l.startswith("recommender ")]
print("replay report equals the remote run's:", diff("remote", "replay"))
PY
