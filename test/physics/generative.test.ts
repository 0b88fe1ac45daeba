// The generative models of the lecture's last slide against references:
// the VAE's gradient against finite differences of an f64 forward pass (the
// reparameterised noise held fixed), its KL term against the closed form,
// its importance-weighted log-likelihood against exact integration for a
// one-dimensional latent, and training that raises the held-out ELBO.

import { describe, it, expect } from 'vitest';
import { Dense } from '../../src/kernel/dense.js';
import { Vae, vaeLossF64, VAE_PARAMS, type VaeParamName } from '../../src/dense/vae.js';
import { Philox } from '../../src/core/philox.js';
import { loadDigits, split, permutation } from '../../src/data/mnist.js';
import { binarizeStochastic } from '../../src/experiments/rbm-mnist.js';
import { worstRelativeError } from '../support/gradcheck.js';
import { fitTemperature, calibrationError } from '../../src/experiments/recognise.js';
import { Stack, stackForwardF64, Gan, parzenLogLikelihood, type StackActivation } from '../../src/dense/gan.js';

const rng = new Philox(77);
let draw = 0;
const rand = () => rng.uniform(draw++, 0, 0, 0) - 0.5;

describe('variational autoencoder (Kingma & Welling 2013)', () => {
  it('gradient of -ELBO (7-5-3, batch 4, noise fixed) against finite differences of an f64 reference: relative error below 1e-3', () => {
    const d = new Dense();
    const sizes = { nx: 7, nh: 5, nz: 3 }, B = 4;
    const vae = new Vae(d, sizes.nx, sizes.nh, sizes.nz, 3);
    // Non-zero biases, so that every parameter's gradient is exercised.
    for (const name of VAE_PARAMS) vae.w[name].set(Float32Array.from(vae.w[name].data, (v) => v + 0.3 * rand()));
    const x = Float32Array.from({ length: B * sizes.nx }, () => (rand() > 0 ? 1 : 0));
    const eps = Float32Array.from({ length: B * sizes.nz }, () => 2 * rand());
    const loss = vae.step(x, eps, B);
    const params = Object.fromEntries(VAE_PARAMS.map((n) => [n, Float64Array.from(vae.w[n].data)])) as Record<VaeParamName, Float64Array>;
    const x64 = Float64Array.from(x), eps64 = Float64Array.from(eps);
    expect(loss.loss).toBeCloseTo(vaeLossF64(sizes, params, x64, eps64, B), 4);
    const analytic = VAE_PARAMS.map((n) => Float64Array.from(vae.g[n].data));
    expect(worstRelativeError(analytic, VAE_PARAMS.map((n) => params[n]), () => vaeLossF64(sizes, params, x64, eps64, B))).toBeLessThan(1e-3);
  });

  it('the KL term is 1/2 sum (mu^2 + sigma^2 - 1 - log sigma^2) of the encoder\'s outputs', () => {
    const d = new Dense();
    const vae = new Vae(d, 6, 4, 2, 5);
    const x = Float32Array.from({ length: 3 * 6 }, () => (rand() > 0 ? 1 : 0));
    const { mu, lv } = vae.encodeRows(x, 3);
    let kl = 0;
    for (let k = 0; k < mu.length; k++) kl += 0.5 * (mu[k]! ** 2 + Math.exp(lv[k]!) - 1 - lv[k]!);
    expect(vae.step(x, new Float32Array(6), 3, false).kl).toBeCloseTo(kl / 3, 6);
  });

  it('importance-weighted log p(x) with a one-dimensional latent converges on the integral by quadrature, and k = 1 averages to the ELBO', () => {
    const d = new Dense();
    const vae = new Vae(d, 5, 4, 1, 9);
    for (const name of VAE_PARAMS) vae.w[name].set(Float32Array.from(vae.w[name].data, (v) => 2 * v + 0.5 * rand()));
    const v = Float32Array.from([1, 0, 1, 1, 0]);
    // log p(x) = log integral N(z; 0, 1) p(x | z) dz, by the trapezoid rule on [-10, 10].
    const n = 20001, zs = Float32Array.from({ length: n }, (_, k) => -10 + (20 * k) / (n - 1));
    const probs = vae.decodeProbs(zs, n);
    let integral = 0;
    for (let k = 0; k < n; k++) {
      let px = 1;
      for (let i = 0; i < 5; i++) px *= v[i] ? probs[k * 5 + i]! : 1 - probs[k * 5 + i]!;
      integral += (k === 0 || k === n - 1 ? 0.5 : 1) * px * Math.exp(-0.5 * zs[k]! ** 2) / Math.sqrt(2 * Math.PI) * (20 / (n - 1));
    }
    const exact = Math.log(integral);
    expect(Math.abs(vae.logLikelihoodIW(v, 200_000, new Philox(1), 0) - exact)).toBeLessThan(0.01);
    // One sample: an unbiased estimate of the ELBO; its mean over many draws is the ELBO itself.
    let mean = 0;
    for (let s = 0; s < 400; s++) mean += vae.logLikelihoodIW(v, 1, new Philox(100 + s), s) / 400;
    const elbo = vae.elbo(v, new Philox(5));
    expect(Math.abs(mean - exact)).toBeGreaterThan(0);
    expect(mean).toBeLessThan(exact);
    expect(Math.abs(mean - elbo)).toBeLessThan(0.5);
  });

  it('training on 2000 digits raises the held-out ELBO, and 500 importance samples give a tighter bound than the ELBO', () => {
    const d = new Dense();
    d.setSeed(1);
    const digits = loadDigits();
    const sp = split(digits, 8000, 2000, 1);
    const train = sp.train.slice(0, 2000);
    const test = binarizeStochastic(digits.images, sp.test.slice(0, 200), 1001);
    const vae = new Vae(d, 784, 200, 10, 1);
    vae.initOutputBias(digits.images, train);
    const opt = vae.optimizer({ kind: 'adam', lr: 1e-3 });
    const start = vae.elbo(test, new Philox(2));
    const r = new Philox(3);
    for (let e = 1; e <= 3; e++) vae.trainEpoch(digits.images, Array.from(permutation(train.length, e), (i) => train[i]!), opt, 50, r, e);
    const end = vae.elbo(test, new Philox(2));
    expect(end).toBeGreaterThan(start + 20);
    let iw = 0;
    for (let k = 0; k < 10; k++) iw += vae.logLikelihoodIW(test.subarray(k * 784, (k + 1) * 784), 500, new Philox(4), k) / 10;
    let elbo10 = 0;
    for (let k = 0; k < 10; k++) elbo10 += vae.elbo(test.subarray(k * 784, (k + 1) * 784), new Philox(9), k) / 10;
    expect(iw).toBeGreaterThan(elbo10);
  }, 60_000);
});

describe('generative adversarial network (Goodfellow et al. 2014)', () => {
  const acts: StackActivation[] = ['leaky', 'tanh', 'relu', 'sigmoid', 'linear'];

  it('a stack of leaky ReLU, tanh, ReLU, sigmoid and linear layers: weight and input gradients against finite differences of an f64 reference', () => {
    const d = new Dense();
    const sizes = [4, 6, 5, 5, 3, 2], B = 3;
    const net = new Stack(d, sizes, acts, 8, 0);
    for (const L of net.layers) L.b.set(Float32Array.from(L.b.data, () => 0.3 * rand()));
    const x = Float32Array.from({ length: B * 4 }, () => 2 * rand());
    const c = Float64Array.from({ length: B * 2 }, () => 2 * rand());
    net.forward(x, B);
    const dx = net.backward(Float32Array.from(c), B);
    const W = net.layers.map((L) => Float64Array.from(L.W.data)), b = net.layers.map((L) => Float64Array.from(L.b.data));
    const x64 = Float64Array.from(x);
    const loss = () => stackForwardF64(sizes, acts, W, b, x64, B).reduce((s, v, k) => s + c[k]! * v, 0);
    const analytic = net.layers.flatMap((L) => [Float64Array.from(L.gW.data), Float64Array.from(L.gb.data)]);
    expect(worstRelativeError(analytic, W.flatMap((w, l) => [w, b[l]!]), loss)).toBeLessThan(1e-3);
    expect(worstRelativeError([Float64Array.from(dx)], [x64], loss)).toBeLessThan(1e-3);
  });

  it('a stack with dropout (0.4) in a training pass: gradients against finite differences of the same masked network', () => {
    const d = new Dense();
    const sizes = [5, 8, 6, 2], B = 3, dropActs: StackActivation[] = ['leaky', 'tanh', 'linear'];
    const net = new Stack(d, sizes, dropActs, 4, 0, 0.4);
    const x = Float32Array.from({ length: B * 5 }, () => 2 * rand());
    const c = Float64Array.from({ length: B * 2 }, () => 2 * rand());
    net.forward(x, B, true);
    const masks = [...net.lastMasks];
    expect(masks.filter((m) => m !== undefined).length).toBe(2);
    expect(masks[0]!.some((v) => v === 0) && masks[0]!.some((v) => v > 1)).toBe(true);
    net.backward(Float32Array.from(c), B);
    const W = net.layers.map((L) => Float64Array.from(L.W.data)), b = net.layers.map((L) => Float64Array.from(L.b.data));
    const x64 = Float64Array.from(x);
    const loss = () => stackForwardF64(sizes, dropActs, W, b, x64, B, masks).reduce((s, v, k) => s + c[k]! * v, 0);
    const analytic = net.layers.flatMap((L) => [Float64Array.from(L.gW.data), Float64Array.from(L.gb.data)]);
    expect(worstRelativeError(analytic, W.flatMap((w, l) => [w, b[l]!]), loss)).toBeLessThan(1e-3);
    // Outside training no unit is dropped: the output is the plain network's.
    const plain = net.forward(x, B).toArray();
    const ref = stackForwardF64(sizes, dropActs, W, b, x64, B);
    for (let k = 0; k < plain.length; k++) expect(plain[k]!).toBeCloseTo(ref[k]!, 4);
  });

  it('the generator\'s non-saturating gradient, taken through the discriminator, against finite differences', () => {
    const d = new Dense();
    const gan = new Gan(d, 6, { latent: 3, gHidden: [5], dHidden: [4], seed: 2 });
    const B = 4;
    const z = gan.noise(B);
    const x = gan.raw(z, B);
    const a = gan.D.forward(x, B).toArray();
    const dx = gan.D.backward(Float32Array.from(a, (v) => (1 / (1 + Math.exp(-v)) - 1) / B), B, { weights: false });
    gan.G.forward(z, B);
    gan.G.backward(dx, B);
    const gW = gan.G.layers.map((L) => Float64Array.from(L.W.data)), gb = gan.G.layers.map((L) => Float64Array.from(L.b.data));
    const dW = gan.D.layers.map((L) => Float64Array.from(L.W.data)), db = gan.D.layers.map((L) => Float64Array.from(L.b.data));
    const z64 = Float64Array.from(z);
    const loss = () => {
      const img = stackForwardF64([3, 5, 6], ['leaky', 'tanh'], gW, gb, z64, B);
      const logits = stackForwardF64([6, 4, 1], ['leaky', 'linear'], dW, db, img, B);
      return logits.reduce((s, v) => s + (v > 0 ? Math.log1p(Math.exp(-v)) : -v + Math.log1p(Math.exp(v))), 0) / B;
    };
    const analytic = gan.G.layers.flatMap((L) => [Float64Array.from(L.gW.data), Float64Array.from(L.gb.data)]);
    expect(worstRelativeError(analytic, gW.flatMap((w, l) => [w, gb[l]!]), loss)).toBeLessThan(1e-3);
  });

  it('the Parzen-window estimate is the mean log of a Gaussian mixture on the samples, as a direct f64 sum gives', () => {
    const d = new Dense();
    const dim = 5, ns = 30, ni = 7, sigma = 0.4;
    const s = Float32Array.from({ length: ns * dim }, () => rand() + 0.5);
    const x = Float32Array.from({ length: ni * dim }, () => rand() + 0.5);
    const got = parzenLogLikelihood(d, s, x, dim, sigma);
    let mean = 0;
    for (let r = 0; r < ni; r++) {
      let p = 0;
      for (let j = 0; j < ns; j++) {
        let q = 0;
        for (let k = 0; k < dim; k++) q += (x[r * dim + k]! - s[j * dim + k]!) ** 2;
        p += Math.exp(-q / (2 * sigma * sigma)) / (2 * Math.PI * sigma * sigma) ** (dim / 2) / ns;
      }
      mean += Math.log(p) / ni;
    }
    expect(got.mean).toBeCloseTo(mean, 4);
    expect(got.se).toBeGreaterThan(0);
  });
});

describe('calibrated recognisability (temperature scaling, Guo et al. 2017)', () => {
  // Scores z and labels drawn from softmax(z / T0): a classifier whose
  // softmax is off by exactly the temperature T0. The fit must recover T0,
  // and the calibration error must vanish at T0 and not at 1.
  function overconfident(t0: number, n: number, seed: number) {
    const rng = new Philox(seed);
    const lp = new Float64Array(n * 10), labels = new Array<number>(n);
    for (let r = 0; r < n; r++) {
      const z = Array.from({ length: 10 }, (_, j) => 4 * rng.normal(r, j, 0, 0));
      const m = Math.max(...z), lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
      for (let j = 0; j < 10; j++) lp[r * 10 + j] = z[j]! - lse;
      const w = z.map((v) => Math.exp((v - m) / t0)), s = w.reduce((a, v) => a + v, 0);
      let u = rng.uniform(r, 0, 1, 0) * s, k = 0;
      while (k < 9 && (u -= w[k]!) > 0) k++;
      labels[r] = k;
    }
    return { lp, labels };
  }

  it('recovers the temperature that makes the probabilities true', () => {
    for (const t0 of [0.6, 1, 2.5]) {
      const { lp, labels } = overconfident(t0, 20000, 3);
      const t = fitTemperature(lp, labels);
      expect(Math.abs(t / t0 - 1)).toBeLessThan(0.05);
      expect(calibrationError(lp, labels, t)).toBeLessThan(0.015);
      if (t0 !== 1) expect(calibrationError(lp, labels, 1)).toBeGreaterThan(0.04);
    }
  });
});
