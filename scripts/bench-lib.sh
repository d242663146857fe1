# Sourced (POSIX sh) by the scripts/bench-*.sh scripts: one definition of how they build the benchmarks jar, run JMH,
# pair crs4j with its peer and keep the measurements.
#
# Every script runs the two sides of a case (crs4j and its peer) one right after the other, alternating which side
# goes first, case by case, and the whole sweep REPEATS times, so that the figures compared saw the same machine load;
# each measurement becomes a line of a TSV file under bench/target/results (kept), and the table printed at the end
# (scripts/bench_table.py) gives min / median / max over the repeats and the paired ratios.
#
# Environment read here, for every script:
#   THREADS          threads for both sides (default: all processors)
#   REPEATS          sweeps over all cases (default 3)
#   JMH_OPTS         JMH's fork and iteration options, replacing the script's default (which the script prints),
#                    e.g. JMH_OPTS="-f 1 -wi 5 -w 1 -i 10 -r 1"
#   CRS4J_JAVA_OPTS  extra options for the benchmark JVMs, e.g. -XX:UseAVX=2 to run the AVX2 kernels on an AVX-512 machine
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/select-jdk.sh"
cd "$root"

THREADS=${THREADS:-$(nproc)}
REPEATS=${REPEATS:-3}
PY=/usr/bin/python3
jar=bench/target/benchmarks.jar
results_dir=bench/target/results
mkdir -p "$results_dir"

# Builds the jar when it is missing or older than a pom or a main source file (as ./crs4j does).
bench_build() {
  if [ ! -f "$jar" ] || [ -n "$(find "$root" -path "$root/.git" -prune -o -path '*/target' -prune -o \
        \( -name pom.xml -o -path '*/src/main/*' \) -type f -newer "$jar" -print 2>/dev/null | head -n 1)" ]; then
    echo "building $jar ..." >&2
    ./mvnw -q -B -pl bench -am package -DskipTests >&2
  fi
}

# A fresh results file for this run: bench_results NAME sets $tsv.
bench_results() {
  tsv="$results_dir/$1-$(date +%Y%m%d-%H%M%S).tsv"
  printf '# %s, %s threads, %s repeats, %s (%s), load %s\n' "$1" "$THREADS" "$REPEATS" "$(uname -m)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" "$(cut -d' ' -f1-3 /proc/loadavg)" > "$tsv"
}

# bench_record CASE SIDE REPEAT VALUE: one measurement.
bench_record() {
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$tsv"
}

# True on odd repeats: the peer goes first then, crs4j first on even ones.
peer_first() {
  [ $(($1 % 2)) -eq 1 ]
}

# bench_jmh JSON LOG DEFAULT_OPTS ARGS...: one JMH run of the benchmarks jar; the JMH lock is ignored (JMH would
# otherwise refuse to start while another JMH run holds it on this shared machine: the load figures say what ran).
bench_jmh() {
  json=$1 log=$2 defaults=$3
  shift 3
  # shellcheck disable=SC2086
  if ! "$JAVA_HOME/bin/java" -Djmh.ignoreLock=true -jar "$jar" "$@" ${JMH_OPTS:-$defaults} \
      -jvmArgsPrepend "-Dcrs4j.threads=$THREADS ${CRS4J_JAVA_OPTS-}" -rf json -rff "$json" > "$log" 2>&1; then
    tail -20 "$log" >&2
    echo "JMH failed: see $log" >&2
    exit 1
  fi
}

# jmh_value JSON METRIC [PARAM=VALUE ...]: JMH's mean of one result (METRIC a method, or method:secondary).
jmh_value() {
  $PY "$root/scripts/jmh_result.py" "$@" | cut -d' ' -f1
}

bench_load() {
  cut -d' ' -f1-3 /proc/loadavg
}
