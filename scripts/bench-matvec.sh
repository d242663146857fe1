#!/bin/sh
# Matrix-vector y = W·x (W row-major, off-heap, F32 and BF16) against the machine's read bandwidth, in one run.
#
#   scripts/bench-matvec.sh
#
# The limit is measured, not quoted: BandwidthBenchmark streams 1 GiB read-only with all threads (see its comment).
# A matvec reads each weight once, so its GB/s (weight bytes / time) over that bandwidth is the share of the roof.
# Environment: THREADS (default: all processors), JMH_OPTS (default: 1 fork, 3 x 1 s warm-up, 5 measured iterations),
# CRS4J_JAVA_OPTS (extra options for the benchmark JVM, e.g. -XX:UseAVX=2).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/select-jdk.sh"
. "$root/scripts/jmh-csv.sh"
cd "$root"

threads=${THREADS:-$(nproc)}
jar=bench/target/benchmarks.jar
if [ ! -f "$jar" ]; then
  echo "building $jar ..." >&2
  ./mvnw -q -B -pl bench -am package -DskipTests
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

load_start=$(cut -d" " -f1-3 /proc/loadavg)
echo "== crs4j JMH BandwidthBenchmark and MatvecBenchmark, $threads threads" >&2
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" -jar "$jar" 'org.crs4j.bench.(BandwidthBenchmark.readAll|MatvecBenchmark.matvec)' \
  -jvmArgsPrepend "-Dcrs4j.threads=$threads ${CRS4J_JAVA_OPTS-}" ${JMH_OPTS:--f 1 -wi 3 -w 1 -i 5} \
  -rf csv -rff "$tmp/jmh.csv" > "$tmp/jmh.log" 2>&1 || { cat "$tmp/jmh.log" >&2; exit 1; }
if ! grep -q -e gbytes -e gflops "$tmp/jmh.csv"; then
  echo "JMH produced no results:" >&2; cat "$tmp/jmh.log" >&2; exit 1
fi

# The limit: the better of the two read patterns (see BandwidthBenchmark).
bw=0
for pattern in sequential interleaved; do
  score=$(jmh_field "$tmp/jmh.csv" 'readAll:gbytes' "pattern=$pattern" Score)
  error=$(jmh_field "$tmp/jmh.csv" 'readAll:gbytes' "pattern=$pattern" 'Score Error (99.9%)')
  echo "   read bandwidth, $pattern: $score ± $error GB/s" >&2
  if awk -v a="$score" -v b="$bw" 'BEGIN { exit !(a > b) }'; then bw=$score; bwerr=$error; bwpattern=$pattern; fi
done
echo
species=$(sed -n 's/.*species=//p' "$tmp/jmh.log" | head -1)
echo "matvec y = W·x, W row-major off-heap, $threads threads ($(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); crs4j vectors: $species)"
printf 'read bandwidth (1 GiB, all threads, best pattern: %s): %.1f ± %.1f GB/s\n' "$bwpattern" "$bw" "$bwerr"
printf '%11s | %5s | %14s | %14s | %8s\n' W dtype "matvec GB/s" "bandwidth GB/s" "% of bw"
printf '%11s-+-%5s-+-%14s-+-%14s-+-%8s\n' ----------- ----- -------------- -------------- --------
for shape in 4096x4096 11008x4096; do
  for dtype in F32 BF16; do
    gb=$(jmh_field "$tmp/jmh.csv" 'matvec:gbytes' "shape=$shape dtype=$dtype" Score)
    err=$(jmh_field "$tmp/jmh.csv" 'matvec:gbytes' "shape=$shape dtype=$dtype" 'Score Error (99.9%)')
    pct=$(awk -v a="$gb" -v b="$bw" 'BEGIN { printf "%.0f%%", 100 * a / b }')
    printf '%11s | %5s | %6.1f ± %5.1f | %14.1f | %8s\n' "$shape" "$dtype" "$gb" "$err" "$bw" "$pct"
  done
done
echo "load average (1/5/15 min) at start: $load_start, at end: $(cut -d" " -f1-3 /proc/loadavg) -- other work on the machine makes the figures noisy"
