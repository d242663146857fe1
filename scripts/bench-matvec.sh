#!/bin/sh
# Matrix-vector y = W·x (W row-major, off-heap, F32, BF16 and Q8_0) against the machine's read bandwidth, in one run.
#
#   scripts/bench-matvec.sh [SHAPES...]        default shapes: 4096x4096 11008x4096
#
# The limit is measured, not quoted: BandwidthBenchmark streams 1 GiB read-only with all threads in two patterns
# (see its comment), and the better pattern is the machine's read bandwidth. A matvec reads each weight once, so its
# GB/s (weight bytes / time) over that bandwidth is its share of the roof. Per shape, the bandwidth and the three
# matvecs run one right after the other (alternating which goes first), each timed in one-second windows after a
# warm-up (a figure is the mean over the windows); the whole sweep runs REPEATS times, and the table gives min /
# median / max over the repeats and the paired ratios (% of the same repeat's bandwidth). About 70 s per shape and
# repeat.
#
# The kernels must not allocate: JMH's allocation profiler runs with the matvecs, and the bytes allocated per product
# are printed. More than a few hundred bytes means a vector is being boxed (see tensor/README.md), which costs a
# factor 2-3.
#
# Environment: THREADS, REPEATS, JMH_OPTS, CRS4J_JAVA_OPTS (see scripts/bench-lib.sh), WINDOWS (measured windows,
# default 5).
set -eu
. "$(dirname "$0")/bench-lib.sh"

shapes=${*:-4096x4096 11008x4096}
windows=${WINDOWS:-5}
jmh_defaults="-f 1 -wi 3 -w 1 -i $windows -r 1"
bench_build
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
bench_results matvec
load_start=$(bench_load)
echo "== crs4j JMH BandwidthBenchmark and MatvecBenchmark (${JMH_OPTS:-$jmh_defaults}), $THREADS threads, $REPEATS repeats" >&2

bandwidth() {
  bench_jmh "$tmp/bw.json" "$tmp/bw.log" "$jmh_defaults" 'org.crs4j.bench.BandwidthBenchmark.readAll'
  bw=0
  for pattern in sequential interleaved; do
    v=$(jmh_value "$tmp/bw.json" readAll:gbytes "pattern=$pattern")
    bench_record "read bandwidth, $pattern" bandwidth "$rep" "$v"
    if awk -v a="$v" -v b="$bw" 'BEGIN { exit !(a > b) }'; then bw=$v; fi
  done
}
matvecs() {
  bench_jmh "$tmp/mv.json" "$tmp/mv.log" "$jmh_defaults" 'org.crs4j.bench.MatvecBenchmark.matvec' -p shape="$shape" -prof gc
}
rep=1
while [ "$rep" -le "$REPEATS" ]; do
  for shape in $shapes; do
    if peer_first "$rep"; then bandwidth; matvecs; else matvecs; bandwidth; fi
    for dtype in F32 BF16 Q8_0; do
      bench_record "$shape $dtype" crs4j "$rep" "$(jmh_value "$tmp/mv.json" matvec:gbytes "shape=$shape" "dtype=$dtype")"
      bench_record "$shape $dtype" bandwidth "$rep" "$bw"
      echo "$shape $dtype $(jmh_value "$tmp/mv.json" matvec:gc.alloc.rate.norm "shape=$shape" "dtype=$dtype")" >> "$tmp/alloc.txt"
    done
  done
  echo "   repeat $rep done (load $(bench_load))" >&2
  rep=$((rep + 1))
done

species=$(sed -n 's/.*species=//p' "$tmp/mv.log" | head -1)
echo
echo "matvec y = W·x, W row-major off-heap, $THREADS threads ($(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); crs4j vectors: $species)"
echo "read bandwidth: 1 GiB read by all threads, two patterns; the better one of each repeat is the limit of the matvecs"
$PY "$root/scripts/bench_table.py" "$tsv" --peer bandwidth --unit "GB/s of W read (mean of $windows one-second windows per repeat)" \
  --ratio "ratio = matvec / the same repeat's read bandwidth (1 = the roof)"
echo "bytes allocated per product, per repeat (JMH gc profiler): BF16 copies x regrouped (4 bytes per column);"
echo "anything growing with the rows, kilobytes to megabytes, is a boxed vector"
awk '{ k = $1 " " $2; v[k] = v[k] " " int($3 + 0.5) } END { for (x in v) print "  " x ":" v[x] }' "$tmp/alloc.txt" | sort
echo "measurements: $tsv"
echo "load average (1/5/15 min) at start: $load_start, at end: $(bench_load)"
