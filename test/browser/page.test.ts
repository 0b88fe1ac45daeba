// The page in headless Chromium (Debian's package, driven by playwright-core).
// Without Chromium the tests say so and skip, except under CI (HEBB_CI set by
// .ci/run), where a missing browser is a failure.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { startServer } from '../../src/server/start.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { EXPERIMENTS } from '../../src/experiments/index.js';
import { optionsFromArgs } from '../../src/experiments/index.js';
import { writeExperiment } from '../../src/experiments/files.js';

// The page's test hook (web/main.ts sets it).
declare global {
  interface Window {
    __hebb: { rasterPoints: number; fps: number; dropped: number; state: string; runId: string; frames: Record<string, number> };
  }
}

const CHROMIUM = process.env.HEBB_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts');

if (!available && !process.env.HEBB_CI) {
  console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set HEBB_CHROMIUM)`);
}

describe.skipIf(!available && !process.env.HEBB_CI)('the live view page', () => {
  let app: FastifyInstance;
  let url: string;
  let browser: Browser;
  let page: Page;
  let resultsDir: string;
  const problems: string[] = [];

  beforeAll(async () => {
    expect(available, `Chromium is required here (HEBB_CI is set) but ${CHROMIUM} is missing`).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    // Results of two small experiments, as `hebb experiment` writes them, for the results view.
    resultsDir = mkdtempSync(join(tmpdir(), 'hebb-results-'));
    for (const [name, args] of [['rbm-mnist', ['--epochs', '1', '--hidden', '16', '--train', '600', '--test', '100']], ['lstm-vs-rnn', ['--lengths', '10', '--steps', '100']]] as const) {
      const exp = EXPERIMENTS[name]!;
      const params = optionsFromArgs(exp.options, [...args]);
      writeExperiment(name, join(resultsDir, name), params, await exp.run(params, {}));
    }
    const ising = EXPERIMENTS.ising!;
    const isingParams = optionsFromArgs(ising.options, ['--sizes', '8', '--temperatures', '2,3', '--sweeps', '100', '--burn_in', '10']);
    writeExperiment('ising', join(resultsDir, 'ising-small'), isingParams, await ising.run(isingParams, {}));
    ({ app, url } = await startServer({ port: 0, resultsDir }));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function waitForRaster(minPoints = 1, timeout = 20_000): Promise<void> {
    await page.waitForFunction((n) => (window as unknown as { __hebb?: { rasterPoints: number } }).__hebb?.rasterPoints! >= n, minPoints, { timeout });
  }

  it('opens on the CUBA demo, already streaming, and draws raster points', async () => {
    await page.goto(url);
    await waitForRaster(1000);
    const stats = await page.evaluate(() => window.__hebb);
    expect(stats.frames.hello).toBe(1);
    expect(stats.frames.spikes).toBeGreaterThan(0);
    expect(stats.state).toBe('running');
    expect(await page.locator('.panel h2').allTextContents()).toEqual(expect.arrayContaining(['Spike raster', 'Population rate (Hz, 5 ms bins)', 'Recorded state (mV)', 'Run']));
    await page.screenshot({ path: join(ARTIFACTS, 'page.png') });
    expect(problems).toEqual([]);
  });

  it('starts another preset from the controls', async () => {
    const before = await page.evaluate(() => window.__hebb.runId);
    await page.selectOption('#preset', 'poisson-lif');
    await page.click('#start');
    await page.waitForFunction((id) => window.__hebb.runId !== id && (window.__hebb.frames.spikes ?? 0) > 0, before);
    await page.waitForFunction(() => document.querySelector('.legend')?.textContent?.includes('input_exc'));
    await page.click('#pause');
    await page.waitForFunction(() => window.__hebb.state === 'paused');
    await page.click('#stop');
    await page.waitForFunction(() => window.__hebb.state === 'stopped');
    expect(problems).toEqual([]);
  });

  it('starts the song2000 experiment and shows its weights evolving', async () => {
    await page.selectOption('#preset', 'experiment:song2000');
    await page.selectOption('#speed', '10');
    await page.click('#start');
    await page.waitForFunction(() => (window.__hebb.frames.weights ?? 0) >= 3, undefined, { timeout: 20_000 });
    expect(await page.locator('.panel h2').allTextContents()).toContain('Weights: plastic');
    await page.screenshot({ path: join(ARTIFACTS, 'page-song2000.png') });
    await page.click('#stop');
    await page.waitForFunction(() => window.__hebb.state === 'stopped');
    expect(problems).toEqual([]);
  });

  it('starts the Ising preset: the lattice drawn live, energy and magnetisation traced', async () => {
    await page.selectOption('#preset', 'ising');
    await page.selectOption('#speed', '1');
    await page.click('#start');
    await page.waitForFunction(() => (window.__hebb.frames.energy ?? 0) >= 5, undefined, { timeout: 20_000 });
    const titles = await page.locator('.panel h2').allTextContents();
    expect(titles).toEqual(expect.arrayContaining(['State', 'Energy']));
    expect(titles).not.toContain('Spike raster');
    // The lattice canvas holds both spin states (T = T_c: domains of both signs).
    const shades = await page.evaluate(() => {
      const c = document.querySelector('.state-image canvas') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let dark = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! < 128) dark++;
      return { dark, total: d.length / 4, w: c.width };
    });
    expect(shades.w).toBe(128);
    expect(shades.dark).toBeGreaterThan(0.05 * shades.total);
    expect(shades.dark).toBeLessThan(0.95 * shades.total);
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(ARTIFACTS, 'page-ising.png') });
    await page.click('#stop');
    await page.waitForFunction(() => window.__hebb.state === 'stopped');
    expect(problems).toEqual([]);
  });

  it('starts the Hopfield preset: the cued digit is recalled, the overlap reaching 1', async () => {
    await page.selectOption('#preset', 'hopfield');
    await page.selectOption('#duration', 'model');
    await page.selectOption('#speed', '10');
    await page.click('#start');
    await page.waitForFunction(() => window.__hebb.state === 'done', undefined, { timeout: 30_000 });
    await page.selectOption('#duration', 'forever');
    expect(await page.locator('.panel h2').allTextContents()).toEqual(expect.arrayContaining(['State and stored patterns', 'Energy', 'Spike raster']));
    await page.waitForFunction(() => document.querySelectorAll('.state-image figcaption')[2]?.textContent === 'pattern 1: m = 1.00');
    await page.screenshot({ path: join(ARTIFACTS, 'page-hopfield.png') });
    expect(problems).toEqual([]);
  });

  it('starts the bridge demo: module activity beside the raster', async () => {
    await page.selectOption('#preset', 'experiment:bridge-demo');
    await page.selectOption('#speed', '1');
    await page.click('#start');
    await page.waitForFunction(() => (window.__hebb.frames.modules ?? 0) >= 5, undefined, { timeout: 20_000 });
    expect(await page.locator('.panel h2').allTextContents()).toEqual(expect.arrayContaining(['Spike raster', 'Rate-coded modules (activity 0-1)']));
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(ARTIFACTS, 'page-bridge.png') });
    await page.click('#stop');
    await page.waitForFunction(() => window.__hebb.state === 'stopped');
    expect(problems).toEqual([]);
  });

  it('shows the results of experiments: checks, their figures (as the SVG files), RBM filters and samples, tables collapsed', async () => {
    await page.selectOption('#preset', 'result:rbm-mnist');
    await page.click('#start');
    await page.waitForFunction(() => document.querySelectorAll('.state-image canvas').length >= 6);
    const titles = await page.locator('.panel h2').allTextContents();
    expect(titles).toEqual(expect.arrayContaining(['rbm-mnist: checks against theory (rbm-mnist)', 'Figures', 'Images']));
    // One chart per figure of the summary, titled as the figure.
    const rbmFigures = JSON.parse(readFileSync(join(resultsDir, 'rbm-mnist', 'summary.json'), 'utf8')).figures as { title: string }[];
    expect(rbmFigures.length).toBeGreaterThan(0);
    expect(await page.locator('figure.figure .u-title').allTextContents()).toEqual(rbmFigures.map((f) => f.title));
    await page.screenshot({ path: join(ARTIFACTS, 'page-rbm-results.png'), fullPage: true });
    await page.selectOption('#preset', 'result:lstm-vs-rnn');
    await page.click('#start');
    await page.waitForFunction(() => [...document.querySelectorAll('details.table summary')].some((h) => h.textContent?.startsWith('table: rows')));
    // The table waits behind its summary line; the figures are in view.
    expect(await page.locator('details.table').first().getAttribute('open')).toBeNull();
    expect(await page.locator('figure.figure').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'page-lstm-results.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('updates the results when new ones are written: a new result joins the menu, a result in view is drawn again', async () => {
    const ising = EXPERIMENTS.ising!;
    await page.selectOption('#preset', 'result:ising-small');
    await page.click('#start');
    await page.waitForFunction(() => document.querySelectorAll('figure.figure').length > 0);
    const drawn = await page.evaluate(() => window.__hebb.frames.results ?? 0);
    const titles = async () => page.locator('figure.figure .u-title').allTextContents();
    expect((await titles()).length).toBeGreaterThan(0);
    // A new result, as `hebb experiment ising --out` writes it while the page is open.
    const params = optionsFromArgs(ising.options, ['--sizes', '6', '--temperatures', '2.5', '--sweeps', '50', '--burn_in', '10']);
    writeExperiment('ising', join(resultsDir, 'ising-new'), params, await ising.run(params, {}));
    await page.waitForFunction(() => [...document.querySelectorAll('#preset option')].some((o) => (o as HTMLOptionElement).value === 'result:ising-new'), undefined, { timeout: 20_000 });
    expect(await page.inputValue('#preset')).toBe('result:ising-small');
    // The result in view written again (other temperatures): drawn again, from the new file.
    const again = optionsFromArgs(ising.options, ['--sizes', '8', '--temperatures', '1.5,2,3.5', '--sweeps', '100', '--burn_in', '10']);
    writeExperiment('ising', join(resultsDir, 'ising-small'), again, await ising.run(again, {}));
    await page.waitForFunction((n) => (window.__hebb.frames.results ?? 0) > n, drawn, { timeout: 20_000 });
    const table = await page.locator('details.table').first().textContent();
    expect(table).toContain('3.5');
    expect(problems).toEqual([]);
  });

  it('runs stdp-vs-backprop with edited options: receptive fields forming, both accuracy curves, then the results', async () => {
    await page.selectOption('#preset', 'run:stdp-vs-backprop');
    const defaults = JSON.parse(await page.inputValue('#model')) as Record<string, number>;
    expect(defaults).toMatchObject({ neurons: 400, train: 8000, test: 2000, epochs: 5 });
    expect(await page.textContent('#edit')).toBe('Edit options');
    await page.click('#edit');
    await page.fill('#model', JSON.stringify({ ...defaults, neurons: 25, train: 400, test: 100, epochs: 1, mlp_epochs: 2 }));
    const before = await page.evaluate(() => ({ ...window.__hebb.frames }));
    await page.click('#start');
    await page.waitForFunction((n) => (window.__hebb.frames.results ?? 0) > n, before.results ?? 0, { timeout: 60_000 });
    const after = await page.evaluate(() => ({ ...window.__hebb.frames }));
    expect((after.images ?? 0) - (before.images ?? 0)).toBeGreaterThanOrEqual(2);
    expect((after.curve ?? 0) - (before.curve ?? 0)).toBeGreaterThanOrEqual(3);
    const titles = await page.locator('.panel h2').allTextContents();
    expect(titles).toEqual(expect.arrayContaining(['Experiment stdp-vs-backprop', 'Learned images', 'Curves']));
    expect(await page.locator('figure.curve h3').allTextContents()).toEqual(['test accuracy', 'MLP as spikes: accuracy against time']);
    expect(await page.locator('.state-image canvas').count()).toBeGreaterThanOrEqual(1);
    await page.waitForFunction(() => window.__hebb.state === 'done');
    await page.screenshot({ path: join(ARTIFACTS, 'page-stdp-vs-backprop.png'), fullPage: true });
    // Bad options come back with the option named.
    await page.fill('#model', JSON.stringify({ neurons: 0 }));
    await page.click('#start');
    await page.waitForFunction(() => document.querySelector('#status')?.textContent?.includes('options.neurons: must be >= 1 (got 0)'));
    await page.click('#edit');
    // The browser logs the 400 answer itself; that one was expected.
    expect(problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
    problems.length = 0;
  });

  it('shows the errors of a bad model with their JSON paths', async () => {
    await page.selectOption('#preset', 'cuba');
    await page.click('#edit');
    await page.fill('#model', JSON.stringify({ populations: [{ name: 'a', size: 10, model: 'lif', params: { tau_m: -3 } }] }));
    await page.click('#start');
    await page.waitForSelector('#issues li');
    expect(await page.locator('#issues li').first().textContent()).toBe('/populations/0/params/tau_m: membrane time constant must be > 0 ms (got -3)');
    // The browser logs the 400 answer itself; that one was expected.
    const expected = problems.filter((p) => /status of 400/.test(p));
    expect(expected.length).toBe(problems.length);
    problems.length = 0;
  });

  it('keeps the current run going when a new model is refused, and says so', async () => {
    const previous = await page.evaluate(() => window.__hebb.runId);
    await page.selectOption('#preset', 'cuba');
    await page.click('#start');
    await page.waitForFunction((id) => window.__hebb.runId !== id && window.__hebb.state === 'running' && (window.__hebb.frames.spikes ?? 0) > 0, previous);
    const running = await page.evaluate(() => window.__hebb.runId);
    await page.fill('#model', JSON.stringify({ populations: [{ name: 'a', size: 10, model: 'lif', params: { tau_m: -3 } }] }));
    await page.click('#start');
    await page.waitForSelector('#issues li');
    // The refused model changed nothing: the same run, still running and streaming.
    const spikes = await page.evaluate(() => window.__hebb.frames.spikes ?? 0);
    await page.waitForFunction((n) => (window.__hebb.frames.spikes ?? 0) > n, spikes);
    expect(await page.evaluate(() => [window.__hebb.runId, window.__hebb.state])).toEqual([running, 'running']);
    const info = await page.evaluate(async (id) => (await fetch(`/api/runs/${id}`)).json(), running);
    expect(info.state).toBe('running');
    problems.length = 0;
  });

  it('runs a model written as equations, and shows an equation\'s error at its place in the text', async () => {
    const lif = {
      name: 'n', size: 20,
      equations: ['dv/dt = (v_rest - v + R*I)/tau_m : mV (unless refractory)', 'I : pA'],
      threshold: 'v > v_th', reset: 'v = v_reset', refractory: '2 ms',
      params: { v_rest: '-70 mV', tau_m: '10 ms', R: '0.04 GOhm', v_th: '-55 mV', v_reset: '-70 mV' },
      init: { v: -70, I: { uniform: [400, 800] } },
    };
    const previous = await page.evaluate(() => window.__hebb.runId);
    await page.fill('#model', JSON.stringify({ dt: 0.1, duration: 1000, populations: [lif], projections: [] }, null, 2));
    await page.click('#start');
    await page.waitForFunction((id) => window.__hebb.runId !== id && window.__hebb.state === 'running' && (window.__hebb.frames.spikes ?? 0) > 0, previous);
    const bad = { ...lif, equations: ['dv/dt = (v_rest - v + I)/tau_m : mV', 'I : pA'] };
    await page.fill('#model', JSON.stringify({ dt: 0.1, duration: 1000, populations: [bad], projections: [] }, null, 2));
    await page.click('#start');
    await page.waitForSelector('#issues li.located');
    expect(await page.locator('#issues li').first().textContent()).toBe('/populations/0/equations/0: the two sides of "+" differ in units: voltage (mV) + current (pA) (column 21)');
    // The text selected is the term the message names, in the equation's line.
    const selected = await page.evaluate(() => {
      const t = document.querySelector<HTMLTextAreaElement>('#model')!;
      const line = t.value.slice(0, t.selectionStart).split('\n').pop()!;
      return { text: t.value.slice(t.selectionStart, t.selectionEnd), line };
    });
    expect(selected.text).toBe('+');
    expect(selected.line).toMatch(/"dv\/dt = \(v_rest - v $/);
    problems.length = 0;
  });

  it('shows the run of the last Start clicked, and removes a run an earlier Start made meanwhile', async () => {
    const previous = await page.evaluate(() => window.__hebb.runId);
    // Two Starts without waiting: the first answer may arrive before or after the second.
    await page.selectOption('#preset', 'cuba');
    await page.click('#start');
    await page.selectOption('#preset', 'coba');
    await page.click('#start');
    await page.waitForFunction((id) => window.__hebb.runId !== id && window.__hebb.state === 'running', previous, { timeout: 60_000 });
    const shown = await page.evaluate(() => window.__hebb.runId);
    const runs = await page.evaluate(async () => (await fetch('/api/runs')).json() as Promise<{ id: string; name: string; state: string }[]>);
    expect(runs.find((r) => r.id === shown)?.name).toBe('coba');
    // A cuba run the page never showed is gone, or was shown and then left for the new one.
    await page.waitForFunction(async (id) => {
      const all = await (await fetch('/api/runs')).json() as { id: string; name: string; state: string }[];
      return all.every((r) => r.id === id || r.state !== 'running' || r.name !== 'cuba');
    }, shown);
    expect(await page.evaluate(() => document.querySelector('#status')!.textContent)).toMatch(/coba/);
    await page.click('#stop');
    await page.waitForFunction(() => window.__hebb.state === 'stopped');
    problems.length = 0;
  });

  it('clears the view at once for the next model, says it is building it, and never draws the old run into it', async () => {
    const previous = await page.evaluate(() => window.__hebb.runId);
    await page.selectOption('#preset', 'cuba');
    await page.click('#start');
    await page.waitForFunction((id) => window.__hebb.runId !== id && window.__hebb.state === 'running' && window.__hebb.rasterPoints > 0, previous);
    const before = await page.evaluate(() => window.__hebb.runId);
    await page.selectOption('#preset', 'brunel');
    await page.click('#start');
    // Before the new run's first frame: an empty view and a status that names what is being built.
    await page.waitForFunction((id) => window.__hebb.runId !== id, before);
    const atOnce = await page.evaluate(() => ({ panels: document.querySelectorAll('#panels .panel').length, status: document.querySelector('#status')!.textContent, state: window.__hebb.state }));
    expect(atOnce.panels).toBe(0);
    expect(atOnce.state).toBe('starting');
    expect(atOnce.status).toMatch(/^starting brunel: building the network \(12,500 neurons, about 15\.6 M synapses\)/);
    expect(atOnce.status).not.toMatch(/waiting/);
    await page.waitForFunction(() => window.__hebb.state === 'running', undefined, { timeout: 60_000 });
    // The raster's legend is brunel's: nothing of cuba was drawn into it.
    await page.waitForFunction(() => document.querySelector('.legend')?.textContent?.includes('exc'));
    await page.click('#stop');
    await page.waitForFunction(() => window.__hebb.state === 'stopped');
    expect(problems).toEqual([]);
  });

  it('changes the speed of the run going on, and offers a finished run\'s files', async () => {
    await page.selectOption('#preset', 'cuba');
    await page.selectOption('#speed', '1');
    const previous = await page.evaluate(() => window.__hebb.runId);
    await page.click('#start');
    await page.waitForFunction((id) => window.__hebb.runId !== id && window.__hebb.state === 'running', previous);
    const id = await page.evaluate(() => window.__hebb.runId);
    await page.selectOption('#speed', '10');
    await page.waitForFunction(async (runId) => {
      const info = await (await fetch(`/api/runs/${runId}`)).json();
      return info.pace?.mode === 'realtime' && info.pace.speed === 10;
    }, id);
    // The run reports its pace: 10x shows in the status once progress frames measure it.
    await page.waitForFunction(() => /· (\d+(\.\d+)?)x real time/.test(document.querySelector('#status')!.textContent!) && Number(/· (\d+(\.\d+)?)x real time/.exec(document.querySelector('#status')!.textContent!)![1]) > 3, undefined, { timeout: 30_000 });
    await page.click('#stop');
    await page.waitForFunction(() => window.__hebb.state === 'stopped');
    await page.waitForSelector('#downloads a');
    const links = await page.locator('#downloads a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')));
    expect(links).toEqual([`/api/runs/${id}/files/spikes.csv`, `/api/runs/${id}/files/spikes.msgpack`, `/api/runs/${id}/files/summary.json`]);
    const status = await page.evaluate(async (href) => (await fetch(href)).status, links[0]!);
    expect(status).toBe(200);
    expect(problems).toEqual([]);
  });

  it('shows a stopped experiment as stopped, with what it had measured', async () => {
    await page.selectOption('#preset', 'run:stdp-vs-backprop');
    await page.fill('#model', JSON.stringify({ neurons: 20, train: 2000, test: 100, epochs: 5, mlp_epochs: 1 }));
    const previous = await page.evaluate(() => window.__hebb.runId);
    await page.click('#start');
    await page.waitForFunction((id) => window.__hebb.runId !== id && window.__hebb.state === 'running' && (window.__hebb.frames.log ?? 0) > 0, previous, { timeout: 30_000 });
    await page.click('#stop');
    await page.waitForFunction(() => (window.__hebb.frames.results ?? 0) > 0 && window.__hebb.state === 'stopped', undefined, { timeout: 60_000 });
    const titles = await page.locator('.panel h2').allTextContents();
    expect(titles.some((t) => /stopped before its end/.test(t))).toBe(true);
    expect(await page.locator('#status').textContent()).toMatch(/stopped · experiment stdp-vs-backprop/);
    expect(problems).toEqual([]);
  });

  it('says what a result view shows', async () => {
    await page.selectOption('#preset', 'result:ising-small');
    await page.click('#start');
    await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('results of ising-small'));
    expect(await page.locator('#status').textContent()).not.toMatch(/spikes in view|t = /);
    expect(problems).toEqual([]);
  });

  it('draws a stream of 100000 spikes per second in its sliding window (the frame rate is the bench\'s to measure)', async () => {
    const model = { name: 'flood', populations: [{ name: 'p', size: 10000, model: 'poisson', params: { rate: 10 } }] };
    await page.selectOption('#preset', 'cuba');
    await page.waitForFunction(() => (document.querySelector('#model') as HTMLTextAreaElement).value.includes('"cuba"'));
    await page.fill('#model', JSON.stringify(model));
    await page.selectOption('#speed', '1');
    await page.click('#start');
    // More than 80000 points in view: most of the window's 100000 spikes drawn.
    await waitForRaster(80_000, 30_000);
    const stats = await page.evaluate(() => window.__hebb);
    await page.screenshot({ path: join(ARTIFACTS, 'page-100k.png') });
    console.log(`100k spikes/s: ${stats.fps.toFixed(1)} fps, ${stats.rasterPoints} points in view, ${stats.dropped} frames dropped`);
    expect(problems).toEqual([]);
  });
});
