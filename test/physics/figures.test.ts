// Every experiment draws its result (issue 12): figures with the theory over
// the measurements, rendered to SVG for the command line and report.html.
// Each experiment runs here with small options; its figures must be
// complete (named, every series as long in x as in y, finite where drawn),
// carry the reference the experiment is checked against, and render.
import { describe, it, expect } from 'vitest';
import { EXPERIMENTS, optionsFromArgs } from '../../src/experiments/index.js';
import { figureSvg } from '../../src/figures/svg.js';
import { derivedFiles } from '../../src/experiments/files.js';
import type { Figure } from '../../src/protocol/figures.js';

const SMALL: Record<string, string[]> = {
  'stdp-window': ['--range', '20', '--step', '5'],
  song2000: ['--duration_s', '4'],
  rstdp: ['--trials', '20', '--block', '10'],
  'hopfield-recall': ['--n', '200', '--patterns', '5', '--sweeps', '3'],
  'hopfield-capacity': ['--sizes', '100,200,300', '--alpha_min', '0.05', '--alpha_max', '0.2', '--alpha_step', '0.05', '--tested', '5', '--max_sweeps', '5'],
  ising: ['--sizes', '8', '--temperatures', '1.5,2.3,3.5', '--sweeps', '200', '--burn_in', '20'],
  'boltzmann-exact': ['--n', '4', '--sweeps', '4000'],
  'boltzmann-learn': ['--hidden', '2', '--iterations', '40', '--eval_every', '20', '--chains', '4'],
  'lstm-vs-rnn': ['--lengths', '5', '--steps', '20', '--hidden', '4', '--batch', '8'],
  'rbm-mnist': ['--hidden', '16', '--epochs', '1', '--train', '200', '--test', '50', '--ais_betas', '200', '--ais_runs', '10'],
  'dbm-mnist': ['--h1', '16', '--h2', '16', '--pretrain_epochs', '1', '--epochs', '1', '--train', '200', '--test', '50', '--ais_betas', '100', '--ais_runs', '10', '--curve_betas', '50'],
  'vae-mnist': ['--hidden', '16', '--latent', '2', '--epochs', '1', '--train', '200', '--test', '50', '--iw_samples', '20', '--iw_digits', '5'],
  'gan-mnist': ['--steps', '20', '--g_hidden', '16', '--d_hidden', '16', '--train', '300', '--validation', '50', '--test', '50', '--parzen_samples', '50', '--snapshots', '1'],
  'bridge-demo': ['--digits', '2', '--hidden', '16', '--present_ms', '40'],
};

/** The references each experiment's figures must draw (a theory curve, or a mark). */
const REFERENCE: Record<string, RegExp> = {
  'stdp-window': /analytic window/,
  'hopfield-capacity': /alpha_c = 0\.138/,
  'hopfield-recall': /cue/,
  ising: /Yang \(1952\)|Onsager \(1944\)|T_c/,
  'boltzmann-exact': /sampled = exact/,
  'boltzmann-learn': /uniform model/,
  'lstm-vs-rnn': /chance/,
  'bridge-demo': /bridged = direct/,
  'rbm-mnist': /paper CD-25/,
  'dbm-mnist': /paper \(784-500-1000/,
  'vae-mnist': /RBM CD-25, AIS/,
  'gan-mnist': /D at equilibrium: 2 ln 2/,
};

function wellFormed(svg: string): void {
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  // Elements close in order (a small XML check: no attribute holds '<' or '>').
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (m[1]) expect(stack.pop(), `closing </${m[2]}>`).toBe(m[2]);
    else stack.push(m[2]!);
  }
  expect(stack).toEqual([]);
  expect(svg).not.toMatch(/NaN|Infinity|undefined/);
}

describe('figures of every experiment', () => {
  it('covers every experiment but stdp-vs-backprop (its own test checks its figures)', () => {
    expect(Object.keys(SMALL).sort()).toEqual(Object.keys(EXPERIMENTS).filter((n) => n !== 'stdp-vs-backprop').sort());
  });

  it.each(Object.keys(SMALL).map((n) => [n]))('%s: figures with their reference, rendered to SVG and report.html', async (name) => {
    const exp = EXPERIMENTS[name]!;
    const options = optionsFromArgs(exp.options, SMALL[name]!);
    const r = await exp.run(options, {});
    const figures: Figure[] = r.figures ?? [];
    expect(figures.length, 'figures').toBeGreaterThan(0);
    expect(new Set(figures.map((f) => f.name)).size).toBe(figures.length);
    for (const f of figures) {
      expect(f.name).toMatch(/^[a-z0-9-]+$/);
      expect(f.series.length, f.name).toBeGreaterThan(0);
      for (const s of f.series) {
        expect(s.x.length, `${f.name}/${s.label}`).toBe(s.y.length);
        expect(s.x.length, `${f.name}/${s.label}`).toBeGreaterThan(0);
      }
      wellFormed(figureSvg(f));
    }
    if (REFERENCE[name]) {
      const labels = figures.flatMap((f) => [...f.series.map((s) => s.label), ...(f.marks ?? []).map((m) => m.label)]).join('\n');
      expect(labels).toMatch(REFERENCE[name]!);
    }
    const files = derivedFiles(name, exp.description, options, r);
    for (const f of figures) expect(files[`${f.name}.svg`]).toBe(figureSvg(f));
    const html = files['report.html']!;
    expect(html.startsWith('<!doctype html>')).toBe(true);
    // Self-contained: every figure inline, nothing fetched.
    expect(html.match(/<svg /g)?.length).toBe(figures.length);
    expect(html).not.toMatch(/(src|href)="https?:/);
  }, 120_000);
});

describe('the SVG renderer', () => {
  const base: Figure = { name: 'x', title: 'a <title> & more', x: { label: 'x', unit: 'ms' }, y: { label: 'y' }, series: [] };

  it('escapes text, draws theory dashed over data, and skips values a log axis cannot show', () => {
    const svg = figureSvg({
      ...base, y: { label: 'y', log: true },
      series: [{ label: 'data', kind: 'points', x: [1, 2, 3], y: [0, 10, 100] }, { label: 'theory', kind: 'theory', x: [1, 3], y: [1, 100] }],
    });
    wellFormed(svg);
    expect(svg).toContain('a &lt;title&gt; &amp; more');
    // Two points drawn (y = 0 cannot be on a log axis).
    expect(svg.match(/r="2.6"/g)!.length).toBe(2);
    expect(svg).toContain('stroke-dasharray="6 4"');
    expect(svg.indexOf('stroke-dasharray="6 4"')).toBeGreaterThan(svg.indexOf('<circle'));
    // Decade ticks on the log axis.
    for (const t of ['>1<', '>10<', '>100<']) expect(svg).toContain(t);
    expect(svg).toContain('x (ms)');
  });

  it('draws a histogram outline and marks', () => {
    const svg = figureSvg({ ...base, series: [{ label: 'h', kind: 'step', x: [0, 0.5], y: [3, 1] }], marks: [{ axis: 'x', at: 0.25, label: 'here' }] });
    wellFormed(svg);
    expect(svg).toMatch(/<path d="M[^"]+L[^"]+"/);
    expect(svg).toContain('>here<');
  });
});
