#!/usr/bin/python3
"""The training step of bench/.../TransformerBlockTrainStep.java in PyTorch (Debian's CPU python3-torch), for
scripts/bench-transformer-block.sh: a LLaMA decoder block (RMSNorm, rotary causal attention with grouped kv heads,
RMSNorm, SwiGLU), loss = mean(y * r), backward, torch.optim.AdamW, zero_grad. Same sizes, eager mode.

  /usr/bin/python3 scripts/bench_transformer_block.py [batch seq dim heads kv_heads hidden] [--threads 2]
      [--warmup 5] [--iterations 10] [--time 2]

Timed like the JMH benchmark: warm-up iterations, then measured iterations of --time seconds each, each reporting
its mean step time. Prints the iterations, their mean (pytorch_mean_ms), the fastest (pytorch_best_ms), the BLAS
library torch loaded and the process's peak resident memory.
"""
import argparse
import resource
import sys
import time

sys.dont_write_bytecode = True
import torch  # noqa: E402

from torch_peer import blas_library  # noqa: E402


class RMSNorm(torch.nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Block(torch.nn.Module):
    def __init__(self, dim, heads, kv_heads, hidden):
        super().__init__()
        self.h, self.kv, self.hd = heads, kv_heads, dim // heads
        self.q = torch.nn.Linear(dim, heads * self.hd, bias=False)
        self.k = torch.nn.Linear(dim, kv_heads * self.hd, bias=False)
        self.v = torch.nn.Linear(dim, kv_heads * self.hd, bias=False)
        self.o = torch.nn.Linear(heads * self.hd, dim, bias=False)
        self.gate = torch.nn.Linear(dim, hidden, bias=False)
        self.up = torch.nn.Linear(dim, hidden, bias=False)
        self.down = torch.nn.Linear(hidden, dim, bias=False)
        self.n1, self.n2 = RMSNorm(dim, 1e-5), RMSNorm(dim, 1e-5)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        a = self.n1(x)
        q = self.q(a).view(b, t, self.h, self.hd).transpose(1, 2)
        k = self.k(a).view(b, t, self.kv, self.hd).transpose(1, 2)
        v = self.v(a).view(b, t, self.kv, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = self.h // self.kv
        k = k[:, :, None].expand(b, self.kv, rep, t, self.hd).reshape(b, self.h, t, self.hd)
        v = v[:, :, None].expand(b, self.kv, rep, t, self.hd).reshape(b, self.h, t, self.hd)
        s = (q @ k.transpose(2, 3)) * self.hd ** -0.5 + mask
        o = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(b, t, self.h * self.hd)
        x = x + self.o(o)
        m = self.n2(x)
        return x + self.down(torch.nn.functional.silu(self.gate(m)) * self.up(m))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("size", nargs="*", type=int, help="batch seq dim heads kv_heads hidden")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=5, help="warm-up iterations")
    ap.add_argument("--iterations", type=int, default=10, help="measured iterations")
    ap.add_argument("--time", type=float, default=2.0, help="seconds per iteration")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    batch, seq, dim, heads, kv, hidden = args.size if args.size else (8, 128, 256, 8, 4, 688)
    torch.manual_seed(1)
    block = Block(dim, heads, kv, hidden)
    opt = torch.optim.AdamW(block.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    x, r = torch.randn(batch, seq, dim), torch.randn(batch, seq, dim)
    hd = dim // heads
    inv = 1.0 / (10000 ** (torch.arange(0, hd, 2).float() / hd))
    freqs = torch.arange(seq).float()[:, None] * inv[None]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[None, None], emb.sin()[None, None]
    mask = torch.triu(torch.full((seq, seq), torch.finfo(torch.float32).min), diagonal=1)

    def step():
        loss = (block(x, cos, sin, mask) * r).mean()
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss.item()

    def iteration():
        """Steps for --time seconds (at least one); the mean step time in ms, as a JMH iteration reports it."""
        n, t0 = 0, time.perf_counter()
        while True:
            step()
            n += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= args.time:
                return elapsed * 1000 / n

    print("pytorch %s, %d threads, BLAS: %s" % (torch.__version__, torch.get_num_threads(), blas_library()))
    print("block: batch %d x %d tokens, dim %d, %d heads of %d (%d kv heads), SwiGLU hidden %d, %d parameters"
          % (batch, seq, dim, heads, hd, kv, hidden, sum(p.numel() for p in block.parameters())))
    for _ in range(args.warmup):
        iteration()
    times = [iteration() for _ in range(args.iterations)]
    print("pytorch iterations (ms/step): " + " ".join("%.1f" % t for t in times))
    print("pytorch_mean_ms %.2f" % (sum(times) / len(times)))
    print("pytorch_best_ms %.2f" % min(times))
    print("pytorch_peak_rss_mib %.0f" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


if __name__ == "__main__":
    main()
