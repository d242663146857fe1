#!/bin/sh
# The fused attention op, forward and forward + backward, in crs4j (JMH, AttentionBenchmark) and in Debian's CPU
# PyTorch 1.13 (scripts/bench_attention.py), same shapes, same threads, in one run; GFLOP/s and the ratio.
#
#   scripts/bench-attention.sh       # SHAPES="t5-large llama-7b llama-7b-gqa" SEQS="128 512 2048" (optional)
#
# Shapes (bench/src/main/java/org/crs4j/bench/AttentionWorkload.java): Flan-T5-Large's heads (16 x 64), LLaMA-7B's
# (32 x 128) and LLaMA-7B's with grouped-query attention (8 key/value heads); batch 1, SEQ queries and keys, without
# and with the causal mask. FLOPs are the model's (4·d per allowed (query, key) pair forward, 3x that forward +
# backward; the causal mask allows seq(seq+1)/2 pairs, and neither side skips the masked half, so causal GFLOP/s are
# about half the unmasked ones).
#
# The peer: PyTorch 1.13 has no public scaled_dot_product_attention (2.0 added it); the script times its private
# prototype F._scaled_dot_product_attention (the math path on the CPU; key/value heads repeated for GQA), the
# matmul-softmax-matmul composition and a baddbmm form, and takes the fastest per case; the table names the winner.
# Per (shape, seq) PyTorch and crs4j run one right after the other (alternating which goes first), and the sweep runs
# REPEATS times (scripts/bench-lib.sh). About 2-3 minutes per repeat and shape at the default sequence lengths on
# 2 cores; at seq 2048 the LLaMA shapes need about 2.5 GB per side.
#
# Environment: THREADS, REPEATS, JMH_OPTS, CRS4J_JAVA_OPTS (scripts/bench-lib.sh); TORCH_BLAS_DIR (a folder holding
# OpenBLAS's libblas.so.3, see bench-rgcn.sh); TORCH_WAIT_POLICIES (OpenMP wait policies PyTorch runs under, default
# "PASSIVE": spin-waiting costs torch up to 3x when other processes load the machine; "default PASSIVE" runs both and
# the faster counts); PEER_SECONDS (PyTorch's measured seconds per case and variant, default 2, after 1 s warm-up).
set -eu
. "$(dirname "$0")/bench-lib.sh"

shapes=${SHAPES:-t5-large llama-7b llama-7b-gqa}
seqs=${SEQS:-128 512 2048}
policies=${TORCH_WAIT_POLICIES:-PASSIVE}
jmh_defaults="-f 1 -wi 2 -w 1 -i 3 -r 1"
if [ -z "${TORCH_BLAS_DIR-}" ] && [ -f /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  TORCH_BLAS_DIR=/usr/lib/x86_64-linux-gnu/openblas-pthread
fi
bench_build
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
bench_results attention
load_start=$(bench_load)
echo "== attention: crs4j JMH AttentionBenchmark (${JMH_OPTS:-$jmh_defaults}) and PyTorch, $THREADS threads, $REPEATS repeats" >&2
echo "   shapes: $shapes; sequence lengths: $seqs; PyTorch OpenMP wait policies: $policies" >&2

peer() {
  for policy in $policies; do
    ( [ "$policy" = default ] || { OMP_WAIT_POLICY=$policy; export OMP_WAIT_POLICY; }
      LD_LIBRARY_PATH="${TORCH_BLAS_DIR-}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        $PY "$root/scripts/bench_attention.py" "$shape" "$seq" --threads "$THREADS" --seconds "${PEER_SECONDS:-2}" ) \
      > "$tmp/peer.txt" || { cat "$tmp/peer.txt" >&2; exit 1; }
    sed -n 's/^# //p' "$tmp/peer.txt" | head -1 > "$tmp/peer-blas.txt"
    # "best causal=False forward+backward VARIANT GFLOPS" -> the case as crs4j names it, the policy and variant
    sed -n 's/^best causal=\([A-Za-z]*\) \([a-z+]*\) \([a-z-]*\) \([0-9.]*\)$/\1 \2 \3 \4/p' "$tmp/peer.txt" |
      while read -r causal mode variant gflops; do
        echo "$shape seq=$seq causal=$(echo "$causal" | tr 'A-Z' 'a-z') $mode	$policy $variant	$gflops"
      done >> "$tmp/peer-$rep.txt"
  done
  # the faster policy per case
  for case in $(cut -f1 "$tmp/peer-$rep.txt" | grep "^$shape seq=$seq " | sort -u | tr ' ' '~'); do
    c=$(echo "$case" | tr '~' ' ')
    best=$(awk -F'\t' -v c="$c" '$1 == c' "$tmp/peer-$rep.txt" | sort -t"$(printf '\t')" -k3 -g | tail -1)
    bench_record "$c" PyTorch "$rep" "$(echo "$best" | cut -f3)"
    echo "$c	$(echo "$best" | cut -f2)" >> "$tmp/winners.txt"
  done
}
ours() {
  bench_jmh "$tmp/jmh.json" "$tmp/jmh.log" "$jmh_defaults" 'org.crs4j.bench.AttentionBenchmark' \
    -p shape="$shape" -p seq="$seq" -p causal=false,true
  for causal in false true; do
    bench_record "$shape seq=$seq causal=$causal forward" crs4j "$rep" \
      "$(jmh_value "$tmp/jmh.json" forward:gflops "shape=$shape" "seq=$seq" "causal=$causal")"
    bench_record "$shape seq=$seq causal=$causal forward+backward" crs4j "$rep" \
      "$(jmh_value "$tmp/jmh.json" forwardBackward:gflops "shape=$shape" "seq=$seq" "causal=$causal")"
  done
}
rep=1
while [ "$rep" -le "$REPEATS" ]; do
  for shape in $shapes; do
    for seq in $seqs; do
      if peer_first "$rep"; then peer; ours; else ours; peer; fi
      echo "   repeat $rep: $shape seq=$seq done (load $(bench_load))" >&2
    done
  done
  rep=$((rep + 1))
done

species=$(sed -n 's/.*species=//p' "$tmp/jmh.log" | head -1)
echo
echo "attention softmax(q·k^T/sqrt(d) + mask)·v, batch 1, F32, $THREADS threads ($(uname -m)," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); crs4j vectors: $species)"
echo "PyTorch: $(cat "$tmp/peer-blas.txt")"
case "$(cat "$tmp/peer-blas.txt")" in *openblas*) ;; *) echo "WARNING: PyTorch is not using OpenBLAS: set TORCH_BLAS_DIR (see bench-rgcn.sh)" ;; esac
$PY "$root/scripts/bench_table.py" "$tsv" --peer PyTorch --unit "GFLOP/s (model FLOPs)"
echo "PyTorch's fastest form per case (OpenMP wait policy, variant), over the repeats:"
sort "$tmp/winners.txt" | uniq -c | awk -F'\t' '{ print "  " $1 ": " $2 }'
echo "measurements: $tsv"
echo "load average (1/5/15 min) at start: $load_start, at end: $(bench_load)"
