#!/usr/bin/python3
"""Writes the tiny tokenizer of the fast RLPF and fine-tuning tests (crs/src/test/resources/org/crs4j/crs/rlpf/).

    /usr/bin/python3 scripts/make_rlpf_fixtures.py

tiny-char.model: a SentencePiece CHAR model in T5's layout (pad 0, eos 1, unk 2, no bos) over the 36 characters
a-z and 0-9 plus the word boundary piece, trained by Debian's python3-sentencepiece 0.1.97 on synthetic text (no data
from ../shared). Its 40 ids let a model of a few thousand parameters learn copy/reverse tasks and toy rewards in
seconds, and make a random policy's chance of emitting a given token small (1/40).
"""
import os
import random
import tempfile

import sentencepiece as spm

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "crs/src/test/resources/org/crs4j/crs/rlpf/tiny-char.model")
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def main():
    rng = random.Random(7)
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # the model stores its input and prefix: relative names keep machine paths out of it
        with open("corpus.txt", "w") as f:
            for _ in range(2000):
                f.write(" ".join("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 8))) for _ in range(6)) + "\n")
        spm.set_random_generator_seed(7)
        spm.SentencePieceTrainer.train(input="corpus.txt", model_prefix="tiny", model_type="char", vocab_size=40,
                                       character_coverage=1.0, normalization_rule_name="identity", pad_id=0, eos_id=1, unk_id=2, bos_id=-1, minloglevel=2)
        data = open("tiny.model", "rb").read()
        os.chdir(here)
    with open(OUT, "wb") as f:
        f.write(data)
    sp = spm.SentencePieceProcessor(model_file=OUT)
    print(f"wrote {os.path.relpath(OUT, REPO)}: {sp.get_piece_size()} pieces; 'abc' -> {sp.encode('abc')}")


if __name__ == "__main__":
    main()
