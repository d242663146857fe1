#!/usr/bin/python3
"""Trains the SentencePiece vocabulary of crs4j's small controller T5 (crs4j train controller).

Run with Debian's interpreter from the repository root (python3-sentencepiece 0.1.97, no network):

    /usr/bin/python3 scripts/train_controller_tokenizer.py [--shared ../shared]

Why not T5's own spiece.model: it has no Chinese pieces (every CJK character of TG-ReDial encodes as <unk>, id 2),
so one of the three CRS datasets could not be read or written by the controller at all; and its 32,100 pieces would
make the embedding and output layer 8-9 of the few million parameters the controller has, and most of each step's
arithmetic. This vocabulary is 8,000 unigram pieces learnt from the *training* splits only (ReDial's
train_side_union with movie mentions written as their titles, INSPIRED's UniCRS train split, TG-ReDial's valid split,
which is our TG-ReDial training data), in T5's layout (pad 0, eos 1, unk 2, no bos; NFKC normalisation as T5's), with
byte fallback so that no character is ever unknown.

Writes crs/src/main/resources/org/crs4j/crs/controller/controller-spm-8k.model and prints what it measured (pieces
per utterance on the held-out test splits against T5's spiece.model, unknown rate); and the parity fixture
crs/src/test/resources/org/crs4j/crs/controller/tokenizer_parity.jsonl.gz: SentencePiece's ids of the first 200
test utterances of each dataset as stored (ReDial's with @ids; ids only: the test reads the text from ../shared) and of synthetic strings written
here (text and ids), which ControllerTokenizerTest compares with crs4j's encoder.
"""
import argparse
import csv
import gzip
import io
import json
import os
import re
import tempfile

import sentencepiece as spm

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "crs/src/main/resources/org/crs4j/crs/controller/controller-spm-8k.model")
PARITY = os.path.join(REPO, "crs/src/test/resources/org/crs4j/crs/controller/tokenizer_parity.jsonl.gz")
SYNTHETIC = [
    "", " ", "Hello!  Have you seen The Matrix (1999)?", "I'd recommend 《霸王别姬》，你看过吗？",
    "最近怎么样？我想看一部周星驰的喜剧。", "🎬 emoji 🍿 and ＦＵＬＬＷＩＤＴＨ letters", "tab\tand\nnewline",
    "Sub-task: recommendation; expert: KBRD; output: Jaws (1975)", "Ünïcödé àccents — dashes… “quotes”",
    "数字 12345 和 English 混合 text", "\u200bzero width", "x" * 300,
]
MENTION = re.compile(r"@(\d+)")


def redial_titles(shared):
    titles = {}
    with open(os.path.join(shared, "data/redial/raw/movies_with_mentions.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            titles[row["movieId"]] = " ".join(row["movieName"].split())
    return titles


def redial(shared, path, titles, substitute=True):
    with gzip.open(os.path.join(shared, path), "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            names = {k: " ".join(v.split()) for k, v in (rec.get("movieMentions") or {}).items() if v}
            for m in rec["messages"]:
                if not substitute:
                    yield m["text"]
                    continue
                yield MENTION.sub(lambda g: names.get(g.group(1)) or titles.get(g.group(1)) or g.group(0), m["text"])


def inspired(shared, path):
    with gzip.open(os.path.join(shared, path), "rt", encoding="utf-8") as f:
        for line in f:
            for turn in json.loads(line):
                yield turn["text"]


def tgredial(shared, path):
    with gzip.open(os.path.join(shared, path), "rt", encoding="utf-8") as f:
        for conv in json.load(f):
            for m in conv["messages"]:
                yield m["content"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    args = ap.parse_args()
    titles = redial_titles(args.shared)
    train = {
        "redial": list(redial(args.shared, "data/redial/train_subsets_union/train_side_union.jsonl.gz", titles)),
        "inspired": list(inspired(args.shared, "data/inspired/unicrs/train_data_dbpedia.jsonl.gz")),
        "tgredial": list(tgredial(args.shared, "data/tgredial/valid_data.json.gz")),
    }
    test = {
        "redial": list(redial(args.shared, "data/redial/raw/test_data.jsonl.gz", titles)),
        "inspired": list(inspired(args.shared, "data/inspired/unicrs/test_data_dbpedia.jsonl.gz")),
        "tgredial": list(tgredial(args.shared, "data/tgredial/test_data.json.gz")),
    }
    for k, v in train.items():
        print(f"train {k}: {len(v)} utterances")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.txt")
        with open(corpus, "w", encoding="utf-8") as f:
            for texts in train.values():
                for t in texts:
                    t = " ".join(t.split())
                    if t:
                        f.write(t + "\n")
        prefix = os.path.join(tmp, "spm")
        here = os.getcwd()
        os.chdir(tmp)  # the model stores its input and prefix: relative names keep machine paths out of it
        spm.set_random_generator_seed(20261206)  # the trainer samples; a seed makes the file reproducible
        spm.SentencePieceTrainer.train(
            input="corpus.txt", model_prefix="spm", model_type="unigram", vocab_size=8000,
            character_coverage=0.9995, byte_fallback=True, normalization_rule_name="nmt_nfkc",
            pad_id=0, eos_id=1, unk_id=2, bos_id=-1, input_sentence_size=0, shuffle_input_sentence=False,
            num_threads=1, minloglevel=2)
        os.chdir(here)
        os.makedirs(os.path.dirname(OUT), exist_ok=True)
        with open(prefix + ".model", "rb") as src, open(OUT, "wb") as dst:
            dst.write(src.read())
    ours = spm.SentencePieceProcessor(model_file=OUT)
    os.makedirs(os.path.dirname(PARITY), exist_ok=True)
    with gzip.open(PARITY, "wt", encoding="utf-8") as f:
        raw = {"redial": list(redial(args.shared, "data/redial/raw/test_data.jsonl.gz", {}, substitute=False)),
               "inspired": test["inspired"], "tgredial": test["tgredial"]}
        for k, texts in raw.items():
            for i, t in enumerate(texts[:200]):
                f.write(json.dumps({"dataset": k, "utterance": i, "ids": ours.encode(t)}) + "\n")
        for t in SYNTHETIC:
            f.write(json.dumps({"text": t, "ids": ours.encode(t), "decoded": ours.decode(ours.encode(t))}, ensure_ascii=False) + "\n")
    t5 = spm.SentencePieceProcessor(model_file=os.path.join(args.shared, "models/t5-tokenizer/spiece.model"))
    print(f"wrote {os.path.relpath(OUT, REPO)}: {ours.get_piece_size()} pieces, {os.path.getsize(OUT)} bytes")
    print("held-out test splits: pieces per utterance (unknown-id share), ours vs T5 spiece.model")
    for k, texts in test.items():
        for name, sp in (("ours", ours), ("t5", t5)):
            ids = sp.encode(texts)
            n = sum(len(i) for i in ids)
            unk = sum(1 for i in ids for x in i if x == sp.unk_id())
            print(f"  {k:9s} {name:4s} {n / len(texts):6.2f} ({100 * unk / n:.2f}% unknown), {len(texts)} utterances")


if __name__ == "__main__":
    main()
