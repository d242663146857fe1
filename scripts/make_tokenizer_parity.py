#!/usr/bin/python3
"""Reference token ids from Debian's python3-sentencepiece (0.1.97) for the crs4j tokenizer tests.

Run with the system interpreter from the repository root:  /usr/bin/python3 scripts/make_tokenizer_parity.py
It reads ../shared (or --shared DIR) and writes, under models/src/test/resources/org/crs4j/models/tokenizer/:

  parity_utterances.tsv.gz  ids of >= 6,000 real ReDial/INSPIRED utterances for T5 spiece.model, LLaMA-2
                            tokenizer.model and stories260K tok512.model. Only ids are stored: each row names the
                            shared file, the line (conversation) and the message index, and the test reads the text
                            from ../shared.
  random_strings.jsonl.gz   seeded random Unicode strings (committed: they are synthetic) with each tokenizer's
                            ids and SentencePiece's decode of those ids.
  spm/*.model, spm/cases.jsonl.gz
                            small models trained here with SentencePiece's own trainer on ReDial utterances, one per
                            option the encoder must honour (BPE/unigram/char/word, byte fallback, user-defined
                            symbols, treat_whitespace_as_suffix, no dummy prefix, a custom normalization rule TSV),
                            and their ids/decodes for the random strings.

Nothing here needs the network. CI does not run this script; it only reads what it wrote.
"""
import argparse
import gzip
import io
import json
import os
import random
import sys

import sentencepiece as spm

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "models/src/test/resources/org/crs4j/models/tokenizer")

TOKENIZERS = [  # column name, path under shared
    ("t5", "models/t5-tokenizer/spiece.model"),
    ("llama2", "models/llama2-tokenizer/tokenizer.model"),
    ("tok512", "models/stories260K/tok512.model"),
]

# Utterance sources: (path under shared, how to list the texts of one JSON line)
SOURCES = [
    ("data/redial/raw/test_data.jsonl.gz", lambda rec: [m["text"] for m in rec["messages"]]),
    ("data/inspired/unicrs/test_data_dbpedia.jsonl.gz", lambda rec: [t["text"] for t in rec]),
    ("data/inspired/unicrs/valid_data_dbpedia.jsonl.gz", lambda rec: [t["text"] for t in rec]),
]
PER_SOURCE = [4000, 600, 600]  # first N utterances of each source (plus every non-ASCII one of it)


def read_utterances(shared):
    rows = []  # (source index, line, item, text)
    for si, (path, texts) in enumerate(SOURCES):
        taken = 0
        with gzip.open(os.path.join(shared, path), "rt", encoding="utf-8") as f:
            for line_no, line in enumerate(f, start=1):
                for item, text in enumerate(texts(json.loads(line))):
                    if taken < PER_SOURCE[si] or any(ord(c) > 127 for c in text):
                        rows.append((si, line_no, item, text))
                        taken += 1
    return rows


def random_strings(seed=20261101, count=700):
    rng = random.Random(seed)
    pools = [
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "0123456789",
        " .,;:!?'\"()[]{}-_/\\@#$%^&*+=<>|~`",
        "     \t\n\r",
        "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßœŒ",
        "\u0301\u0300\u0308\u0327\u20dd",            # combining marks
        "ＡＢＣａｂｃ１２３！？　",                   # fullwidth forms and ideographic space (NFKC)
        "ﬁﬂ™½²③ℌℍ㎏㍻…",                           # compatibility characters
        "日本語の文章中文字符한국어",
        "привет мир Ελληνικά עברית العربية हिन्दी ไทย",
        "😀🎬🍿👍🏽👩‍👩‍👧🇫🇷",
        "\u200b\u200c\u200d\u2060\ufeff\u00a0\u2028\u3000\u2581",
        "\x00\x01\x07\x1b\x7f\x85",
        "\ue000\U000f0000𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    ]
    words = ["the", "movie", "I", "love", "horror", "comedy", "you", "seen", "Star", "Wars", "@12345", "it's",
             "<s>", "</s>", "<unk>", "<pad>", "<0x41>", "▁", "▁▁", "1999", "3.14", "don't", "Hello", "world"]
    out = ["", " ", "  ", "\t", "\n", " a", "a ", "  hello  world  ", "▁", "<s>", "<unk>", "\u3000", "ａ"]
    while len(out) < count:
        parts = []
        for _ in range(rng.randint(1, 12)):
            if rng.random() < 0.4:
                parts.append(rng.choice(words))
            else:
                pool = rng.choice(pools)
                parts.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 6))))
            parts.append(rng.choice(["", " ", " ", "  ", "\t", "\n"]))
        out.append("".join(parts))
    return out


def ids_line(ids):
    return " ".join(map(str, ids))


def write_parity(shared, procs):
    rows = read_utterances(shared)
    buf = io.StringIO()
    buf.write("# SentencePiece %s ids (no BOS/EOS) of real utterances; text is read from ../shared at test time\n"
              % spm.__version__)
    for si, (path, _) in enumerate(SOURCES):
        buf.write("# source %d %s\n" % (si, path))
    buf.write("# columns: source line(1-based) item " + " ".join(name for name, _ in TOKENIZERS) + "\n")
    for si, line_no, item, text in rows:
        cols = [str(si), str(line_no), str(item)] + [ids_line(procs[name].encode(text)) for name, _ in TOKENIZERS]
        buf.write("\t".join(cols) + "\n")
    path = os.path.join(OUT, "parity_utterances.tsv.gz")
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as f:
        f.write(buf.getvalue().encode("utf-8"))
    print("wrote %s: %d utterances, %d bytes" % (path, len(rows), os.path.getsize(path)))


def case_record(text, procs):
    rec = {"text": text}
    for name, sp in procs.items():
        ids = sp.encode(text)
        rec[name] = ids
        rec[name + "_decoded"] = sp.decode(ids)
    return rec


def write_jsonl_gz(path, records):
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as f:
        for r in records:
            f.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))
    print("wrote %s: %d records, %d bytes" % (path, len(records), os.path.getsize(path)))


# A small custom normalization rule table: overlapping keys exercise the longest-match lookup of the charsmap.
RULE_TSV = """61 62\t58
61 62 63\t59 5A
61\t41
FF21\t41
3000\t20
2581\t20
E9\t65 301
"""

# Decode-time rules (a denormalizer_spec): undo two of the rules above, and one longest-match overlap.
DERULE_TSV = """58\t61 62
59 5A\t61 62 63
59\t79
"""


def train_models(shared):
    rows = read_utterances(shared)
    corpus = [t for _, _, _, t in rows][:6000]
    specs = {
        "bpe_bytefallback": dict(model_type="bpe", vocab_size=600, byte_fallback=True, split_digits=True,
                                 normalization_rule_name="identity", add_dummy_prefix=True,
                                 remove_extra_whitespaces=False, allow_whitespace_only_pieces=True),
        "bpe_suffix": dict(model_type="bpe", vocab_size=500, treat_whitespace_as_suffix=True,
                           normalization_rule_name="identity"),
        "unigram_user_symbols": dict(model_type="unigram", vocab_size=700, byte_fallback=True,
                                     user_defined_symbols=["@movie", "<sep>", "ab"], control_symbols=["<cls>"],
                                     normalization_rule_name="identity", character_coverage=0.98),
        "unigram_no_prefix": dict(model_type="unigram", vocab_size=500, add_dummy_prefix=False,
                                  normalization_rule_name="identity", unk_surface="<?>", character_coverage=0.98),
        "unigram_rules": dict(model_type="unigram", vocab_size=500, normalization_rule_tsv="RULES",
                              denormalization_rule_tsv="DERULES", character_coverage=0.99),
        "char": dict(model_type="char", normalization_rule_name="identity", character_coverage=0.99),
        "word": dict(model_type="word", vocab_size=900, normalization_rule_name="identity"),
    }
    os.makedirs(os.path.join(OUT, "spm"), exist_ok=True)
    rules_path = os.path.join(OUT, "spm", ".rules.tsv")
    with open(rules_path, "w", encoding="utf-8") as f:
        f.write(RULE_TSV)
    derules_path = os.path.join(OUT, "spm", ".derules.tsv")
    with open(derules_path, "w", encoding="utf-8") as f:
        f.write(DERULE_TSV)
    procs = {}
    for name, spec in specs.items():
        spec = dict(spec)
        if spec.get("normalization_rule_tsv") == "RULES":
            spec["normalization_rule_tsv"] = rules_path
        if spec.get("denormalization_rule_tsv") == "DERULES":
            spec["denormalization_rule_tsv"] = derules_path
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(sentence_iterator=iter(corpus), model_writer=model, num_threads=1,
                                       minloglevel=2, hard_vocab_limit=False, **spec)
        path = os.path.join(OUT, "spm", name + ".model")
        with open(path, "wb") as f:
            f.write(model.getvalue())
        procs[name] = spm.SentencePieceProcessor(model_proto=model.getvalue())
        print("trained %s: %d pieces, %d bytes" % (name, procs[name].get_piece_size(), len(model.getvalue())))
    os.remove(rules_path)
    os.remove(derules_path)
    extra = ["abc abd ab a", "XYZ YZ Y X", "ａｂｃ\u3000é", "@movie<sep>ab @movieX", "<cls> ab", "x  y   z  "]
    texts = random_strings(seed=7, count=300) + extra
    write_jsonl_gz(os.path.join(OUT, "spm", "cases.jsonl.gz"), [case_record(t, procs) for t in texts])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"), help="the shared data/model folder")
    args = ap.parse_args()
    if not os.path.isdir(args.shared):
        sys.exit("no shared folder at %s (use --shared)" % args.shared)
    os.makedirs(OUT, exist_ok=True)
    procs = {name: spm.SentencePieceProcessor(model_file=os.path.join(args.shared, rel)) for name, rel in TOKENIZERS}
    write_parity(args.shared, procs)
    write_jsonl_gz(os.path.join(OUT, "random_strings.jsonl.gz"), [case_record(t, procs) for t in random_strings()])
    train_models(args.shared)


if __name__ == "__main__":
    main()
