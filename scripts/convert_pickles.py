#!/usr/bin/python3
"""Convert the Python pickles of the KGSF/KBRD ReDial subgraph and of TG-ReDial's release into the JSON files
crs4j reads (crs4j does not unpickle: a pickle can run code, and these hold only dicts, lists, sets and tuples).

    /usr/bin/python3 scripts/convert_pickles.py DATA_DIR/redial/kgsf     # subkg.pkl, entity2entityId.pkl, ...
    /usr/bin/python3 scripts/convert_pickles.py DATA_DIR/tgredial        # *_data.pkl, movies_with_mentions.csv (GBK)

Loading uses a restricted unpickler that accepts only builtins and collections.defaultdict, so a tampered pickle fails
instead of executing. Integer dict keys become strings (JSON has no other), tuples become arrays, sets sorted arrays,
None null. Output is gzip-compressed JSON next to the input (NAME.json.gz); the .pkl files are left in place.
"""
import collections
import gzip
import json
import os
import pickle
import sys

ALLOWED = {("collections", "defaultdict"), ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "list"),
           ("builtins", "dict"), ("builtins", "tuple"), ("builtins", "int"), ("builtins", "str")}

# KGSF file names -> the names crs4j looks for; TG-ReDial keeps its own names
RENAME = {"0619conv2user": "conv2user"}


class Restricted(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in ALLOWED:
            return collections.defaultdict if name == "defaultdict" else getattr(__import__(module), name)
        raise pickle.UnpicklingError(f"refusing {module}.{name}")


def plain(x):
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, (set, frozenset)):
        return sorted(plain(v) for v in x)
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    return x


def main(folder):
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name.endswith(".pkl"):
            with open(path, "rb") as f:
                data = Restricted(f, encoding="latin1" if "kgsf" in folder else "utf-8").load()
            stem = RENAME.get(name[:-4], name[:-4])
            out = os.path.join(folder, stem + ".json.gz")
            with gzip.open(out, "wt", encoding="utf-8") as g:
                json.dump(plain(data), g, ensure_ascii=False, separators=(",", ":"))
            print(f"{name} -> {os.path.basename(out)}")
        elif name == "movies_with_mentions.csv" and "tgredial" in folder:
            raw = open(path, "rb").read()
            try:
                raw.decode("utf-8")
                continue  # already UTF-8
            except UnicodeDecodeError:
                text = raw.decode("gbk")
            out = os.path.join(folder, "movies_with_mentions.utf8.csv.gz")
            with gzip.open(out, "wt", encoding="utf-8") as g:
                g.write(text)
            print(f"{name} (GBK) -> {os.path.basename(out)}")


if __name__ == "__main__":
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit("usage: convert_pickles.py FOLDER")
    main(sys.argv[1])
