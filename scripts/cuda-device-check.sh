#!/bin/sh
# The CUDA backend's checks and benchmarks on a GPU machine, in one call of about 8 minutes. Builds nothing: run
# scripts/cuda-device-prepare.sh here first, then call the device tool as tensor/README.md says ("On a GPU"):
#
#   run(command="sh scripts/cuda-device-check.sh", carry=[".device-carry"], timeout_s=480)
#
# STEPS selects what runs (default: smoke tests parity bench decode sanitizer, in this order), e.g. a rerun of
# what failed: run(command="STEPS='smoke tests' sh scripts/cuda-device-check.sh", ...). Every step has its own time
# limit, so one that hangs cannot take the others with it; all of them take about 7 minutes on an H100. The step crs
# (crs's training steps, CPU vs GPU; not yet timed on a GPU: its CPU half, 100 recommender updates on ReDial's graph,
# dominates, up to 4 minutes) is a call of its own: run(command="STEPS=crs sh scripts/cuda-device-check.sh", ...,
# timeout_s=300).
#
# Writes into $OUT (what comes back, 8 files):
#   summary.txt   every step's output, in order, with timings and the machine (nvidia-smi, load)
#   smoke.txt     crs4j info --cuda-smoke: driver, PTX JIT vs in-process cubin, JCublas2 vs the FFM binding to the
#                 libcublas present, the GEMM library the backend chose, backend products vs the CPU
#   tests.txt     JUnit: every CUDA parity test (each op vs the CPU backend; the op tests on cuda:0; stories260K greedy
#                 GPU = CPU; training and generation dry runs) -- junit.xml the same as XML
#   crs-tests.txt JUnit: crs's training steps on the GPU vs the CPU (CrsCudaParityTest)
#   bench.jsonl   every measurement as a JSON line, both sides, all rounds
#   bench.md      the paired tables (scripts/cuda_bench_table.py)
#   sanitizer.txt CudaParityTest under compute-sanitizer's memcheck (as far as 60 s allow)
set -u
STEPS=${STEPS:-smoke tests parity bench decode sanitizer}
want() { case " $STEPS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
cd "$(dirname "$0")/.."
C=.device-carry
W=$(mktemp -d)   # scratch: the unpacked JRE and the tiled graph
OUT=${OUT:-$W/out}
mkdir -p "$OUT"
S="$OUT/summary.txt"
step() { echo "== $(date +%T) $*" | tee -a "$S"; }

step "machine"
{ nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm,clocks.max.mem --format=csv; uptime; nproc; } >> "$S" 2>&1
tar -C "$W" -xJf "$C/jre.tar.xz" || { echo "no JRE in $C: run scripts/cuda-device-prepare.sh first" | tee -a "$S"; exit 1; }
JAVA="$W/jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx48g"
CP="$C/lib/crs4j.jar:$C/lib/bench.jar"
# cuBLAS for the FFM binding and JCublas2: CUDA's library folders and PyTorch's bundled nvidia wheels
NV=$(python3 -c "import nvidia, os; print(os.path.dirname(nvidia.__path__[0]) + '/nvidia')" 2>/dev/null || true)
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib "$NV/cublas/lib" "$NV/cu13/lib"; do
  [ -d "$d" ] && LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"
done
export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}"
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH" >> "$S"
ls -l /usr/local/cuda/lib64/libcublas.so* "$NV"/cublas/lib/libcublas.so* >> "$S" 2>&1

if want smoke; then
step "crs4j info --cuda-smoke"
timeout 120 $JAVA -cp "$CP" org.crs4j.crs.cli.Main info --cuda-smoke > "$OUT/smoke.txt" 2>&1
echo "exit $?" >> "$OUT/smoke.txt"
cat "$OUT/smoke.txt" >> "$S"
fi

TESTS="$C/lib/tensor-tests.jar:$C/lib/nn-tests.jar:$C/lib/models-tests.jar"
if want tests; then
step "parity tests"
# every kernel waited for, so a faulting kernel is named (-Dcrs4j.cuda.syncLaunches)
timeout 200 $JAVA -Dcrs4j.shared="$C/shared" -Dcrs4j.cuda.syncLaunches=true -jar "$C/lib/junit-platform-console-standalone-1.13.4.jar" execute \
  --class-path "$C/lib/crs4j.jar:$TESTS" --disable-banner --details=tree --reports-dir "$OUT/junit-tmp" \
  --select-package org.crs4j.tensor.cuda --select-package org.crs4j.nn.cuda --select-package org.crs4j.models.cuda \
  --select-class org.crs4j.tensor.ElementwiseTest --select-class org.crs4j.tensor.ReductionTest \
  --select-class org.crs4j.tensor.NormSoftmaxTest --select-class org.crs4j.tensor.MatMulTest \
  --select-class org.crs4j.tensor.AttentionTest --select-class org.crs4j.tensor.IndexOpsTest \
  --select-class org.crs4j.tensor.RopeTest --select-class org.crs4j.tensor.SortScanTest > "$OUT/tests.txt" 2>&1
echo "exit $?" >> "$OUT/tests.txt"
cp "$OUT/junit-tmp/TEST-junit-jupiter.xml" "$OUT/junit.xml" 2>/dev/null; rm -rf "$OUT/junit-tmp"
tail -25 "$OUT/tests.txt" >> "$S"
fi

if want crs; then
step "crs training parity: the recommender's first 100 updates, T5 SFT steps, an RLPF update, CPU vs GPU"
timeout 240 $JAVA -Dcrs4j.shared="$C/shared" -jar "$C/lib/junit-platform-console-standalone-1.13.4.jar" execute \
  --class-path "$C/lib/crs4j.jar:$C/lib/crs-tests" --disable-banner --details=tree \
  --select-package org.crs4j.crs.cuda > "$OUT/crs-tests.txt" 2>&1
echo "exit $?" >> "$OUT/crs-tests.txt"
tail -25 "$OUT/crs-tests.txt" >> "$S"
fi

B="$OUT/bench.jsonl"
G="$C/shared/graphs/rgcn-graph.safetensors"
X10=$W/rgcn-graph-x10.safetensors
if want parity; then
step "training parity: RgcnTrainStep, 100 steps, CPU vs GPU"
timeout 120 $JAVA -Djava.io.tmpdir="$W" -cp "$CP" org.crs4j.bench.cuda.CudaBench train-parity "$G" 100 >> "$B" 2>> "$S"
echo "exit $?" >> "$S"
fi

# the two sides alternate, configuration set by configuration set, and each runs twice; 3 timed windows each
export WINDOWS=3
JB="$JAVA -Dcrs4j.bench.windows=3"
if want bench; then
for round in 1 2; do
  step "round $round: attention, crs4j"
  timeout 100 $JB -cp "$CP" org.crs4j.bench.cuda.CudaBench attention >> "$B" 2>> "$S"
  step "round $round: attention, PyTorch SDPA"
  timeout 100 python3 scripts/bench_cuda_peers.py attention >> "$B" 2>> "$S"
  step "round $round: aggregation, crs4j (deterministic)"
  timeout 60 $JB -Djava.io.tmpdir="$W" -cp "$CP" org.crs4j.bench.cuda.CudaBench aggregation "$G" >> "$B" 2>> "$S"
  step "round $round: aggregation, PyTorch"
  timeout 60 python3 scripts/bench_cuda_peers.py aggregation "$G" "$X10" >> "$B" 2>> "$S"
  step "round $round: aggregation, crs4j (atomic)"
  timeout 60 $JB -Djava.io.tmpdir="$W" -Dcrs4j.cuda.deterministic=false -cp "$CP" org.crs4j.bench.cuda.CudaBench aggregation "$G" >> "$B" 2>> "$S"
done
fi
if want decode; then
step "decode: LLaMA-2-7B-shaped BF16 vs the read-bandwidth roof"
timeout 100 $JAVA -cp "$CP" org.crs4j.bench.cuda.CudaBench decode 64 >> "$B" 2>> "$S"
fi

step "tables"
python3 scripts/cuda_bench_table.py "$B" > "$OUT/bench.md" 2>> "$S"
cat "$OUT/bench.md" >> "$S"

if want sanitizer; then
step "compute-sanitizer memcheck: CudaParityTest (out-of-bounds and misaligned accesses of every kernel it runs)"
if command -v compute-sanitizer >/dev/null 2>&1; then
  timeout 60 compute-sanitizer --tool memcheck --print-limit 20 $JAVA -jar "$C/lib/junit-platform-console-standalone-1.13.4.jar" execute \
    --class-path "$C/lib/crs4j.jar:$TESTS" --disable-banner --details=summary \
    --select-class org.crs4j.tensor.cuda.CudaParityTest > "$OUT/sanitizer.txt" 2>&1
  echo "exit $?" >> "$OUT/sanitizer.txt"
  tail -30 "$OUT/sanitizer.txt" >> "$S"
else
  echo "no compute-sanitizer on this machine" | tee -a "$S"
fi
fi

step "done"
