#!/bin/sh
# Two builds of the benchmarks jar, or one build under two sets of JVM options, on the same JMH benchmark: A and B
# take turns (alternating which goes first), REPEATS times, and the table gives min / median / max and the paired
# ratios B / A (scripts/bench-lib.sh). For checking what a kernel change does, on the machine at hand.
#
#   scripts/bench-ab.sh JAR_A JAR_B METRIC BENCHMARK [JMH ARGS...]
#
#   JAR_A, JAR_B   benchmarks jars (the same one twice to compare JVM options only)
#   METRIC         the JMH result compared: a method ("trainStep") or a secondary metric ("matvec:gbytes")
#   Environment:   A_OPTS, B_OPTS (extra JVM options of each side, e.g. B_OPTS=-XX:UseAVX=2), A_NAME, B_NAME,
#                  LOWER_IS_BETTER=1 for times (the ratio is then A / B, above 1 when B is faster), and
#                  THREADS, REPEATS, JMH_OPTS (default "-f 1 -wi 3 -w 1 -i 5 -r 1"), CRS4J_JAVA_OPTS as in bench-lib.sh
#
# Example: the F32 matrix-vector product of an older build against this one, one thread, with JMH's allocation
# profiler, both when C2 inlines as it likes and when it may inline none of crs4j's methods:
#   mkdir ../old && git archive OLD | tar -x -C ../old && (cd ../old && ./mvnw -o -q -pl bench -am package -DskipTests)
#   THREADS=1 scripts/bench-ab.sh ../old/bench/target/benchmarks.jar bench/target/benchmarks.jar matvec:gbytes \
#     'MatvecBenchmark.matvec' -p shape=11008x4096 -p dtype=F32 -prof gc
set -eu
. "$(dirname "$0")/bench-lib.sh"
if [ $# -lt 4 ]; then
  echo "usage: scripts/bench-ab.sh JAR_A JAR_B METRIC BENCHMARK [JMH ARGS...]" >&2
  exit 2
fi
jar_a=$1 jar_b=$2 metric=$3
shift 3
for j in "$jar_a" "$jar_b"; do
  [ -f "$j" ] || { echo "bench-ab.sh: $j: no such jar" >&2; exit 2; }
done
a_name=${A_NAME:-A} b_name=${B_NAME:-B}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
bench_results ab
echo "== A = $jar_a ${A_OPTS-}; B = $jar_b ${B_OPTS-}; $metric of $*; $THREADS threads, $REPEATS repeats" >&2
side() {
  name=$1 j=$2 opts=$3
  shift 3
  saved=${CRS4J_JAVA_OPTS-}
  jar=$j CRS4J_JAVA_OPTS="$saved $opts"
  bench_jmh "$tmp/$name.json" "$tmp/$name.log" "-f 1 -wi 3 -w 1 -i 5 -r 1" "$@"
  CRS4J_JAVA_OPTS=$saved
  bench_record "$metric" "$name" "$rep" "$(jmh_value "$tmp/$name.json" "$metric")"
  case "$*" in *"-prof gc"*)
    echo "   $name, repeat $rep: $(jmh_value "$tmp/$name.json" "${metric%%:*}:gc.alloc.rate.norm") bytes allocated per operation" >&2 ;;
  esac
}
rep=1
while [ "$rep" -le "$REPEATS" ]; do
  if peer_first "$rep"; then
    side "$a_name" "$jar_a" "${A_OPTS-}" "$@"; side "$b_name" "$jar_b" "${B_OPTS-}" "$@"
  else
    side "$b_name" "$jar_b" "${B_OPTS-}" "$@"; side "$a_name" "$jar_a" "${A_OPTS-}" "$@"
  fi
  echo "   repeat $rep done (load $(bench_load))" >&2
  rep=$((rep + 1))
done
if [ "${LOWER_IS_BETTER-}" = 1 ]; then
  $PY "$root/scripts/bench_table.py" "$tsv" --ours "$b_name" --peer "$a_name" --unit "$metric" --lower-is-better \
    --ratio "ratio = $a_name / $b_name"
else
  $PY "$root/scripts/bench_table.py" "$tsv" --ours "$b_name" --peer "$a_name" --unit "$metric" --ratio "ratio = $b_name / $a_name"
fi
echo "measurements: $tsv"
