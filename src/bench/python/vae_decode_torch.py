"""The SD 1.x/2.x autoencoder's decoder in plain PyTorch, timed on random weights: the peer for
`bench --e2e`'s vae_decode_seconds (issue 18: decode at least as fast as diffusers on the same cores).

diffusers cannot be installed on these machines (only Debian's python3-torch can), so this is the decoder
diffusers runs for AutoencoderKL — the same layers, shapes and float32 arithmetic (conv_in, a mid block of
ResNet–attention–ResNet, four up blocks of three ResNets with nearest ×2 upsampling, GroupNorm(32, eps 1e-6),
SiLU) — written from the architecture, without diffusers' wrappers, which add nothing measurable to a forward
pass. Debian's torch takes its matrix products from the system BLAS: install libopenblas0-pthread first, or
they run on the reference BLAS, single-threaded and several times slower (convolutions use oneDNN either way).
Usage: python3 vae_decode_torch.py [SIZE ...]  (image sides, default 256 512); threads follow
OMP_NUM_THREADS, else every core.
"""
import os
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F


def norm(c):
    return nn.GroupNorm(32, c, eps=1e-6)


class Resnet(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.norm1, self.conv1 = norm(cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2, self.conv2 = norm(cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return self.shortcut(x) + h


class Attention(nn.Module):
    """One head over all channels, as the VAE's mid block has it."""

    def __init__(self, c):
        super().__init__()
        self.norm = norm(c)
        self.q, self.k, self.v, self.out = (nn.Linear(c, c) for _ in range(4))

    def forward(self, x):
        b, c, h, w = x.shape
        t = self.norm(x).flatten(2).transpose(1, 2)
        a = F.scaled_dot_product_attention(self.q(t)[:, None], self.k(t)[:, None], self.v(t)[:, None])[:, 0] \
            if hasattr(F, "scaled_dot_product_attention") else \
            torch.softmax(self.q(t) @ self.k(t).transpose(1, 2) / c ** 0.5, -1) @ self.v(t)
        return x + self.out(a).transpose(1, 2).reshape(b, c, h, w)


class Decoder(nn.Module):
    def __init__(self, channels=(128, 256, 512, 512), latent=4):
        super().__init__()
        top = channels[-1]
        self.post_quant_conv = nn.Conv2d(latent, latent, 1)
        self.conv_in = nn.Conv2d(latent, top, 3, padding=1)
        self.mid = nn.ModuleList([Resnet(top, top), Attention(top), Resnet(top, top)])
        ups, cin = [], top
        for i, cout in enumerate(reversed(channels)):
            block = nn.ModuleList([Resnet(cin if j == 0 else cout, cout) for j in range(3)])
            block.upsample = nn.Conv2d(cout, cout, 3, padding=1) if i < len(channels) - 1 else None
            ups.append(block)
            cin = cout
        self.ups = nn.ModuleList(ups)
        self.norm_out, self.conv_out = norm(channels[0]), nn.Conv2d(channels[0], 3, 3, padding=1)

    def forward(self, z):
        h = self.conv_in(self.post_quant_conv(z))
        for layer in self.mid:
            h = layer(h)
        for block in self.ups:
            for resnet in block:
                h = resnet(h)
            if block.upsample is not None:
                h = block.upsample(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        return self.conv_out(F.silu(self.norm_out(h)))


def main():
    sizes = [int(s) for s in sys.argv[1:]] or [256, 512]
    if "OMP_NUM_THREADS" in os.environ:
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    torch.manual_seed(0)
    decoder = Decoder().eval()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    with torch.inference_mode():
        for size in sizes:
            z = torch.randn(1, 4, size // 8, size // 8)
            times = []
            for _ in range(3):
                start = time.perf_counter()
                decoder(z)
                times.append(time.perf_counter() - start)
            print(f"vae decode {size}x{size}: " + ", ".join(f"{t:.2f}" for t in times) + " s")


if __name__ == "__main__":
    main()
