#!/usr/bin/python3
"""One RLPF step of crs4j's small controller in PyTorch (Debian's CPU python3-torch), for scripts/bench-rlpf.sh: the
workload of bench/.../RlpfStep.java, line for line, with plain torch modules.

  /usr/bin/python3 scripts/bench_rlpf_step.py WORKLOAD.json [--threads 2] [--warmup 3] [--iterations 10] [--time 3]

WORKLOAD.json (written by `java -cp benchmarks.jar org.crs4j.bench.RlpfStep FILE`) holds the controller's config.json
and the exact prompt ids. The step:
  1. the T5 of that config (gated-GELU, relative position bias, RMS norms, embeddings tied to the output with the
     d_model^-0.5 rescale), randomly initialised;
  2. sampling: the 8 prompts encoded once (right-padded, masked), cross-attention keys/values computed once, then 32
     decoder steps with a self-attention KV cache, each token drawn with torch.multinomial from softmax(logits)
     (temperature 1, no top-p, no stop token);
  3. reward = share of even ids among the 32 sampled, b a moving average (rate 0.1) of earlier steps' rewards;
  4. log P of the 8 samples in one teacher-forced batch, loss = -(1/8) sum (R - b) log P, backward,
     clip_grad_norm_(1.0), torch.optim.AdamW (lr 5e-5, weight decay 0.01), zero_grad.
Timed as the JMH benchmark: warm-up iterations, then measured iterations of --time seconds, each its mean step time.
Prints the iterations, pytorch_mean_ms, pytorch_best_ms, the process CPU time per measured step (pytorch_cpu_ms:
time.process_time, all threads), the BLAS torch loaded and the peak resident memory.
"""
import argparse
import json
import math
import resource
import sys
import time

sys.dont_write_bytecode = True
import torch  # noqa: E402

F32_MIN = torch.finfo(torch.float32).min


def bucket(rel, bidirectional, num_buckets, max_distance):
    """Hugging Face's T5 _relative_position_bucket."""
    out = 0
    if bidirectional:
        num_buckets //= 2
        out += (rel > 0).to(torch.long) * num_buckets
        rel = torch.abs(rel)
    else:
        rel = -torch.min(rel, torch.zeros_like(rel))
    exact = num_buckets // 2
    large = exact + (torch.log(rel.float() / exact) / math.log(max_distance / exact) * (num_buckets - exact)).to(torch.long)
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return out + torch.where(rel < exact, rel, large)


class RMSNorm(torch.nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


class Attention(torch.nn.Module):
    def __init__(self, d, heads, dkv, bias_buckets=0):
        super().__init__()
        inner = heads * dkv
        self.h, self.dkv = heads, dkv
        self.q = torch.nn.Linear(d, inner, bias=False)
        self.k = torch.nn.Linear(d, inner, bias=False)
        self.v = torch.nn.Linear(d, inner, bias=False)
        self.o = torch.nn.Linear(inner, d, bias=False)
        if bias_buckets:
            self.relative_attention_bias = torch.nn.Embedding(bias_buckets, heads)

    def heads(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.h, self.dkv).transpose(1, 2)

    def forward(self, x, k, v, bias):
        q = self.heads(self.q(x))
        s = q @ k.transpose(3, 2) + bias  # T5: no 1/sqrt(d_kv)
        a = torch.softmax(s, dim=-1) @ v
        b, _, t, _ = a.shape
        return self.o(a.transpose(1, 2).reshape(b, t, self.h * self.dkv))


class GatedGelu(torch.nn.Module):
    def __init__(self, d, ff):
        super().__init__()
        self.wi_0 = torch.nn.Linear(d, ff, bias=False)
        self.wi_1 = torch.nn.Linear(d, ff, bias=False)
        self.wo = torch.nn.Linear(ff, d, bias=False)

    def forward(self, x):
        a = self.wi_0(x)
        g = 0.5 * a * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (a + 0.044715 * torch.pow(a, 3.0))))
        return self.wo(g * self.wi_1(x))


class Block(torch.nn.Module):
    def __init__(self, c, decoder, first):
        super().__init__()
        d, h, dkv, eps = c["d_model"], c["num_heads"], c["d_kv"], c["layer_norm_epsilon"]
        self.decoder = decoder
        self.n_self = RMSNorm(d, eps)
        self.self_attn = Attention(d, h, dkv, c["relative_attention_num_buckets"] if first else 0)
        if decoder:
            self.n_cross = RMSNorm(d, eps)
            self.cross = Attention(d, h, dkv)
        self.n_ff = RMSNorm(d, eps)
        self.ff = GatedGelu(d, c["d_ff"])

    def forward(self, x, self_bias, memory_kv=None, cross_bias=None, cache=None):
        n = self.n_self(x)
        k, v = self.self_attn.heads(self.self_attn.k(n)), self.self_attn.heads(self.self_attn.v(n))
        if cache is not None:  # decoding: the new position's keys and values join the cached ones
            if cache[0] is not None:
                k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
            cache[0], cache[1] = k, v
        x = x + self.self_attn(n, k, v, self_bias)
        if self.decoder:
            x = x + self.cross(self.n_cross(x), memory_kv[0], memory_kv[1], cross_bias)
        return x + self.ff(self.n_ff(x))


class T5(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.shared = torch.nn.Embedding(c["vocab_size"], c["d_model"])
        self.enc = torch.nn.ModuleList([Block(c, False, i == 0) for i in range(c["num_layers"])])
        self.dec = torch.nn.ModuleList([Block(c, True, i == 0) for i in range(c["num_decoder_layers"])])
        self.enc_norm = RMSNorm(c["d_model"], c["layer_norm_epsilon"])
        self.dec_norm = RMSNorm(c["d_model"], c["layer_norm_epsilon"])

    def bias(self, table, q_len, k_len, past, bidirectional):
        ctx = torch.arange(past, past + q_len)[:, None]
        mem = torch.arange(k_len)[None, :]
        return table(bucket(mem - ctx, bidirectional, self.c["relative_attention_num_buckets"],
                            self.c["relative_attention_max_distance"])).permute(2, 0, 1)[None]

    def encode(self, ids, mask):
        x = self.shared(ids)
        s = ids.shape[1]
        bias = self.bias(self.enc[0].self_attn.relative_attention_bias, s, s, 0, True)
        bias = bias + (1.0 - mask[:, None, None, :].float()) * F32_MIN
        for blk in self.enc:
            x = blk(x, bias)
        return self.enc_norm(x)

    def cross_kv(self, memory):
        return [(blk.cross.heads(blk.cross.k(memory)), blk.cross.heads(blk.cross.v(memory))) for blk in self.dec]

    def logits(self, y):
        return (y * self.c["d_model"] ** -0.5) @ self.shared.weight.T  # tied embeddings

    def decode(self, dec_ids, kv, cross_bias, caches=None, past=0):
        y = self.shared(dec_ids)
        t = dec_ids.shape[1]
        bias = self.bias(self.dec[0].self_attn.relative_attention_bias, t, past + t, past, False)
        if t > 1:
            bias = bias + torch.triu(torch.full((t, past + t), F32_MIN), diagonal=past + 1)
        for i, blk in enumerate(self.dec):
            y = blk(y, bias, kv[i], cross_bias, None if caches is None else caches[i])
        return self.logits(self.dec_norm(y))


def blas_library():
    torch.ones(64, 64) @ torch.ones(64, 64)
    with open("/proc/self/maps") as f:
        libs = sorted({line.split()[-1] for line in f if "blas" in line.lower() and ".so" in line})
    return ", ".join(libs) or "(none found)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--time", type=float, default=3.0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    w = json.load(open(args.workload))
    c, prompts, new_tokens = w["config"], w["prompts"], w["new_tokens"]
    torch.manual_seed(1)
    model = T5(c)
    opt = torch.optim.AdamW(model.parameters(), lr=5e-5, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    batch, longest = len(prompts), max(len(p) for p in prompts)
    ids = torch.zeros(batch, longest, dtype=torch.long)
    mask = torch.zeros(batch, longest, dtype=torch.long)
    for i, p in enumerate(prompts):
        ids[i, :len(p)] = torch.tensor(p)
        mask[i, :len(p)] = 1
    cross_bias = (1.0 - mask[:, None, None, :].float()) * F32_MIN
    start = c["decoder_start_token_id"]
    state = {"baseline": 0.0}

    def step():
        model.eval()
        with torch.no_grad():  # sampling: encoder once, cross K/V once, a self-attention cache
            kv = model.cross_kv(model.encode(ids, mask))
            caches = [[None, None] for _ in model.dec]
            token = torch.full((batch, 1), start, dtype=torch.long)
            out = []
            for t in range(new_tokens):
                logits = model.decode(token, kv, cross_bias, caches, past=t)[:, -1]
                token = torch.multinomial(torch.softmax(logits, dim=-1), 1)
                out.append(token)
            samples = torch.cat(out, dim=1)
        rewards = (samples % 2 == 0).float().mean(1)
        b = state["baseline"]
        # scoring and update: log P of the exact samples, REINFORCE surrogate, clip, AdamW
        dec_in = torch.cat([torch.full((batch, 1), start, dtype=torch.long), samples[:, :-1]], dim=1)
        logits = model.decode(dec_in, model.cross_kv(model.encode(ids, mask)), cross_bias)
        logp = torch.log_softmax(logits, dim=-1).gather(-1, samples[..., None]).squeeze(-1).sum(1)
        loss = -((rewards - b) / batch * logp).sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        for r in rewards.tolist():
            state["baseline"] += 0.1 * (r - state["baseline"])
        state["steps"] = state.get("steps", 0) + 1
        return loss.item()

    def iteration():
        n, t0 = 0, time.perf_counter()
        while True:
            step()
            n += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= args.time:
                return elapsed * 1000 / n

    params = sum(p.numel() for p in model.parameters())
    print("pytorch %s, %d threads, BLAS: %s" % (torch.__version__, torch.get_num_threads(), blas_library()))
    print("controller: %d parameters (crs4j's: %d), %d prompts of %d-%d tokens, %d sampled tokens each"
          % (params, w["parameters"], batch, min(len(p) for p in prompts), longest, new_tokens))
    for _ in range(args.warmup):
        iteration()
    cpu0 = time.process_time()
    n0 = state.setdefault("steps", 0)
    times = [iteration() for _ in range(args.iterations)]
    cpu_ms = (time.process_time() - cpu0) * 1000 / (state["steps"] - n0)
    print("pytorch iterations (ms/step): " + " ".join("%.1f" % t for t in times))
    print("pytorch_cpu_ms %.1f" % cpu_ms)
    print("pytorch_mean_ms %.2f" % (sum(times) / len(times)))
    print("pytorch_best_ms %.2f" % min(times))
    print("pytorch_peak_rss_mib %.0f" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


if __name__ == "__main__":
    main()
