#!/bin/sh
# Matrix-vector y = W·x (W row-major, off-heap, F32, BF16 and Q8_0) against the machine's read bandwidth, in one run.
#
#   scripts/bench-matvec.sh
#
# The limit is measured, not quoted: BandwidthBenchmark streams 1 GiB read-only with all threads in two patterns
# (see its comment), and the better pattern is the machine's read bandwidth. A matvec reads each weight once, so its
# GB/s (weight bytes / time) over that bandwidth is its share of the roof. Everything is timed in one-second windows
# after a warm-up; the table gives the mean over the windows (± JMH's 99.9% error) and the best window.
#
# Environment: THREADS (default: all processors), WINDOWS (measured windows, default 5),
# CRS4J_JAVA_OPTS (extra options for the benchmark JVM, e.g. -XX:UseAVX=2).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/select-jdk.sh"
cd "$root"

threads=${THREADS:-$(nproc)}
windows=${WINDOWS:-5}
jar=bench/target/benchmarks.jar
if [ ! -f "$jar" ]; then
  echo "building $jar ..." >&2
  ./mvnw -q -B -pl bench -am package -DskipTests
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
result() { /usr/bin/python3 "$root/scripts/jmh_result.py" "$tmp/jmh.json" "$@"; }

load_start=$(cut -d" " -f1-3 /proc/loadavg)
echo "== crs4j JMH BandwidthBenchmark and MatvecBenchmark, $threads threads" >&2
"$JAVA_HOME/bin/java" -jar "$jar" 'org.crs4j.bench.(BandwidthBenchmark.readAll|MatvecBenchmark.matvec)' \
  -jvmArgsPrepend "-Dcrs4j.threads=$threads ${CRS4J_JAVA_OPTS-}" -f 1 -wi 3 -w 1 -i "$windows" -r 1 \
  -rf json -rff "$tmp/jmh.json" > "$tmp/jmh.log" 2>&1 || { cat "$tmp/jmh.log" >&2; exit 1; }

# The limit: the better read pattern, by mean and by best window.
bw=0 bwbest=0
for pattern in sequential interleaved; do
  set -- $(result readAll:gbytes "pattern=$pattern")
  echo "   read bandwidth, $pattern: mean $1 ± $2 GB/s, best window $3 GB/s" >&2
  if awk -v a="$1" -v b="$bw" 'BEGIN { exit !(a > b) }'; then bw=$1 bwerr=$2 bwpattern=$pattern; fi
  if awk -v a="$3" -v b="$bwbest" 'BEGIN { exit !(a > b) }'; then bwbest=$3; fi
done

species=$(sed -n 's/.*species=//p' "$tmp/jmh.log" | head -1)
echo
echo "matvec y = W·x, W row-major off-heap, $threads threads ($(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); crs4j vectors: $species)"
printf 'read bandwidth, 1 GiB, all threads: mean %.1f ± %.1f GB/s (%s pattern), best window %.1f GB/s\n' \
  "$bw" "$bwerr" "$bwpattern" "$bwbest"
echo "GB/s of W read: mean ± 99.9% error over $windows one-second windows, and the best window"
printf '%11s | %5s | %20s | %6s | %22s\n' W dtype "matvec mean" best "% of bandwidth mean/best"
for shape in 4096x4096 11008x4096; do
  for dtype in F32 BF16 Q8_0; do
    set -- $(result matvec:gbytes "shape=$shape" "dtype=$dtype")
    printf '%11s | %5s | %9.1f ± %8.1f | %6.1f | %12s / %s\n' "$shape" "$dtype" "$1" "$2" "$3" \
      "$(awk -v a="$1" -v b="$bw" 'BEGIN { printf "%.0f%%", 100 * a / b }')" \
      "$(awk -v a="$3" -v b="$bwbest" 'BEGIN { printf "%.0f%%", 100 * a / b }')"
  done
done
echo "load average (1/5/15 min) at start: $load_start, at end: $(cut -d" " -f1-3 /proc/loadavg)"
