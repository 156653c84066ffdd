"""The SD 1.x UNet in plain PyTorch, timed on random weights: the peer for `bench --e2e`'s cfg_step_seconds
(issue 18: a CFG step at most 0.65× diffusers' time on the same cores).

diffusers cannot be installed on these machines (only Debian's python3-torch can), so this is the network diffusers
runs for UNet2DConditionModel with SD 1.5's configuration — block channels 320/640/1280/1280, two ResNets per down
block and three per up block, 8 heads, one transformer (self-attention, cross-attention over 77×768, GEGLU
feed-forward) after each ResNet of the first three down and last three up blocks, 1×1-convolution proj_in/out,
GroupNorm(32, eps 1e-5), float32 — written from the architecture. Attention materialises each head's score matrix
as diffusers' default processor does on PyTorch 1.13. One CFG step is one call on a batch of 2.
Debian's torch takes its matrix products from the system BLAS: install libopenblas0-pthread first, or
they run on the reference BLAS, single-threaded and several times slower (convolutions use oneDNN either way).
Usage: python3 unet_step_torch.py [SIZE ...]  (image sides, default 512); threads follow OMP_NUM_THREADS.
"""
import math
import os
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F

CHANNELS = (320, 640, 1280, 1280)
HEADS = 8
CONTEXT = 768


def norm(c):
    return nn.GroupNorm(32, c, eps=1e-5)


class Resnet(nn.Module):
    def __init__(self, cin, cout, temb=1280):
        super().__init__()
        self.norm1, self.conv1 = norm(cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb, cout)
        self.norm2, self.conv2 = norm(cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.shortcut(x) + h


class Attention(nn.Module):
    def __init__(self, dim, context=None):
        super().__init__()
        context = context or dim
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(context, dim, bias=False)
        self.to_v = nn.Linear(context, dim, bias=False)
        self.to_out = nn.Linear(dim, dim)

    def forward(self, x, context=None):
        context = x if context is None else context
        b, n, d = x.shape
        split = lambda t: t.reshape(b, -1, HEADS, d // HEADS).transpose(1, 2).reshape(b * HEADS, -1, d // HEADS)
        q, k, v = split(self.to_q(x)), split(self.to_k(context)), split(self.to_v(context))
        scores = torch.baddbmm(torch.empty(q.shape[0], q.shape[1], k.shape[1]), q, k.transpose(1, 2),
                               beta=0, alpha=1 / math.sqrt(d // HEADS))
        out = torch.bmm(scores.softmax(-1), v)
        return self.to_out(out.reshape(b, HEADS, n, d // HEADS).transpose(1, 2).reshape(b, n, d))


class Transformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.norm, self.proj_in, self.proj_out = norm(c), nn.Conv2d(c, c, 1), nn.Conv2d(c, c, 1)
        self.norm1, self.attn1 = nn.LayerNorm(c), Attention(c)
        self.norm2, self.attn2 = nn.LayerNorm(c), Attention(c, CONTEXT)
        self.norm3, self.geglu, self.ff_out = nn.LayerNorm(c), nn.Linear(c, 8 * c), nn.Linear(4 * c, c)

    def forward(self, x, context):
        b, c, h, w = x.shape
        t = self.proj_in(self.norm(x)).flatten(2).transpose(1, 2)
        t = t + self.attn1(self.norm1(t))
        t = t + self.attn2(self.norm2(t), context)
        value, gate = self.geglu(self.norm3(t)).chunk(2, -1)
        t = t + self.ff_out(value * F.gelu(gate))
        return x + self.proj_out(t.transpose(1, 2).reshape(b, c, h, w))


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.time = nn.Sequential(nn.Linear(320, 1280), nn.SiLU(), nn.Linear(1280, 1280))
        self.conv_in = nn.Conv2d(4, 320, 3, padding=1)
        self.down, skips, cin = nn.ModuleList(), [320], 320
        for i, c in enumerate(CHANNELS):
            block = nn.Module()
            block.resnets = nn.ModuleList([Resnet(cin if j == 0 else c, c) for j in range(2)])
            block.attentions = nn.ModuleList([Transformer(c) for _ in range(2)]) if i < 3 else None
            block.downsample = nn.Conv2d(c, c, 3, stride=2, padding=1) if i < 3 else None
            self.down.append(block)
            skips += [c, c] + ([c] if i < 3 else [])
            cin = c
        self.mid = nn.ModuleList([Resnet(1280, 1280), Transformer(1280), Resnet(1280, 1280)])
        self.up = nn.ModuleList()
        for i, c in enumerate(reversed(CHANNELS)):
            block = nn.Module()
            # Each ResNet also takes the skip that the matching down path left last.
            block.resnets = nn.ModuleList([Resnet((cin if j == 0 else c) + skips.pop(), c) for j in range(3)])
            block.attentions = nn.ModuleList([Transformer(c) for _ in range(3)]) if i > 0 else None
            block.upsample = nn.Conv2d(c, c, 3, padding=1) if i < 3 else None
            self.up.append(block)
            cin = c
        self.norm_out, self.conv_out = norm(320), nn.Conv2d(320, 4, 3, padding=1)

    def forward(self, x, t, context):
        half = torch.exp(-math.log(10000) * torch.arange(160) / 160)
        emb = self.time(torch.cat([torch.cos(t[:, None] * half), torch.sin(t[:, None] * half)], -1))
        h = self.conv_in(x)
        skips = [h]
        for block in self.down:
            for j, resnet in enumerate(block.resnets):
                h = resnet(h, emb)
                if block.attentions is not None:
                    h = block.attentions[j](h, context)
                skips.append(h)
            if block.downsample is not None:
                h = block.downsample(h)
                skips.append(h)
        h = self.mid[2](self.mid[1](self.mid[0](h, emb), context), emb)
        for block in self.up:
            for j, resnet in enumerate(block.resnets):
                h = resnet(torch.cat([h, skips.pop()], 1), emb)
                if block.attentions is not None:
                    h = block.attentions[j](h, context)
            if block.upsample is not None:
                h = block.upsample(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        return self.conv_out(F.silu(self.norm_out(h)))


def main():
    sizes = [int(s) for s in sys.argv[1:]] or [512]
    if "OMP_NUM_THREADS" in os.environ:
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    torch.manual_seed(0)
    unet = UNet().eval()
    params = sum(p.numel() for p in unet.parameters())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {params / 1e6:.0f} M parameters")
    with torch.inference_mode():
        for size in sizes:
            x = torch.randn(2, 4, size // 8, size // 8)
            context = torch.randn(2, 77, CONTEXT)
            t = torch.tensor([500.0, 500.0])
            times = []
            for _ in range(3):
                start = time.perf_counter()
                unet(x, t, context)
                times.append(time.perf_counter() - start)
            print(f"cfg step {size}x{size} (batch 2): " + ", ".join(f"{s:.2f}" for s in times) + " s")


if __name__ == "__main__":
    main()
