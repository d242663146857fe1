#!/bin/sh
# Builds here everything scripts/cuda-device-check.sh runs on a GPU machine, into .device-carry/ (git-ignored), so that
# nothing is built there (the GPU machines have CUDA, PyTorch and no Java, and reach no network):
#
#   .device-carry/jre.tar.xz   a Java 25 runtime cut down by jlink (the modules crs4j and JUnit use), native code stripped
#   .device-carry/lib/         crs4j.jar (the application, JCuda and commons-math3 inside; fastutil left out), bench.jar
#                              (CudaBench), the test classes of tensor and the CUDA tests of nn, models and crs, JUnit's
#                              console launcher
#   .device-carry/shared/      stories260K (both Hugging Face exports) and the ReDial R-GCN graph file: copies of
#                              ../shared for the device run only; never committed
#
#   scripts/cuda-device-prepare.sh        then call the device tool as tensor/README.md says
#
# Everything must stay under the device tool's 64 MiB (working tree included); the script prints the total.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/select-jdk.sh"
cd "$root"
out=.device-carry
rm -rf "$out"
mkdir -p "$out/lib" "$out/shared/models/stories260K" "$out/shared/graphs"

./mvnw -q -B -pl crs,bench -am package -DskipTests
./mvnw -q -B -pl tensor,nn,models,crs -am test-compile
# the application without fastutil (21 MB compressed, used by dataset preparation only, which the device run never does)
cp crs/target/crs4j.jar "$out/lib/"
zip -q -d "$out/lib/crs4j.jar" 'it/unimi/dsi/*' >/dev/null
"$JAVA_HOME/bin/jar" cf "$out/lib/bench.jar" -C bench/target/classes org/crs4j/bench
"$JAVA_HOME/bin/jar" cf "$out/lib/tensor-tests.jar" -C tensor/target/test-classes .
"$JAVA_HOME/bin/jar" cf "$out/lib/nn-tests.jar" -C nn/target/test-classes org/crs4j/nn/cuda
"$JAVA_HOME/bin/jar" cf "$out/lib/models-tests.jar" -C models/target/test-classes org/crs4j/models/cuda
# crs's GPU parity test and what it reads, as a folder: the tiny T5's tokenizer is opened as a file
t=crs/target/test-classes/org/crs4j/crs; d="$out/lib/crs-tests/org/crs4j/crs"
mkdir -p "$d/controller" "$d/rlpf"
cp -r "$t/cuda" "$d/"
cp "$t/controller/TinyT5.class" "$d/controller/"
cp "$t/rlpf/tiny-char.model" "$d/rlpf/"
./mvnw -q -B dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.13.4 -DoutputDirectory="$out/lib"

# the runtime: java.base and the modules crs4j (Vector API, FFM), Jackson, picocli and JUnit's launcher reach for
"$JAVA_HOME/bin/jlink" --add-modules java.base,jdk.incubator.vector,java.logging,java.management,java.xml,jdk.unsupported \
  --strip-debug --no-man-pages --no-header-files --compress=zip-9 --output "$out/jre" 2>/dev/null
find "$out/jre" -name '*.so' -exec strip --strip-unneeded {} +
tar -C "$out" -cJf "$out/jre.tar.xz" jre
rm -rf "$out/jre"

shared=${SHARED:-../shared}
cp -r "$shared/models/stories260K/hf" "$shared/models/stories260K/hf-bf16-sharded" "$shared/models/stories260K/reference.json" \
  "$out/shared/models/stories260K/"
graph=bench/target/rgcn-graph.safetensors
[ -f "$graph" ] || "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$out/lib/crs4j.jar:$out/lib/bench.jar" \
  org.crs4j.bench.RgcnGraph "$graph" "$shared/data" 2>/dev/null
cp "$graph" "$out/shared/graphs/"

du -sh "$out"/* "$out"
echo "working tree: $(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1) bytes tracked; carry: $(du -sb "$out" | cut -f1) bytes (limit 67108864 together)"
