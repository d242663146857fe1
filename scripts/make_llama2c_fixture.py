#!/usr/bin/python3
"""Token ids from llama2.c's own encode() (karpathy/llama2.c run.c, built outside this repository) for the crs4j
llama2.c tokenizer tests: an independent check of the greedy score-based merge, including llama2.c's quirks (a literal
U+2581 in the text is byte-encoded, since the vocabulary stores '▁' as a space).

  /usr/bin/python3 scripts/make_llama2c_fixture.py --run-c /path/to/llama2.c/run.c

It compiles a tiny harness (#define TESTING, #include run.c) with gcc in a temporary folder, encodes the same seeded
random strings as make_tokenizer_parity.py (without BOS/EOS) with ../shared's tok512.bin and tokenizer.bin, and writes
models/src/test/resources/org/crs4j/models/tokenizer/llama2c_encodings.jsonl.gz. No llama2.c code enters the repository.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tokenizer_parity import OUT, REPO, random_strings  # noqa: E402

HARNESS = r"""
#define TESTING
#include "run.c"
int main(int argc, char** argv) {
    Tokenizer t; build_tokenizer(&t, argv[1], atoi(argv[2]));
    char hex[1 << 16]; static char text[1 << 15]; int* ids = malloc(sizeof(int) * (1 << 15));
    while (fgets(hex, sizeof hex, stdin)) {
        size_t n = strlen(hex); if (n && hex[n - 1] == '\n') hex[--n] = 0;
        for (size_t i = 0; i < n / 2; i++) { unsigned v; sscanf(hex + 2 * i, "%2x", &v); text[i] = (char) v; }
        text[n / 2] = 0;
        int k = 0; encode(&t, text, 0, 0, ids, &k);
        for (int i = 0; i < k; i++) printf(i ? " %d" : "%d", ids[i]);
        printf("\n");
    }
    return 0;
}
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run-c", required=True, help="llama2.c's run.c (from a checkout outside this repository)")
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    args = ap.parse_args()
    texts = [t for t in random_strings() if "\x00" not in t]  # C strings end at NUL
    files = [("tok512", "models/stories260K/tok512.bin", 512), ("llama2", "models/llama2-tokenizer/tokenizer.bin", 32000)]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "harness.c")
        with open(src, "w") as f:
            f.write(HARNESS)
        exe = os.path.join(tmp, "harness")
        subprocess.run(["gcc", "-O2", "-I", os.path.dirname(os.path.abspath(args.run_c)), "-o", exe, src, "-lm"], check=True)
        stdin = "".join(t.encode("utf-8").hex() + "\n" for t in texts)
        results = {}
        for name, rel, vocab in files:
            out = subprocess.run([exe, os.path.join(args.shared, rel), str(vocab)], input=stdin, capture_output=True,
                                 text=True, check=True).stdout.splitlines()
            assert len(out) == len(texts), (name, len(out))
            results[name] = [[int(x) for x in line.split()] for line in out]
    path = os.path.join(OUT, "llama2c_encodings.jsonl.gz")
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as f:
        for i, t in enumerate(texts):
            rec = {"text": t}
            for name, _, _ in files:
                rec[name] = results[name][i]
            f.write((json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8"))
    print("wrote %s: %d strings, %d bytes" % (path, len(texts), os.path.getsize(path)))


if __name__ == "__main__":
    main()
