"""What the PyTorch peer scripts share (imported from scripts/, where they live): which BLAS torch loaded, the
time-boxed measurement that mirrors a JMH run, and the benchmark graph file crs4j writes (bench/.../RgcnGraph.java)
with its (relation, destination) segments."""
import json
import struct
import time

import numpy as np
import torch


def blas_library():
    """The BLAS shared objects torch loaded (Debian's torch links libblas.so.3: the slow reference BLAS unless
    OpenBLAS provides it)."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    with open("/proc/self/maps") as f:
        libs = sorted({line.split()[-1] for line in f if "blas" in line.lower() and ".so" in line})
    return ", ".join(libs) or "(none found)"


def timed_rate(fn, work, warmup, seconds, min_calls=2):
    """Work per second of fn, as JMH measures crs4j: calls for `warmup` seconds (at least one) discarded, then calls
    for `seconds` (at least `min_calls`); returns work × calls / elapsed."""
    start = time.perf_counter()
    fn()
    while time.perf_counter() - start < warmup:
        fn()
    calls, start = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and calls >= min_calls:
            return work * calls / elapsed


def read_graph(path):
    """The graph file: ({src, dst, rel} as int64 tensors, metadata with nodes, relations, description)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    types = {"I32": np.int32, "I64": np.int64, "F32": np.float32}
    out = {k: torch.from_numpy(np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]],
                                             dtype=types[v["dtype"]]).reshape(v["shape"]).copy()).long()
           for k, v in header.items()}
    return out, meta


def segments(src, dst, rel, nodes, relations):
    """Edges sorted by (relation, destination); one segment per distinct pair (what crs4j's RelationalGraph does)."""
    key = rel * nodes + dst
    order = torch.argsort(key, stable=True)
    key, src = key[order], src[order]
    uniq, seg = torch.unique_consecutive(key, return_inverse=True)
    seg_rel, seg_dst = uniq // nodes, uniq % nodes
    offsets = torch.searchsorted(seg_rel, torch.arange(relations + 1)).tolist()
    return src, seg, seg_dst, offsets
