#!/usr/bin/python3
"""The training step of bench/.../TransformerBlockTrainStep.java in PyTorch (Debian's CPU python3-torch), for
scripts/bench-transformer-block.sh: a LLaMA decoder block (RMSNorm, rotary causal attention with grouped kv heads,
RMSNorm, SwiGLU), loss = mean(y * r), backward, torch.optim.AdamW. Same sizes, 2 threads, eager mode.

  /usr/bin/python3 scripts/bench_transformer_block.py [batch seq dim heads kv_heads hidden] [--iters N]
Prints "pytorch ms/op: median M best B (N iterations)".
"""
import math
import sys
import time

sys.dont_write_bytecode = True
import torch  # noqa: E402

torch.set_num_threads(2)


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
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    iters = 30
    if "--iters" in sys.argv:
        iters = int(sys.argv[sys.argv.index("--iters") + 1])
        args.remove(str(iters))
    batch, seq, dim, heads, kv, hidden = (int(a) for a in args) if args else (8, 128, 256, 8, 4, 688)
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
        opt.zero_grad(set_to_none=True)
        loss = (block(x, cos, sin, mask) * r).mean()
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(5):
        step()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print("pytorch %s, %d threads: batch %d x %d tokens, dim %d, heads %d, kv heads %d, hidden %d, %d parameters"
          % (torch.__version__, torch.get_num_threads(), batch, seq, dim, heads, kv, hidden,
             sum(p.numel() for p in block.parameters())))
    print("pytorch ms/op: median %.3f best %.3f (%d iterations)" % (times[len(times) // 2], times[0], iters))


if __name__ == "__main__":
    main()
