#!/bin/sh
# Checks `crs4j serve` against OpenAI's official Node client (npm `openai`, installed into bench/target/openai-check
# from the npm registry on first use): models, chat and completions, whole and streamed, include_usage, seeds, and
# the client's error classes for 404/400/401. Loopback only; not part of CI (it needs Node 20 and the npm registry).
#
#   scripts/openai-client-check.sh            # stories260K from ../shared
# Variables: SHARED (default ../shared), OPENAI_NODE_VERSION (default 4).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/select-jdk.sh"
shared=${SHARED:-$root/../shared}
dir="$root/bench/target/openai-check"
mkdir -p "$dir"
if [ ! -f "$dir/node_modules/openai/package.json" ]; then
  (cd "$dir" && npm install --silent --no-audit --no-fund "openai@${OPENAI_NODE_VERSION:-4}")
fi
echo "openai (node) $(grep -m1 '"version"' "$dir/node_modules/openai/package.json" | cut -d'"' -f4), node $(node --version)"
cp "$root/scripts/openai_client_check.mjs" "$dir/check.mjs"
(cd "$root" && ./mvnw -q -B -DskipTests -pl crs -am package)
log=$(mktemp)
key="check-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
CRS4J_API_KEY=$key "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -jar "$root/crs/target/crs4j.jar" serve \
  --model "$shared/models/stories260K/hf" --name stories260K --port 0 2> "$log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
i=0
until grep -q 'listening on' "$log"; do
  i=$((i + 1)); [ $i -gt 600 ] && { cat "$log"; exit 1; }
  sleep 0.1
done
url=$(grep -o 'http://127.0.0.1:[0-9]*/v1' "$log" | head -n 1)
node "$dir/check.mjs" "$url" stories260K "$key"
