#!/usr/bin/python3
"""Tokenizer encoding throughput: crs4j (JMH, bench/TokenizerBenchmark) next to SentencePiece's C++ encoder (Debian
python3-sentencepiece 0.1.97, batch encode with num_threads=1, so no per-call Python overhead) on the same 23,952
ReDial test utterances, in the same run, one thread each.

  /usr/bin/python3 scripts/bench_tokenizers.py [--quick]

Builds bench/target/benchmarks.jar with ./mvnw, runs JMH, times SentencePiece, prints utterances/s and the ratio;
then the same comparison in utterances per CPU-second of the process (TokenizerCpuTime for crs4j, GC and JIT threads
included; time.process_time for SentencePiece), which moves much less than wall-clock time when other jobs share
the cores.
Set JMH_IGNORE_LOCK=1 when another JMH run holds its lock file, jmh.lock in the temporary directory (numbers are then shared with that run's load).
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time

import sentencepiece as spm

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.abspath(os.path.join(REPO, "..", "shared"))
FILES = ["models/t5-tokenizer/spiece.model", "models/llama2-tokenizer/tokenizer.model",
         "models/llama2-tokenizer/tokenizer.bin", "models/t5-tokenizer/tokenizer.json"]
PEER = {"models/t5-tokenizer/spiece.model": "models/t5-tokenizer/spiece.model",
        "models/llama2-tokenizer/tokenizer.model": "models/llama2-tokenizer/tokenizer.model",
        "models/llama2-tokenizer/tokenizer.bin": "models/llama2-tokenizer/tokenizer.model",
        "models/t5-tokenizer/tokenizer.json": "models/t5-tokenizer/spiece.model"}


def utterances():
    out = []
    with gzip.open(os.path.join(SHARED, "data/redial/raw/test_data.jsonl.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            out.extend(m["text"] for m in json.loads(line)["messages"])
    return out


def java_home():
    return subprocess.run(["sh", "-c", ". ./.mvn/select-jdk.sh && echo $JAVA_HOME"], cwd=REPO, check=True,
                          capture_output=True, text=True).stdout.strip()


def run_jmh(quick):
    subprocess.run(["./mvnw", "-q", "-B", "-pl", "bench", "-am", "package", "-DskipTests"], cwd=REPO, check=True)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        result = tmp.name
    cmd = [os.path.join(java_home(), "bin", "java")]
    if os.environ.get("JMH_IGNORE_LOCK") == "1":
        cmd.append("-Djmh.ignoreLock=true")
    cmd += ["-jar", "bench/target/benchmarks.jar", "TokenizerBenchmark", "-rf", "json", "-rff", result,
            "-jvmArgsAppend", "-Dcrs4j.shared=" + SHARED]
    if quick:
        cmd += ["-wi", "1", "-i", "2"]
    subprocess.run(cmd, cwd=REPO, check=True)
    with open(result) as f:
        data = json.load(f)
    os.remove(result)
    def number(x):
        try:
            return float(x)
        except (TypeError, ValueError):  # JMH writes "NaN" when there are too few iterations for an error
            return float("nan")
    return {r["params"]["tokenizer"]: (number(r["primaryMetric"]["score"]), number(r["primaryMetric"]["scoreError"]))
            for r in data}


def cpu_sentencepiece(texts, path, repeats=7):
    """Best utterances per CPU-second of this process: batch encode with num_threads=1 runs on one worker thread while
    the calling thread waits, so process time (not thread time) is what the encoding costs."""
    sp = spm.SentencePieceProcessor(model_file=os.path.join(SHARED, path))
    for _ in range(3):
        sp.encode(texts, num_threads=1)
    best = 0
    for _ in range(repeats):
        t = time.process_time()
        for _ in range(10):  # as many passes per round as TokenizerCpuTime
            sp.encode(texts, num_threads=1)
        best = max(best, 10 * len(texts) / (time.process_time() - t))
    return best


def cpu_crs4j():
    out = subprocess.run([os.path.join(java_home(), "bin", "java"), "--add-modules", "jdk.incubator.vector", "-cp",
                          "bench/target/benchmarks.jar", "org.crs4j.bench.TokenizerCpuTime", SHARED] + FILES,
                         cwd=REPO, check=True, capture_output=True, text=True).stdout
    return {line.split()[0]: float(line.split()[1]) for line in out.splitlines() if line.strip()}


def time_sentencepiece(texts, path, repeats=7):
    """Median utterances/s over repeated batch encodes (JMH's figure is a mean over iterations)."""
    sp = spm.SentencePieceProcessor(model_file=os.path.join(SHARED, path))
    sp.encode(texts[:1000], num_threads=1)
    rates = []
    for _ in range(repeats):
        t = time.perf_counter()
        sp.encode(texts, num_threads=1)
        rates.append(len(texts) / (time.perf_counter() - t))
    return sorted(rates)[len(rates) // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer JMH iterations")
    args = ap.parse_args()
    texts = utterances()
    jmh = run_jmh(args.quick)
    peers = {p: time_sentencepiece(texts, p) for p in set(PEER.values())}
    n = len(texts)
    print()
    print("Encoding %d ReDial test utterances, one thread (utterances/s; crs4j: JMH mean +- 99.9%% error;"
          " SentencePiece: median of 7 batch encodes)" % n)
    print("%-42s %16s %22s %8s" % ("tokenizer", "crs4j", "SentencePiece C++", "ratio"))
    for f in FILES:
        score, err = jmh[f]
        peer = peers[PEER[f]]
        print("%-42s %9.0f +-%5.0f %15.0f (%s) %7.2fx" % (f, score * n, err * n, peer,
                                                         os.path.basename(PEER[f]), score * n / peer))
    print("load average at the end: %.2f %.2f %.2f" % os.getloadavg())
    cpu = cpu_crs4j()
    cpu_peers = {p: cpu_sentencepiece(texts, p) for p in set(PEER.values())}
    print()
    print("Same utterances, best of 7 rounds of 10 passes, in utterances per CPU-second of the process (steadier on a busy machine)")
    print("%-42s %16s %22s %8s" % ("tokenizer", "crs4j", "SentencePiece C++", "ratio"))
    for f in FILES:
        print("%-42s %16.0f %15.0f (%s) %7.2fx" % (f, cpu[f], cpu_peers[PEER[f]], os.path.basename(PEER[f]),
                                                  cpu[f] / cpu_peers[PEER[f]]))
    print("load average at the end: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
