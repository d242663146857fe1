#!/usr/bin/python3
"""tokenizer.json fixtures for the crs4j tests (Hugging Face `tokenizers` is not installable here, so none of these
come from that library).

  /usr/bin/python3 scripts/make_tokenizer_json_fixtures.py      (reads ../shared, or --shared DIR)

Writes under models/src/test/resources/org/crs4j/models/tokenizer/json/:

1. tok512_legacy.json, tok512_metaspace.json: stories260K's tok512.model converted the way transformers'
   LlamaConverter converts a SentencePiece BPE model (merges from piece scores, byte_fallback, fuse_unk), in its
   legacy form (Prepend + Replace normalizer) and its non-legacy form (Metaspace pre-tokenizer, prepend_scheme
   "first"). tok512_cases.jsonl.gz holds SentencePiece 0.1.97's ids and decodes of seeded random strings: an
   independent reference for the BPE-with-byte-fallback path of tokenizer.json.

2. bytelevel_llama3.json, bytelevel_gpt2.json: a small byte-level BPE (LLaMA-3 layout: the LLaMA-3 split regex, then
   ByteLevel without its own regex, ignore_merges, [a, b] merges, special tokens; and the GPT-2 layout: ByteLevel
   with its regex, "a b" merges) trained here on ReDial utterances. bytelevel_cases.jsonl.gz holds ids and decodes
   from the reference implementation in this script. That reference is NOT independent in the way SentencePiece
   is: it was written by the same hands as the Java code, from the same reading of the Hugging Face sources
   (tokenizers/src/models/bpe, pre_tokenizers/byte_level.rs, tokenizer/added_vocabulary.rs).
"""
import argparse
import collections
import gzip
import json
import os
import sys

import regex
import sentencepiece as spm

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tokenizer_parity import OUT, REPO, random_strings, read_utterances  # noqa: E402

JSON_OUT = os.path.join(OUT, "json")

LLAMA3_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                r"|\s*[\r\n]+|\s+(?!\S)|\s+")
GPT2_SPLIT = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def write_json(name, obj):
    path = os.path.join(JSON_OUT, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


def write_cases(name, records):
    path = os.path.join(JSON_OUT, name)
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as f:
        for r in records:
            f.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))
    print("wrote %s: %d records, %d bytes" % (path, len(records), os.path.getsize(path)))


def added(id_, content, special=True, normalized=False, lstrip=False, rstrip=False, single_word=False):
    return {"id": id_, "content": content, "single_word": single_word, "lstrip": lstrip, "rstrip": rstrip,
            "normalized": normalized, "special": special}


# ---------------------------------------------------------------------------------------------------------------
# 1. SentencePiece BPE -> tokenizer.json (transformers' LlamaConverter / SentencePieceExtractor)

def convert_tok512(shared):
    model_path = os.path.join(shared, "models/stories260K/tok512.model")
    sp = spm.SentencePieceProcessor(model_file=model_path)
    vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
    vocab_scores = {sp.id_to_piece(i): sp.get_score(i) for i in range(sp.get_piece_size())}
    merges = []
    for merge, score in vocab_scores.items():
        local = [(merge[:i], merge[i:], score) for i in range(1, len(merge)) if merge[:i] in vocab and merge[i:] in vocab]
        merges.extend(sorted(local, key=lambda x: (vocab[x[0]], vocab[x[1]])))
    merges = sorted(merges, key=lambda m: m[2], reverse=True)
    model = {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
             "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
             "vocab": vocab, "merges": [[a, b] for a, b, _ in merges]}
    tokens = [added(0, "<unk>"), added(1, "<s>"), added(2, "</s>")]
    post = {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                                     {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}}
    decoder = {"type": "Sequence", "decoders": [
        {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"},
        {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
    legacy = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": tokens,
              "normalizer": {"type": "Sequence", "normalizers": [
                  {"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
              "pre_tokenizer": None, "post_processor": post, "decoder": decoder, "model": model}
    metaspace = dict(legacy, normalizer=None,
                     pre_tokenizer={"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": False})
    write_json("tok512_legacy.json", legacy)
    write_json("tok512_metaspace.json", metaspace)
    texts = [t for t in random_strings(seed=11, count=400) if not any(s in t for s in ("<unk>", "<s>", "</s>"))]
    texts += [u for _, _, _, u in read_utterances(shared)[:300]]
    write_cases("tok512_cases.jsonl.gz", [{"text": t, "ids": sp.encode(t), "decoded": sp.decode(sp.encode(t))} for t in texts])


# ---------------------------------------------------------------------------------------------------------------
# 2. Byte-level BPE: training and a reference encoder/decoder

def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


B2U = bytes_to_unicode()
U2B = {c: b for b, c in B2U.items()}


def to_byte_level(s):
    return "".join(B2U[b] for b in s.encode("utf-8"))


def train_bpe(words, num_merges):
    """Classic BPE training on byte-level words; ties between equally frequent pairs go to the smallest pair."""
    counts = collections.Counter(words)
    seqs = {w: list(w) for w in counts}
    merges = []
    for _ in range(num_merges):
        pairs = collections.Counter()
        for w, c in counts.items():
            s = seqs[w]
            for a, b in zip(s, s[1:]):
                pairs[(a, b)] += c
        if not pairs:
            break
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merges.append(best)
        for w in counts:
            s = seqs[w]
            i, out = 0, []
            while i < len(s):
                if i + 1 < len(s) and (s[i], s[i + 1]) == best:
                    out.append(s[i] + s[i + 1])
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = out
    return merges


class ByteLevelReference:
    """What the tokenizers library does with these two layouts, re-implemented from its sources."""

    def __init__(self, vocab, merges, added_tokens, split_regex, ignore_merges):
        self.vocab = vocab
        self.inv = {i: t for t, i in vocab.items()}
        self.ranks = {pair: r for r, pair in enumerate(merges)}
        self.added = added_tokens
        self.split = regex.compile(split_regex)
        self.ignore_merges = ignore_merges

    def bpe(self, word):
        if self.ignore_merges and word in self.vocab:
            return [self.vocab[word]]
        syms = list(word)
        while len(syms) > 1:
            ranked = [(self.ranks.get((syms[i], syms[i + 1]), None), i) for i in range(len(syms) - 1)]
            ranked = [(r, i) for r, i in ranked if r is not None]
            if not ranked:
                break
            _, i = min(ranked)
            syms[i:i + 2] = [syms[i] + syms[i + 1]]
        return [self.vocab[s] for s in syms]

    def find_added(self, text, normalized):
        """Leftmost-longest matches of added tokens, with single_word / lstrip / rstrip, as added_vocabulary.rs."""
        tokens = [t for t in self.added if t["normalized"] == normalized]
        out, start_offset, pos = [], 0, 0
        while pos < len(text) and tokens:
            best = None
            for i in range(pos, len(text)):
                cands = [t for t in tokens if text.startswith(t["content"], i)]
                if cands:
                    t = max(cands, key=lambda t: len(t["content"]))
                    best = (i, i + len(t["content"]), t)
                    break
            if best is None:
                break
            start, stop, t = best
            pos = stop
            if t["single_word"]:
                start_space = start == 0 or not regex.search(r"\w$", text[:start])
                stop_space = stop == len(text) or not regex.match(r"\w", text[stop:])
                if not (start_space and stop_space):
                    continue
            if t["lstrip"]:
                new_start = len(regex.sub(r"\s*$", "", text[:start]))
                start = max(new_start, start_offset)
            if t["rstrip"]:
                stop += len(text[stop:]) - len(regex.sub(r"^\s*", "", text[stop:]))
                pos = stop
            if start_offset < start:
                out.append((text[start_offset:start], None))
            out.append((text[start:stop], t["id"]))
            start_offset = stop
        if start_offset < len(text):
            out.append((text[start_offset:], None))
        return out

    def encode(self, text):
        ids = []
        for seg, tid in self.find_added(text, False):
            if tid is not None:
                ids.append(tid)
                continue
            for seg2, tid2 in self.find_added(seg, True):  # no normalizer: normalized text = text
                if tid2 is not None:
                    ids.append(tid2)
                    continue
                for piece in self.split.findall(seg2):
                    if piece:
                        ids.extend(self.bpe(to_byte_level(piece)))
        return ids

    def decode(self, ids, specials):
        toks = []
        for i in ids:
            if i in specials:
                continue
            toks.append(next((t["content"] for t in self.added if t["id"] == i), None) or self.inv[i])
        data = bytearray()
        for t in toks:
            if all(c in U2B for c in t):
                data.extend(U2B[c] for c in t)
            else:
                data.extend(t.encode("utf-8"))
        return data.decode("utf-8", errors="replace")


def byte_level(shared):
    corpus = [u for _, _, _, u in read_utterances(shared)[:4000]]
    corpus += ["Ça va? Très bien, merci!", "Привет, как дела?", "日本の映画が好きです。", "I'd say it's 1,234,567 times"]
    split = regex.compile(LLAMA3_SPLIT)
    words = [to_byte_level(p) for line in corpus for p in split.findall(line)]
    merges = train_bpe(words, 700)
    alphabet = [B2U[b] for b in range(256)]
    vocab = {c: i for i, c in enumerate(alphabet)}
    for a, b in merges:
        if a + b not in vocab:
            vocab[a + b] = len(vocab)
    n = len(vocab)
    tokens = [added(n, "<|begin_of_text|>"), added(n + 1, "<|end_of_text|>"), added(n + 2, "<|eot_id|>"),
              added(n + 3, "<|start_header_id|>"), added(n + 4, "<|end_header_id|>"),
              added(n + 5, "[MOVIE]", special=False, lstrip=True, rstrip=True),
              added(n + 6, "@movie", special=False, normalized=True, single_word=True),
              added(n + 7, "<|eot_id|>x", special=True)]  # longer than <|eot_id|>: leftmost-longest must pick it
    specials = {t["id"] for t in tokens if t["special"]}
    post = {"type": "Sequence", "processors": [
        {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                                                  {"Sequence": {"id": "A", "type_id": 0}}], "pair": [],
         "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [n], "tokens": ["<|begin_of_text|>"]}}}]}
    llama3 = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": tokens, "normalizer": None,
              "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                  {"type": "Split", "pattern": {"Regex": LLAMA3_SPLIT}, "behavior": "Isolated", "invert": False},
                  {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
              "post_processor": post,
              "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
              "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                        "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": True,
                        "vocab": vocab, "merges": [[a, b] for a, b in merges]}}
    gpt2 = dict(llama3, pre_tokenizer={"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                                       "use_regex": True},
                post_processor=None,
                model=dict(llama3["model"], ignore_merges=False, merges=["%s %s" % m for m in merges]))
    write_json("bytelevel_llama3.json", llama3)
    write_json("bytelevel_gpt2.json", gpt2)
    refs = {"llama3": ByteLevelReference(vocab, merges, tokens, LLAMA3_SPLIT, True),
            "gpt2": ByteLevelReference(vocab, merges, tokens, GPT2_SPLIT, False)}
    texts = random_strings(seed=5, count=400) + [u for _, _, _, u in read_utterances(shared)[4000:4300]] + [
        "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>",
        "<|eot_id|>x <|eot_id|>y", "I like   [MOVIE]   and [MOVIE]!", "@movie @movies x@movie @movie.",
        "1234567 12 3.14159", "I'M HERE, YOU'LL SEE, SHE'S", "\n\n\n  x  \r\n y\t\t", "trailing   ", "  leading",
        "émigré naïve café", "👍🏽 👩‍👩‍👧", "",
    ]
    records = []
    for t in texts:
        rec = {"text": t}
        for name, ref in refs.items():
            ids = ref.encode(t)
            rec[name] = ids
            rec[name + "_decoded"] = ref.decode(ids, specials)
        records.append(rec)
    # Decoding arbitrary id runs: split UTF-8 characters must come out as U+FFFD, specials vanish.
    import random
    rng = random.Random(3)
    all_ids = list(range(n + len(tokens)))
    for _ in range(200):
        ids = [rng.choice(all_ids) for _ in range(rng.randint(1, 8))]
        records.append({"decode_only": ids, "decoded": refs["llama3"].decode(ids, specials)})
    write_cases("bytelevel_cases.jsonl.gz", records)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    args = ap.parse_args()
    os.makedirs(JSON_OUT, exist_ok=True)
    convert_tok512(args.shared)
    byte_level(args.shared)


if __name__ == "__main__":
    main()
