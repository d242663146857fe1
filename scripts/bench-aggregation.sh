#!/bin/sh
# The R-GCN graph-aggregation kernel (gather and sum per (relation, destination) segment -> per-relation segment
# matmul -> scatter-add), forward and forward + backward, in crs4j (JMH, GraphAggregationBenchmark) and in Debian's
# CPU PyTorch (scripts/bench_aggregation.py), same graph files, same threads, in one run; million edges/s and the
# ratio. This is the "benchmark of the graph-aggregation kernel itself next to PyTorch's equivalent" of issue 9.
#
#   scripts/bench-aggregation.sh       # GRAPHS="redial redial-x10" DATA_DIR=../shared/data (optional)
#
# Graphs (bench/src/main/java/org/crs4j/bench/RgcnGraph.java, written once under bench/target): "redial" is ReDial's
# DBpedia subgraph as UniCRS prepares it (31,161 entities, 24 relations, 162,642 directed edges; a synthetic stand-in
# with the same counts when DATA_DIR lacks it), "redial-x10" the same graph scaled 10x (311,610 entities, 1,626,420
# edges; every node keeps its in-degree per relation, the copies wired together at random). Features and outputs
# are 128-dim, one 128 x 128 weight per relation, Z = 1.
#
# The peer: PyTorch's fastest of three forms (the per-edge index_select + matmul + index_add, crs4j's segment
# algorithm with index_add_, and with torch.sparse.mm); the table names the winner. Per graph PyTorch and crs4j run
# one right after the other (alternating which goes first), and the sweep runs REPEATS times (scripts/bench-lib.sh).
# About 2 minutes per repeat on 2 cores.
#
# Environment: THREADS, REPEATS, JMH_OPTS, CRS4J_JAVA_OPTS (scripts/bench-lib.sh); TORCH_BLAS_DIR, TORCH_WAIT_POLICIES
# and PEER_SECONDS as in scripts/bench-attention.sh.
set -eu
. "$(dirname "$0")/bench-lib.sh"

graphs=${GRAPHS:-redial redial-x10}
data_dir=${DATA_DIR:-../shared/data}
policies=${TORCH_WAIT_POLICIES:-PASSIVE}
jmh_defaults="-f 1 -wi 2 -w 1 -i 3 -r 1"
if [ -z "${TORCH_BLAS_DIR-}" ] && [ -f /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  TORCH_BLAS_DIR=/usr/lib/x86_64-linux-gnu/openblas-pthread
fi
bench_build
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

graph_file() {
  case "$1" in
    redial) echo bench/target/rgcn-graph.safetensors ;;
    redial-x10) echo bench/target/rgcn-graph-x10.safetensors ;;
    *) echo "bench-aggregation.sh: GRAPHS: unknown graph $1 (redial, redial-x10)" >&2; exit 2 ;;
  esac
}
for graph in $graphs; do
  f=$(graph_file "$graph")
  if [ ! -f "$f" ]; then
    factor=""; [ "$graph" = redial-x10 ] && factor=10
    # shellcheck disable=SC2086
    "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$jar" org.crs4j.bench.RgcnGraph "$f" "$data_dir" $factor 2>/dev/null
  fi
done

bench_results aggregation
load_start=$(bench_load)
echo "== graph aggregation: crs4j JMH GraphAggregationBenchmark (${JMH_OPTS:-$jmh_defaults}) and PyTorch, $THREADS threads," \
  "$REPEATS repeats; graphs: $graphs; PyTorch OpenMP wait policies: $policies" >&2

peer() {
  for policy in $policies; do
    ( [ "$policy" = default ] || { OMP_WAIT_POLICY=$policy; export OMP_WAIT_POLICY; }
      LD_LIBRARY_PATH="${TORCH_BLAS_DIR-}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        $PY "$root/scripts/bench_aggregation.py" "$(graph_file "$graph")" --threads "$THREADS" --seconds "${PEER_SECONDS:-2}" ) \
      > "$tmp/peer.txt" || { cat "$tmp/peer.txt" >&2; exit 1; }
    sed -n 's/^# //p' "$tmp/peer.txt" > "$tmp/peer-info-$graph.txt"
    sed -n 's/^best \([a-z+]*\) \([a-z-]*\) \([0-9.]*\)$/\1 \2 \3/p' "$tmp/peer.txt" |
      while read -r mode variant medges; do echo "$graph $mode	$policy $variant	$medges"; done >> "$tmp/peer-$rep.txt"
  done
  for mode in forward forward+backward; do
    best=$(awk -F'\t' -v c="$graph $mode" '$1 == c' "$tmp/peer-$rep.txt" | sort -t"$(printf '\t')" -k3 -g | tail -1)
    bench_record "$graph $mode" PyTorch "$rep" "$(echo "$best" | cut -f3)"
    echo "$graph $mode	$(echo "$best" | cut -f2)" >> "$tmp/winners.txt"
  done
}
ours() {
  bench_jmh "$tmp/jmh.json" "$tmp/jmh-$graph.log" "$jmh_defaults" 'org.crs4j.bench.GraphAggregationBenchmark' \
    -p graph="$(graph_file "$graph")" -p dataDir="$data_dir"
  bench_record "$graph forward" crs4j "$rep" "$(jmh_value "$tmp/jmh.json" forward:medges)"
  bench_record "$graph forward+backward" crs4j "$rep" "$(jmh_value "$tmp/jmh.json" forwardBackward:medges)"
}
rep=1
while [ "$rep" -le "$REPEATS" ]; do
  for graph in $graphs; do
    if peer_first "$rep"; then peer; ours; else ours; peer; fi
    echo "   repeat $rep: $graph done (load $(bench_load))" >&2
  done
  rep=$((rep + 1))
done

echo
echo "R-GCN graph aggregation (gather-sum per segment -> segment matmul -> scatter-add), dim 128, F32, $THREADS threads" \
  "($(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))"
for graph in $graphs; do
  echo "$graph: $(sed -n 's/^aggregation over //p' "$tmp/jmh-$graph.log" | head -1)"
done
echo "PyTorch: $(head -1 "$tmp/peer-info-$(echo "$graphs" | cut -d' ' -f1).txt")"
$PY "$root/scripts/bench_table.py" "$tsv" --peer PyTorch --unit "million edges/s"
echo "PyTorch's fastest form per case (OpenMP wait policy, variant), over the repeats:"
sort "$tmp/winners.txt" | uniq -c | awk -F'\t' '{ print "  " $1 ": " $2 }'
echo "measurements: $tsv"
echo "load average (1/5/15 min) at start: $load_start, at end: $(bench_load)"
