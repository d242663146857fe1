#!/usr/bin/python3
"""The figures of `crs4j score --hypotheses H --references R`, computed by NLTK 3.8 (Debian's python3-nltk), as a
peer to compare on real files (values only: intervals are not recomputed here).

    /usr/bin/python3 scripts/score_with_nltk.py HYPOTHESES REFERENCES

Tokens as crs4j defines them: text.lower().split(). BLEU-k: sentence_bleu with weight 1 on order k of 4, averaged;
corpus BLEU-n: corpus_bleu with weights 1/n; Dist-n: distinct word n-grams / responses.
"""
import sys
import time
import warnings

from nltk.translate.bleu_score import corpus_bleu, sentence_bleu
from nltk.util import ngrams


def lines(path):
    with open(path, encoding="utf-8", newline="\n") as f:
        text = f.read()
    out = text.split("\n")
    if out and out[-1] == "":
        out.pop()
    return [l[:-1] if l.endswith("\r") else l for l in out]


def main():
    warnings.simplefilter("ignore")
    t0 = time.time()
    hyps = [h.lower().split() for h in lines(sys.argv[1])]
    refs = [[r.lower().split()] for r in lines(sys.argv[2])]
    assert len(hyps) == len(refs), "line counts differ"
    print("%d responses (%d hypotheses without tokens)" % (len(hyps), sum(1 for h in hyps if not h)))
    for k in range(1, 5):
        w = [0.0] * 4
        w[k - 1] = 1.0
        print("BLEU-%d        %.4f" % (k, sum(sentence_bleu(r, h, w) for r, h in zip(refs, hyps)) / len(hyps)))
    for n in range(1, 5):
        print("corpus BLEU-%d %.4f" % (n, corpus_bleu(refs, hyps, tuple([1.0 / n] * n))))
    for n in range(1, 5):
        seen = set()
        for h in hyps:
            seen.update(ngrams(h, n))
        print("Dist-%d        %.4f" % (n, len(seen) / len(hyps)))
    print("NLTK: %.2f s" % (time.time() - t0), file=sys.stderr)


if __name__ == "__main__":
    main()
