// STDP against backprop, small and fast: both beat chance by a wide margin;
// the labelling and voting logic on hand-made responses; the report's structure;
// bad arguments refused.
import { describe, it, expect } from 'vitest';
import { Script } from 'node:vm';
import { EXPERIMENTS } from '../../src/experiments/index.js';
import { optionsFromArgs } from '../../src/experiments/index.js';
import { assignLabels, vote, classProportions, proportionVote, DC_TUNED, DC_PUBLISHED, THETA_PLUS } from '../../src/experiments/diehl-cook.js';
import { stdpNetwork } from '../../src/experiments/stdp-vs-backprop.js';
import { convertMlp, CONVERSION_DEFAULTS } from '../../src/experiments/ann-to-snn.js';
import { Mlp } from '../../src/dense/mlp.js';
import { Dense } from '../../src/kernel/dense.js';
import { loadDigits, split, permutation } from '../../src/data/mnist.js';

describe('stdp-vs-backprop', () => {
  it('labels each neuron with the class it answers most, and votes by the mean response per class', () => {
    // Neurons 0, 1 answer class 3; neuron 2 answers class 7 (more to 7 on average); neuron 3 never answers.
    const responses = [[5, 2, 0, 0], [4, 3, 1, 0], [0, 0, 6, 0], [1, 0, 2, 0]];
    const labels = [3, 3, 7, 3];
    const a = assignLabels(responses, labels, 4);
    expect(Array.from(a)).toEqual([3, 3, 7, -1]);
    expect(vote([1, 1, 0, 9], a)).toBe(3);
    expect(vote([0, 1, 3, 9], a)).toBe(7);           // class 3: (0 + 1) / 2 < class 7: 3 / 1
    expect(vote([0, 0, 0, 5], a)).toBe(-1);          // only an unlabelled neuron answered: no vote
  });

  it('weights each spike by the share of the neuron\'s labelling response each class drew', () => {
    // Neuron 0 answers 3 and 7 alike, neuron 1 only 7, neuron 2 only 3, neuron 3 never.
    const responses = [[4, 0, 2, 0], [4, 6, 0, 0]];
    const labels = [3, 7];
    const p = classProportions(responses, labels, 4);
    expect(p.length).toBe(40);
    expect([p[3 * 4 + 0], p[7 * 4 + 0], p[3 * 4 + 1], p[7 * 4 + 1], p[3 * 4 + 2], p[7 * 4 + 2]]).toEqual([0.5, 0.5, 0, 1, 1, 0]);
    for (let c = 0; c < 10; c++) expect(p[c * 4 + 3]).toBe(0);
    expect(proportionVote([10, 1, 0, 0], p)).toBe(7);    // 3: 5, 7: 5 + 1
    expect(proportionVote([10, 0, 1, 0], p)).toBe(3);    // 3: 5 + 1, 7: 5
    expect(proportionVote([0, 0, 0, 9], p)).toBe(-1);    // only a neuron with no profile answered
    // The plain vote gives neuron 0 wholly to one class; here it counts for both.
    const a = assignLabels(responses, labels, 4);
    expect(vote([10, 1, 0, 0], a)).toBe(a[0]);
  });

  it('a small network (60 neurons, 600 digits, one pass) and a small MLP both beat chance by a wide margin', async () => {
    const exp = EXPERIMENTS['stdp-vs-backprop']!;
    const r = await exp.run(optionsFromArgs(exp.options, ['--neurons', '60', '--train', '600', '--test', '200', '--epochs', '1', '--mlp_epochs', '3']), {});
    for (const c of r.checks) expect(c.pass, `${c.name}: ${c.measured}`).toBe(true);
    type Costs = { synaptic_ops_per_inference: number; macs_per_inference: number; labelled_examples: number; label_uses: number; energy_per_inference_uJ: Record<string, number> };
    const res = r.results as {
      stdp: Costs & { accuracy: number; accuracy_proportion_vote: number; confusion: number[][]; neuron_updates_per_inference: number; steps_per_test_digit: number };
      mlp: Costs & { accuracy: number; macs_per_inference_skipping_zeros: number; nonzero_pixels: number; active_hidden_units: number };
      curves: { method: string }[]; images: { stdp_weights: number[][] };
    };
    expect(res.stdp.accuracy).toBeGreaterThan(0.4);
    expect(res.mlp.accuracy).toBeGreaterThan(0.4);
    expect(res.stdp.confusion.flat().reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(200);
    expect(res.mlp.synaptic_ops_per_inference).toBe(784 * 60 + 60 * 10);
    expect(res.stdp.synaptic_ops_per_inference).toBeGreaterThan(0);
    // Like for like: the same labelled digits; label uses and passes apart.
    expect([res.stdp.labelled_examples, res.mlp.labelled_examples]).toEqual([600, 600]);
    expect([res.stdp.label_uses, res.mlp.label_uses]).toEqual([600, 1800]);
    // Costs as the engine does them: every synaptic event a multiply-add, every neuron of both layers
    // updated every 0.5 ms step (at least 1000 steps a digit, more with repeats), 15 multiply-adds each.
    expect(res.stdp.steps_per_test_digit).toBeGreaterThanOrEqual(1000);
    expect(res.stdp.neuron_updates_per_inference).toBeCloseTo(2 * 60 * res.stdp.steps_per_test_digit, 6);
    expect(res.stdp.macs_per_inference).toBeCloseTo(res.stdp.synaptic_ops_per_inference + 15 * res.stdp.neuron_updates_per_inference, 3);
    expect(res.stdp.energy_per_inference_uJ.arithmetic_fp32).toBeCloseTo(res.stdp.macs_per_inference * 4.6e-6, 9);
    // The MLP counted dense and skipping zeros: pixels that are off and silent ReLU units cost nothing.
    expect(res.mlp.macs_per_inference_skipping_zeros).toBeCloseTo(res.mlp.nonzero_pixels * 60 + res.mlp.active_hidden_units * 10, 6);
    expect(res.mlp.nonzero_pixels).toBeGreaterThan(50);
    expect(res.mlp.nonzero_pixels).toBeLessThan(300);
    expect(res.mlp.energy_per_inference_uJ.arithmetic_fp32).toBeCloseTo(res.mlp.macs_per_inference * 4.6e-6, 9);
    expect(Number.isFinite(res.stdp.accuracy_proportion_vote)).toBe(true);
    expect(res.images.stdp_weights.length).toBe(60);
    expect(res.images.stdp_weights[0]!.length).toBe(784);
    expect(new Set(res.curves.map((c) => c.method))).toEqual(new Set(['stdp', 'mlp']));
    // Its figures: both accuracy curves against digits seen, chance marked.
    const acc = r.figures!.find((f) => f.name === 'accuracy-curves')!;
    expect(acc.series.map((s) => s.label)).toEqual(['STDP (spiking, unsupervised)', 'backprop (MLP)']);
    expect(acc.marks?.[0]?.label).toBe('chance');
    // The report: one file, uPlot and the data inside, no external resource.
    const html = r.files['report.html']!;
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('uPlot');
    expect(html).toContain('<script id="data" type="application/json">');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    // Every script in it compiles (uPlot and the page's own).
    const scripts = [...html.matchAll(/<script(?![^>]*application\/json)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const code of scripts) expect(() => new Script(code)).not.toThrow();
    const data = JSON.parse(html.split('<script id="data" type="application/json">')[1]!.split('</script>')[0]!.replace(/<\\\//g, '</')) as { results: { stdp: { accuracy: number } } };
    expect(data.results.stdp.accuracy).toBe(res.stdp.accuracy);
    for (const row of ['operations used', 'feedback paths', 'phases clocked', 'neurons send', 'target outputs']) expect(html.includes(row) || JSON.stringify(r.results).includes(row)).toBe(true);
  }, 120_000);

  it('a ReLU MLP converted to integrate-and-fire neurons answers as the MLP does, better the longer it listens', () => {
    const digits = loadDigits();
    const sp = split(digits, 1000, 200, 3);
    const mlp = new Mlp(new Dense(), [784, 64, 10], 'relu', 3);
    const opt = mlp.optimizer({ kind: 'adam', lr: 0.002 });
    for (let e = 1; e <= 3; e++) mlp.trainEpoch(digits.images, digits.labels, Array.from(permutation(1000, e), (i) => sp.train[i]!), opt, 32);
    const mlpPred = mlp.predict(digits.images, sp.test);
    const net = convertMlp(mlp, digits.images, sp.train.slice(0, 500), { ...CONVERSION_DEFAULTS, presentMs: 25, checkEveryMs: 2.5 });
    // The hidden layer's scale is the 99.9th percentile of its activations: few units are asked to fire faster than the maximum rate.
    expect(net.scales[0]).toBe(1);
    let agree = 0, early = 0, events = 0;
    sp.test.forEach((idx, k) => {
      const r = net.classify(digits.images.subarray(idx * 784, (idx + 1) * 784));
      if (r.answer === mlpPred[k]) agree++;
      if (r.answers[0] === mlpPred[k]) early++;
      events += r.events;
    });
    expect(agree / sp.test.length).toBeGreaterThanOrEqual(0.93);
    expect(early).toBeLessThan(agree);
    expect(events / sp.test.length).toBeGreaterThan(1000);
    expect(() => convertMlp(new Mlp(new Dense(), [784, 8, 10], 'sigmoid', 1), digits.images, [0])).toThrow(/only a ReLU MLP converts/);
  }, 60_000);

  it('homeostasis: while learning, every threshold falls by theta_plus x share / N per digit and rises by theta_plus per spike; frozen, it holds', () => {
    const neurons = 10, setup = { ...DC_TUNED, shareSpikes: 40 };
    const net = stdpNetwork(neurons, 1, undefined, setup);
    const exc = net.sim.population('exc');
    const fall = (THETA_PLUS * 40) / neurons;
    // A blank digit evokes no spike, even raised 16 times: each neuron's threshold falls by exactly one share.
    const blank = new Float32Array(784);
    expect(net.present(blank).boosts).toBe(16);
    const decay = Math.exp(-(17 * 500) / setup.tauTheta);
    for (const t of exc.state('theta')) expect(t).toBeCloseTo(-fall, 6);
    // A digit: the threshold of each neuron moves by theta_plus per spike (less its decay) and falls by one share.
    const digits = loadDigits();
    const before = exc.state('theta'), counts0 = exc.spikeCounts();
    net.present(digits.images.subarray(0, 784));
    const after = exc.state('theta'), counts1 = exc.spikeCounts();
    let spikes = 0;
    for (let j = 0; j < neurons; j++) {
      const n = counts1[j]! - counts0[j]!;
      spikes += n;
      // Decay over one presentation (< 1e-3 of theta) is within the tolerance.
      expect(after[j]! - before[j]!).toBeCloseTo(n * THETA_PLUS - fall, 2);
    }
    expect(spikes).toBeGreaterThan(0);
    expect(decay).toBeGreaterThan(0.99);
    // Frozen: no fall, no rise.
    net.setLearning(false);
    const frozen = exc.state('theta');
    net.present(digits.images.subarray(784, 2 * 784));
    expect(Array.from(exc.state('theta'))).toEqual(Array.from(frozen));
    // The learning rate of a pass comes from the schedule, the last one repeating; 0 is refused by the kernel's handle.
    for (const pass of [1, 2, 3, 9]) expect(() => net.startPass(pass)).not.toThrow();
    net.sim.close();
  }, 60_000);

  it('with --compare_published, draws the published parameters\' curve beside hebb\'s on the same digits', async () => {
    const exp = EXPERIMENTS['stdp-vs-backprop']!;
    const r = await exp.run(optionsFromArgs(exp.options, ['--neurons', '30', '--train', '500', '--test', '100', '--epochs', '1', '--mlp_epochs', '1', '--compare_published']), {});
    const curves = (r.results as { curves: { method: string; digits: number }[] }).curves;
    expect(curves.filter((c) => c.method === 'stdp_published').map((c) => c.digits)).toEqual([500]);
    expect(curves.filter((c) => c.method === 'stdp').map((c) => c.digits)).toEqual([500]);
    const acc = r.figures!.find((f) => f.name === 'accuracy-curves')!;
    expect(acc.series.map((s) => s.label)).toEqual(['STDP (spiking, unsupervised)', 'backprop (MLP)', 'STDP with Diehl & Cook\'s published parameters']);
    expect((r.params as { published_parameters: unknown }).published_parameters).toEqual(DC_PUBLISHED);
    // The report draws it too, and its scripts still compile.
    const html = r.files['report.html']!;
    expect(html).toContain('stdp_published');
    for (const m of html.matchAll(/<script(?![^>]*application\/json)[^>]*>([\s\S]*?)<\/script>/g)) expect(() => new Script(m[1]!)).not.toThrow();
  }, 120_000);

  it('refuses bad arguments with the option named', async () => {
    const exp = EXPERIMENTS['stdp-vs-backprop']!;
    expect(() => optionsFromArgs(exp.options, ['--neurons', '0'])).toThrow('--neurons: must be >= 1 (got 0)');
    expect(() => optionsFromArgs(exp.options, ['--neuron', '400'])).toThrow(/--neuron: unknown option \(did you mean --neurons\?\)/);
    expect(() => optionsFromArgs(exp.options, ['--train', 'many'])).toThrow('--train: must be an integer (got "many")');
    expect(() => optionsFromArgs(exp.options, ['--learning_rates', '2,0'])).toThrow(/--learning_rates/);
    expect(() => optionsFromArgs(exp.options, ['--weight_total', '0'])).toThrow(/--weight_total: must be >= 1/);
    expect(() => optionsFromArgs(exp.options, ['--input_rate', '5000'])).toThrow(/--input_rate: must be <= 1000/);
    expect(optionsFromArgs(exp.options, ['--input_rate', '90'])).toMatchObject({ input_rate: 90 });
    expect(() => optionsFromArgs(exp.options, ['--ink', '-1'])).toThrow(/--ink: must be >= 0/);
    expect(() => exp.run(optionsFromArgs(exp.options, ['--train', '9000', '--test', '2000']), {})).toThrow('--train 9000 + --test 2000 exceed the 10000 digits of the mnist package');
  });
});
