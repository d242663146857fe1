#!/usr/bin/python3
"""A small OpenAI-compatible chat server on loopback, for trying crs4j's remote LLM path against an implementation
that shares no code with it: stories260K (llama2.c's .bin) run by a NumPy transcription of llama2.c's run.c,
tokenized by SentencePiece (tok512.model). Greedy answers therefore equal crs4j's local ones token for token.

    /usr/bin/python3 scripts/openai_test_server.py --port 8765 [--fail-first 2] [--delay 0.5]
    ./crs4j eval crs ... --llm http://127.0.0.1:8765/v1#stories260K

POST /v1/chat/completions with {"model", "messages", "max_tokens", "temperature", "top_p", "seed"}: the messages'
contents, joined by newlines, are the prompt (stories260K has no chat template); BOS + prompt is encoded, and the
answer is generated until EOS or max_tokens. Temperature > 0 samples with NumPy (seeded), top-p applied.

Stated limits: binds 127.0.0.1 only; requests over 1 MiB get 413; a prompt longer than the model's context (512)
gets 400; --fail-first N answers the first N requests with 429 and Retry-After: 1 (to watch crs4j retry);
the server exits by itself after --lifetime seconds (default 3600).
"""
import argparse
import json
import os
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(HERE, "..", "..", "shared", "models", "stories260K")
MAX_BODY = 1 << 20


class Llama2c:
    """llama2.c's run.c forward pass, one token at a time, in float32 NumPy."""

    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        dim, hidden, layers, heads, kv_heads, vocab, seq = struct.unpack("7i", data[:28])
        shared = vocab > 0
        vocab = abs(vocab)
        w = np.frombuffer(data, dtype=np.float32, offset=28)
        head = dim // heads
        kv_dim = kv_heads * head
        at = 0

        def take(*shape):
            nonlocal at
            n = int(np.prod(shape))
            out = w[at:at + n].reshape(shape)
            at += n
            return out

        self.emb = take(vocab, dim)
        self.rms_att = take(layers, dim)
        self.wq = take(layers, dim, dim)
        self.wk = take(layers, kv_dim, dim)
        self.wv = take(layers, kv_dim, dim)
        self.wo = take(layers, dim, dim)
        self.rms_ffn = take(layers, dim)
        self.w1 = take(layers, hidden, dim)
        self.w2 = take(layers, dim, hidden)
        self.w3 = take(layers, hidden, dim)
        self.rms_final = take(dim)
        take(seq, head // 2)
        take(seq, head // 2)
        self.wcls = self.emb if shared else take(vocab, dim)
        self.dim, self.layers, self.heads, self.kv_heads, self.head, self.seq, self.kv_dim = dim, layers, heads, kv_heads, head, seq, kv_dim
        i = np.arange(0, dim, 2)
        self.freq = (1.0 / np.power(10000.0, (i % head) / head)).astype(np.float32)

    @staticmethod
    def rmsnorm(x, weight):
        return weight * (x / np.sqrt(np.mean(x * x) + 1e-5))

    def rope(self, v, pos):
        angle = pos * self.freq[: v.shape[0] // 2]
        c, s = np.cos(angle).astype(np.float32), np.sin(angle).astype(np.float32)
        a, b = v[0::2].copy(), v[1::2].copy()
        out = np.empty_like(v)
        out[0::2] = a * c - b * s
        out[1::2] = a * s + b * c
        return out

    def generate(self, prompt_ids, max_new, eos, temperature, top_p, rng):
        kc = np.zeros((self.layers, self.seq, self.kv_dim), np.float32)
        vc = np.zeros((self.layers, self.seq, self.kv_dim), np.float32)
        tokens, out = list(prompt_ids), []
        for pos in range(self.seq):
            x = self.emb[tokens[pos]].copy()
            for l in range(self.layers):
                xb = self.rmsnorm(x, self.rms_att[l])
                q = self.rope(self.wq[l] @ xb, pos)
                kc[l, pos] = self.rope(self.wk[l] @ xb, pos)
                vc[l, pos] = self.wv[l] @ xb
                att_out = np.empty(self.dim, np.float32)
                per = self.heads // self.kv_heads
                for h in range(self.heads):
                    kvh = h // per
                    qh = q[h * self.head:(h + 1) * self.head]
                    ks = kc[l, :pos + 1, kvh * self.head:(kvh + 1) * self.head]
                    scores = ks @ qh / np.sqrt(self.head)
                    scores = np.exp(scores - scores.max())
                    scores /= scores.sum()
                    att_out[h * self.head:(h + 1) * self.head] = scores @ vc[l, :pos + 1, kvh * self.head:(kvh + 1) * self.head]
                x = x + self.wo[l] @ att_out
                xb = self.rmsnorm(x, self.rms_ffn[l])
                g = self.w1[l] @ xb
                x = x + self.w2[l] @ ((g / (1 + np.exp(-g))) * (self.w3[l] @ xb))
            if pos + 1 < len(tokens):
                continue
            logits = self.wcls @ self.rmsnorm(x, self.rms_final)
            if temperature == 0:
                nxt = int(np.argmax(logits))
            else:
                p = np.exp((logits - logits.max()) / temperature)
                p /= p.sum()
                order = np.argsort(-p)
                keep = order[: int(np.searchsorted(np.cumsum(p[order]), top_p) + 1)]
                nxt = int(rng.choice(keep, p=p[keep] / p[keep].sum()))
            out.append(nxt)
            if nxt == eos or len(out) >= max_new or len(tokens) >= self.seq:
                break
            tokens.append(nxt)
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--model", default=os.path.join(DEFAULT_DIR, "stories260K.bin"))
    ap.add_argument("--tokenizer", default=os.path.join(DEFAULT_DIR, "tok512.model"))
    ap.add_argument("--fail-first", type=int, default=0, help="answer the first N requests with 429 + Retry-After: 1")
    ap.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each answer")
    ap.add_argument("--lifetime", type=float, default=3600.0, help="exit after this many seconds")
    args = ap.parse_args()

    model = Llama2c(args.model)
    sp = spm.SentencePieceProcessor(model_file=args.tokenizer)
    lock = threading.Lock()
    state = {"requests": 0}

    class Handler(BaseHTTPRequestHandler):
        def reply(self, status, obj, headers=()):
            body = json.dumps(obj).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def error(self, status, message, headers=()):
            self.reply(status, {"error": {"message": message, "type": "invalid_request_error"}}, headers)

        def do_POST(self):
            t0 = time.time()
            if not self.path.endswith("/chat/completions"):
                return self.error(404, "unknown path " + self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self.error(413, "request larger than %d bytes" % MAX_BODY)
            with lock:
                state["requests"] += 1
                n = state["requests"]
            if n <= args.fail_first:
                return self.error(429, "rate limited (request %d of the first %d)" % (n, args.fail_first), [("Retry-After", "1")])
            try:
                req = json.loads(self.rfile.read(length))
                prompt = "\n".join(m["content"] for m in req["messages"])
                max_new = int(req.get("max_tokens") or 256)
                temperature = float(req.get("temperature", 1.0))
                top_p = float(req.get("top_p", 1.0))
                seed = int(req.get("seed") or 0)
            except (ValueError, KeyError, TypeError) as e:
                return self.error(400, "bad request: %s" % e)
            ids = [1] + sp.encode(prompt)
            if len(ids) >= model.seq:
                return self.error(400, "prompt of %d tokens does not fit the context of %d" % (len(ids), model.seq))
            if args.delay:
                time.sleep(args.delay)
            with lock:
                out = model.generate(ids, max_new, 2, temperature, top_p, np.random.default_rng(seed))
            text_ids = out[:-1] if out and out[-1] == 2 else out
            text = sp.decode(ids[1:] + text_ids)[len(sp.decode(ids[1:])):]
            self.reply(200, {"id": "chatcmpl-%d" % n, "object": "chat.completion", "created": int(time.time()), "model": req.get("model", ""),
                             "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                          "finish_reason": "stop" if out and out[-1] == 2 else "length"}],
                             "usage": {"prompt_tokens": len(ids), "completion_tokens": len(out), "total_tokens": len(ids) + len(out)}})
            print("request %d: %d prompt tokens, %d generated, %.3f s" % (n, len(ids), len(out), time.time() - t0), file=sys.stderr, flush=True)

        def log_message(self, fmt, *a):
            pass

    server = HTTPServer(("127.0.0.1", args.port), Handler)
    timer = threading.Timer(args.lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    print("listening on http://127.0.0.1:%d/v1" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
