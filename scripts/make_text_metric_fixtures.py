#!/usr/bin/python3
"""Writes the NLTK 3.8 reference values that crs/src/test/.../eval/TextMetricsNltkTest checks Bleu and Distinct against.

Run with Debian's interpreter (python3-nltk 3.8), from the repository root:

    /usr/bin/python3 scripts/make_text_metric_fixtures.py

The texts are random (seeded) sentences over a small vocabulary, so that n-grams of every order match often, plus the
edge cases: empty and blank lines, one-word lines, hypotheses shorter than n, empty references, several references,
mixed case, tabs and Unicode spaces, and characters whose lower case needs care (final sigma, dotted capital I).
Tokens are what the Java side defines: text.lower().split().
"""
import json
import random
import sys
import warnings

import nltk
from nltk.translate.bleu_score import corpus_bleu, sentence_bleu
from nltk.util import ngrams

OUT = "crs/src/test/resources/org/crs4j/crs/eval/text_metrics_nltk.json"
VOCAB = ("I you the a movie movies film like liked love loved it this that is was great good scary funny "
         "have seen watch watched Heat Alien Inception The Conjuring 2 (2013) café Café , . ! ? and or "
         "ΣΑΣ İstanbul don't").split()
SPACES = [" ", " ", " ", "  ", "\t", "\u00a0", "\u3000", "\u2007", "\x85"]


def sentence(rng, length):
    words = [rng.choice(VOCAB) for _ in range(length)]
    text = ""
    for i, w in enumerate(words):
        text += (rng.choice(SPACES) if i else "") + w
    if rng.random() < 0.1:
        text = " " + text + "  "
    return text


def perturb(rng, text):
    words = text.split()
    out = []
    for w in words:
        r = rng.random()
        if r < 0.15:
            continue
        if r < 0.3:
            out.append(rng.choice(VOCAB))
        elif r < 0.4:
            out.append(w.upper())
        else:
            out.append(w)
        if rng.random() < 0.05:
            out.append(rng.choice(VOCAB))
    return " ".join(out)


def tok(text):
    return text.lower().split()


def expected(hyps, refs):
    ht = [tok(h) for h in hyps]
    rt = [[tok(r) for r in rs] for rs in refs]
    crs = {}
    for k in range(1, 5):
        w = [0.0] * 4
        w[k - 1] = 1.0
        crs[str(k)] = [sentence_bleu(r, h, w) for r, h in zip(rt, ht)]
    corpus = {str(n): corpus_bleu(rt, ht, tuple([1.0 / n] * n)) for n in range(1, 5)}
    dist = {}
    for n in range(1, 5):
        seen = set()
        for h in ht:
            seen.update(ngrams(h, n))
        dist[str(n)] = len(seen) / len(ht)
    return {"tokens": ht, "crs_bleu": crs, "corpus_bleu": corpus, "distinct": dist}


def intervals(case):
    """The command line's intervals, computed naively: scipy's t interval of the BLEU-k mean, and the jackknife
    standard error of Dist-n by recomputing it without each response in turn."""
    import math
    import scipy.stats
    e = case["expected"]
    out = {}
    for k in range(1, 5):
        x = e["crs_bleu"][str(k)]
        n = len(x)
        mean = sum(x) / n
        sd = math.sqrt(sum((v - mean) ** 2 for v in x) / (n - 1))
        lo, hi = scipy.stats.t.interval(0.95, n - 1, loc=mean, scale=sd / math.sqrt(n))
        out["BLEU-%d" % k] = [lo, hi, sd]
    toks = e["tokens"]
    for order in range(1, 5):
        def dist(rows):
            seen = set()
            for h in rows:
                seen.update(ngrams(h, order))
            return len(seen) / len(rows)
        loo = [dist(toks[:i] + toks[i + 1:]) for i in range(len(toks))]
        m = sum(loo) / len(loo)
        se = math.sqrt((len(toks) - 1) / len(toks) * sum((v - m) ** 2 for v in loo))
        value = e["distinct"][str(order)]
        out["Dist-%d" % order] = [value - 1.959963984540054 * se, value + 1.959963984540054 * se, se]
    e["intervals"] = out


def main():
    if nltk.__version__ != "3.8":
        print("warning: NLTK %s, the fixtures were made with 3.8" % nltk.__version__, file=sys.stderr)
    warnings.simplefilter("ignore")  # NLTK warns on every order without a match ("method0")
    rng = random.Random(20261206)
    cases = []

    hyps, refs = [], []
    for i in range(300):
        kind = rng.random()
        ref = sentence(rng, rng.choice([0, 1, 2, 3] + list(range(4, 26))))
        if kind < 0.5:
            hyp = perturb(rng, ref)
        elif kind < 0.6:
            hyp = ref.upper()
        else:
            hyp = sentence(rng, rng.choice([0, 1, 2, 3] + list(range(4, 26))))
        extra = [perturb(rng, ref) for _ in range(rng.choice([0, 0, 0, 1, 2]))]
        hyps.append(hyp)
        refs.append([ref] + extra)
    cases.append({"name": "random sentences, 1-3 references", "hypotheses": hyps, "references": refs})
    cases.append({"name": "random sentences, one reference (the command-line form)", "hypotheses": hyps[:120],
                  "references": [r[:1] for r in refs[:120]]})

    edge_h = ["", "   ", "movie", "the movie", "I liked the movie", "a b c", "Heat Heat Heat Heat",
              "ΣΑΣ İstanbul", "I\u00a0liked\tthe\u3000movie", "the the the the the the the"]
    edge_r = [["I liked it"], ["I liked it"], ["movie"], ["the movie was great"], [""], ["a b c"],
              ["Heat is great", "Heat Heat"], ["σας i̇stanbul"], ["i liked the movie"], ["the cat is on the mat"]]
    cases.append({"name": "edge cases: empty, blank, one word, shorter than n, empty reference, unicode", "hypotheses": edge_h,
                  "references": edge_r})
    cases.append({"name": "all hypotheses empty", "hypotheses": ["", " "], "references": [["a b"], ["c"]]})
    cases.append({"name": "one-word lines", "hypotheses": ["yes", "no", "Yes", "maybe"], "references": [["yes"], ["yes"], ["yes"], ["no"]]})

    for c in cases:
        c["expected"] = expected(c["hypotheses"], c["references"])
    intervals(cases[1])
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"generator": "scripts/make_text_metric_fixtures.py", "nltk": nltk.__version__, "cases": cases}, f,
                  ensure_ascii=True, indent=None)
        f.write("\n")
    print("wrote", OUT, sum(len(c["hypotheses"]) for c in cases), "hypotheses in", len(cases), "cases")


if __name__ == "__main__":
    main()
