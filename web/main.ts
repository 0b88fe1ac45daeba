// The page: pick a model, start, pause and stop runs, and watch them. On
// load it starts the default demo (CUBA, in real time, until stopped).

import type { Frame, HelloFrame } from '../src/protocol/messages.js';
import type { PresetInfo, ExperimentInfo, ResultInfo, RunInfo } from '../src/protocol/rest.js';
import { PanelSet, type PanelType } from './panels.js';
import { RasterPanel } from './raster.js';
import { RatesPanel } from './rates.js';
import { TracesPanel } from './traces.js';
import { SummaryPanel } from './summary.js';
import { WeightsPanel } from './weights.js';
import { EnergyPanel, StateImagePanel } from './energy.js';
import { ModulesPanel } from './modules.js';
import { renderResults } from './results.js';
import { issueSpan, type Span } from './locate.js';
import { LogPanel, ImagesPanel, CurvesPanel } from './experiment.js';
import type uPlot from 'uplot';
import { watchRun } from './stream.js';
import { stats } from './stats.js';

const recordsSpikes = (h: HelloFrame) => h.run.populations.some((p) => p.recorded !== false);

const isExperiment = (h: HelloFrame) => h.run.kind === 'experiment';

const PANEL_TYPES: PanelType[] = [
  { frames: ['progress', 'log', 'results'], applies: isExperiment, create: (h) => new LogPanel(h) },
  { frames: ['curve'], create: (h) => new CurvesPanel(h) },
  { frames: ['images'], create: (h) => new ImagesPanel(h) },
  { frames: ['spikes', 'progress'], applies: recordsSpikes, create: (h) => new RasterPanel(h) },
  { frames: ['modules'], create: (h) => new ModulesPanel(h) },
  { frames: ['spikes', 'progress'], applies: recordsSpikes, create: (h) => new RatesPanel(h) },
  { frames: ['state'], create: (h) => new TracesPanel(h) },
  { frames: ['weights'], create: (h) => new WeightsPanel(h) },
  { frames: ['energy'], applies: (h) => (h.run.images ?? []).length > 0, create: (h) => new StateImagePanel(h) },
  { frames: ['energy'], create: (h) => new EnergyPanel(h) },
  { frames: ['progress', 'done'], applies: (h) => !isExperiment(h), create: (h) => new SummaryPanel(h) },
];

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const presetSelect = $<HTMLSelectElement>('preset');
const durationSelect = $<HTMLSelectElement>('duration');
const speedSelect = $<HTMLSelectElement>('speed');
const seedInput = $<HTMLInputElement>('seed');
const startButton = $<HTMLButtonElement>('start');
const pauseButton = $<HTMLButtonElement>('pause');
const stopButton = $<HTMLButtonElement>('stop');
const editButton = $<HTMLButtonElement>('edit');
const editor = $<HTMLElement>('editor');
const modelText = $<HTMLTextAreaElement>('model');
const editorHelp = $<HTMLElement>('editor-help');
const issuesList = $<HTMLUListElement>('issues');
const statusLine = $<HTMLElement>('status');

const panels = new PanelSet($('panels'), PANEL_TYPES);
const downloads = $<HTMLElement>('downloads');
let socket: WebSocket | undefined;
let runId = '';
let runState = '';
let modelEdited = false;
/**
 * What the view shows. Each start makes a new view; frames of an older
 * run's socket are dropped (they may still arrive after it is closed), so
 * they never draw into the new view.
 */
let view: { generation: number; kind: 'network' | 'experiment' | 'result' | 'none'; name: string; since: number; info?: RunInfo; fraction: number; speed: number; pace: number | 'max'; written?: string; raster?: boolean } =
  { generation: 0, kind: 'none', name: '', since: 0, fraction: 0, speed: 0, pace: 1 };

function status(text: string, error = false): void {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', error);
}

async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });
  const json = res.status === 204 ? undefined : await res.json();
  if (!res.ok) throw Object.assign(new Error(json?.message ?? res.statusText), { issues: json?.issues ?? [] });
  return json as T;
}

// Options are presets ("cuba") or watchable experiments ("experiment:song2000").
async function loadPresets(): Promise<void> {
  const presets = await api<PresetInfo[]>('GET', '/api/presets');
  allExperiments = await api<ExperimentInfo[]>('GET', '/api/experiments');
  const experiments = allExperiments.filter((e) => e.watchable);
  const group = (label: string, items: { value: string; text: string; title: string }[]) => {
    const g = document.createElement('optgroup');
    g.label = label;
    g.append(...items.map((i) => {
      const o = document.createElement('option');
      o.value = i.value;
      o.textContent = i.text;
      o.title = i.title;
      return o;
    }));
    return g;
  };
  const results = await api<ResultInfo[]>('GET', '/api/results');
  presetSelect.replaceChildren(
    group('presets', presets.map((p) => ({ value: p.name, text: p.name, title: p.description }))),
    group('watch an experiment\'s network', experiments.map((e) => ({ value: `experiment:${e.name}`, text: e.name, title: e.description }))),
    group('run an experiment (results when it ends)', allExperiments.map((e) => ({ value: `run:${e.name}`, text: e.name, title: e.description }))),
  );
  listResults(results);
  presetSelect.value = presets.some((p) => p.name === 'cuba') ? 'cuba' : presets[0]?.name ?? '';
  await loadModelText();
}

let allExperiments: ExperimentInfo[] = [];
let resultsListed = '';

/** The results group of the menu, as the results folder holds them now (the choice made is kept). */
function listResults(results: ResultInfo[]): void {
  resultsListed = JSON.stringify(results);
  const chosen = presetSelect.value;
  presetSelect.querySelector('optgroup.results')?.remove();
  if (results.length) {
    const g = document.createElement('optgroup');
    g.label = 'results of hebb experiment (out/)';
    g.className = 'results';
    g.append(...results.map((r) => {
      const o = document.createElement('option');
      o.value = `result:${r.name}`;
      o.textContent = `${r.name} (${r.experiment})`;
      o.title = `written ${r.modified}`;
      return o;
    }));
    presetSelect.append(g);
  }
  if ([...presetSelect.options].some((o) => o.value === chosen)) presetSelect.value = chosen;
}

/**
 * New and rewritten results show without a reload: the list is read again every
 * few seconds while the page is visible; a result in view that was written
 * again is drawn again.
 */
async function refreshResults(): Promise<void> {
  if (document.hidden) return;
  const results = await api<ResultInfo[]>('GET', '/api/results');
  if (JSON.stringify(results) === resultsListed) return;
  listResults(results);
  stats.frames.resultsListed = (stats.frames.resultsListed ?? 0) + 1;
  if (view.kind !== 'result') return;
  const shown = results.find((r) => r.name === view.name);
  if (shown && `written ${shown.modified}` !== view.written) {
    view.written = `written ${shown.modified}`;
    await showResult(shown.name);
  }
}

async function loadModelText(): Promise<void> {
  // Choosing another entry discards edits at once: a Start clicked before the preset has
  // arrived sends the entry chosen, never the text of the one before.
  modelEdited = false;
  modelText.title = '';
  const options = presetSelect.value.startsWith('run:');
  editButton.textContent = options ? 'Edit options' : 'Edit model';
  editorHelp.innerHTML = options
    ? 'The experiment\'s options sent with Start (JSON; as <code>hebb experiment NAME --help</code> lists them; hover for their meaning).'
    : 'The model sent with Start (JSON; see <code>hebb validate --json</code>). Errors name the JSON path.';
  if (presetSelect.value.startsWith('run:')) {
    // The experiment's options, editable (as hebb experiment NAME --help lists them).
    const exp = allExperiments.find((e) => `run:${e.name}` === presetSelect.value);
    modelText.value = JSON.stringify(Object.fromEntries(Object.entries(exp?.options ?? {}).map(([k, o]) => [k, o.default])), null, 2);
    modelText.title = Object.entries(exp?.options ?? {}).map(([k, o]) => `${k}: ${o.description}`).join('\n');
  } else if (presetSelect.value.startsWith('result:')) {
    modelText.value = '(the results of an experiment: choose a preset to edit a model)';
  } else if (presetSelect.value.startsWith('experiment:')) {
    modelText.value = '(an experiment\'s network: choose a preset to edit a model)';
  } else {
    const chosen = presetSelect.value;
    modelText.value = `(loading ${chosen})`;
    const model = await api<object>('GET', `/api/presets/${chosen}`);
    if (presetSelect.value !== chosen || modelEdited) return;
    modelText.value = JSON.stringify(model, null, 2);
  }
  modelEdited = false;
}

function setRunState(state: string): void {
  runState = state;
  stats.state = state;
  const active = state === 'running' || state === 'paused' || state === 'waiting';
  pauseButton.disabled = !active;
  stopButton.disabled = !active;
  pauseButton.textContent = state === 'paused' ? 'Resume' : 'Pause';
  // The status follows the state at once, not at the next animation frame: what is read
  // right after a change (by a user or a test) is never the previous run's line.
  if (!statusLine.classList.contains('error')) status(statusText());
}

function onFrame(frame: Frame): void {
  switch (frame.type) {
    case 'hello':
      panels.reset(frame);
      setRunState(frame.run.state);
      view.raster = recordsSpikes(frame);
      return;
    case 'progress':
      setRunState(frame.state);
      stats.tMs = frame.t_ms;
      view.fraction = frame.fraction ?? view.fraction;
      view.speed = frame.speed;
      break;
    case 'done':
      setRunState(frame.state);
      showDownloads();
      break;
    case 'error':
      setRunState('error');
      status(`run failed: ${frame.message}`, true);
      showDownloads();
      break;
  }
  panels.frame(frame);
}

/** A finished run's files, to download. */
function showDownloads(): void {
  if (!view.info) return;
  const base = `/api/runs/${view.info.id}/files`;
  const files = view.kind === 'experiment' ? ['report.html', 'summary.json'] : ['spikes.csv', 'spikes.msgpack', 'summary.json'];
  downloads.replaceChildren('files: ', ...files.flatMap((f, k) => {
    const a = document.createElement('a');
    a.href = `${base}/${f}`;
    a.textContent = f;
    a.setAttribute('download', '');
    if (f === 'report.html') { a.removeAttribute('download'); a.target = '_blank'; }
    return k ? [' · ', a] : [a];
  }));
  downloads.hidden = false;
}

let resultPlots: uPlot[] = [];

async function showResult(name: string): Promise<void> {
  const generation = view.generation;
  const summary = await api<Parameters<typeof renderResults>[1]>('GET', `/api/results/${encodeURIComponent(name)}`);
  if (generation !== view.generation) return;
  for (const p of resultPlots) p.destroy();
  panels.clear();
  setRunState('');
  resultPlots = renderResults($('panels'), summary, name);
  stats.frames.results = (stats.frames.results ?? 0) + 1;
}

/** Clears the view for what comes next; frames of the run shown so far stop drawing. */
function newView(kind: typeof view.kind, name: string, info?: RunInfo): void {
  socket?.close();
  socket = undefined;
  for (const p of resultPlots) p.destroy();
  resultPlots = [];
  panels.clear();
  downloads.hidden = true;
  stats.tMs = 0;
  stats.rasterPoints = 0;
  view = { generation: view.generation + 1, kind, name, since: performance.now(), ...(info ? { info } : {}), fraction: 0, speed: 0, pace: view.pace };
  setRunState(kind === 'result' || kind === 'none' ? '' : 'starting');
}

/** Counts Starts: only the last one clicked is shown (an earlier answer arriving late is dropped). */
let starts = 0;

async function start(): Promise<void> {
  const mine = ++starts;
  issuesList.replaceChildren();
  statusLine.classList.remove('error');
  if (presetSelect.value.startsWith('result:')) {
    const name = presetSelect.value.slice('result:'.length);
    newView('result', name);
    view.written = presetSelect.selectedOptions[0]?.title;
    await showResult(name).catch((e) => status(String((e as Error).message), true));
    return;
  }
  const speed = speedSelect.value;
  const body: Record<string, unknown> = {
    ...(durationSelect.value === 'model' ? {} : { duration_ms: durationSelect.value === 'forever' ? null : Number(durationSelect.value) }),
    pace: speed === 'max' ? { mode: 'max' } : { mode: 'realtime', speed: Number(speed) },
    seed: Number(seedInput.value || 1),
    stop_when_unwatched: true,
  };
  if (presetSelect.value.startsWith('run:')) {
    for (const k of ['duration_ms', 'pace', 'seed']) delete body[k];
    body.run_experiment = presetSelect.value.slice('run:'.length);
    try {
      body.options = JSON.parse(modelText.value);
    } catch (e) {
      showIssues([{ path: '', message: `the options are not valid JSON: ${(e as Error).message}` }]);
      return;
    }
  } else if (modelEdited) {
    try {
      body.model = JSON.parse(modelText.value);
    } catch (e) {
      showIssues([{ path: '', message: `the model is not valid JSON: ${(e as Error).message}` }]);
      return;
    }
  } else if (presetSelect.value.startsWith('experiment:')) {
    body.experiment = presetSelect.value.slice('experiment:'.length);
  } else {
    body.preset = presetSelect.value;
  }
  // The new run is created first: a model the server refuses leaves the current run as it is.
  let run: RunInfo;
  try {
    run = await api<RunInfo>('POST', '/api/runs', body);
  } catch (e) {
    if (mine === starts) showIssues((e as { issues?: { path: string; message: string }[] }).issues ?? [], (e as Error).message);
    return;
  }
  if (mine !== starts) {
    // A later Start superseded this one while the server built it: nobody will watch it.
    void api('DELETE', `/api/runs/${run.id}`).catch(() => undefined);
    return;
  }
  newView(run.kind === 'experiment' ? 'experiment' : 'network', run.name, run);
  view.pace = speed === 'max' ? 'max' : Number(speed);
  runId = run.id;
  stats.runId = run.id;
  const generation = view.generation;
  const ws = watchRun(run.id, (f) => { if (generation === view.generation) onFrame(f); }, (reason) => {
    if (ws === socket && (runState === 'running' || runState === 'waiting' || runState === 'starting')) status(`stream closed: ${reason}`, true);
  });
  socket = ws;
}

/** The pace asked for, sent to the run that is going on (real time, 10x, flat out). */
function changeSpeed(): void {
  const speed = speedSelect.value;
  view.pace = speed === 'max' ? 'max' : Number(speed);
  if (!runId || view.kind !== 'network' || !(runState === 'running' || runState === 'paused' || runState === 'waiting' || runState === 'starting')) return;
  void api('POST', `/api/runs/${runId}/pace`, speed === 'max' ? { mode: 'max' } : { mode: 'realtime', speed: Number(speed) }).catch((e) => status(String(e.message), true));
}

function showIssues(issues: { path: string; message: string }[], message?: string): void {
  status(message ?? 'the model has errors', true);
  editor.hidden = false;
  editButton.setAttribute('aria-expanded', 'true');
  // Each issue points at its place in the text (an equation's at its column): the first is selected.
  const spans = issues.map((i) => (i.path ? issueSpan(modelText.value, i.path, i.message) : undefined));
  issuesList.replaceChildren(...issues.map((i, k) => {
    const li = document.createElement('li');
    li.textContent = `${i.path || '(model)'}: ${i.message}`;
    const span = spans[k];
    if (span) {
      li.classList.add('located');
      li.title = 'show it in the text';
      li.addEventListener('click', () => selectSpan(span));
    }
    return li;
  }));
  const first = spans.find((x) => x !== undefined);
  if (first) selectSpan(first);
}

function selectSpan(span: Span): void {
  modelText.focus();
  modelText.setSelectionRange(span.start, span.end);
  // Bring the line into view (the selection alone does not scroll a textarea everywhere).
  const line = modelText.value.slice(0, span.start).split('\n').length - 1;
  const lineHeight = parseFloat(getComputedStyle(modelText).lineHeight) || 16;
  modelText.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

$<HTMLFormElement>('controls').addEventListener('submit', (e) => { e.preventDefault(); void start(); });
pauseButton.addEventListener('click', () => { if (runId) void api('POST', `/api/runs/${runId}/${runState === 'paused' ? 'resume' : 'pause'}`).catch((e) => status(String(e.message), true)); });
stopButton.addEventListener('click', () => { if (runId) void api('POST', `/api/runs/${runId}/stop`).catch((e) => status(String(e.message), true)); });
editButton.addEventListener('click', () => {
  editor.hidden = !editor.hidden;
  editButton.setAttribute('aria-expanded', String(!editor.hidden));
});
presetSelect.addEventListener('change', () => void loadModelText());
speedSelect.addEventListener('change', changeSpeed);
modelText.addEventListener('input', () => { modelEdited = true; });

const count = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n.toLocaleString('en'));

/** The status line: what the view shows, said as it is. */
function statusText(): string {
  const elapsed = ((performance.now() - view.since) / 1000).toFixed(0);
  const name = view.name;
  if (view.kind === 'none') return 'idle';
  if (view.kind === 'result') return `results of ${name}${view.written ? ` (${view.written})` : ''}`;
  if (runState === 'starting') {
    const size = view.info?.neurons !== undefined ? ` (${count(view.info.neurons)} neurons, about ${count(view.info.synapses ?? 0)} synapses)` : '';
    return view.kind === 'experiment' ? `starting experiment ${name} · ${elapsed} s` : `starting ${name}: building the network${size} · ${elapsed} s`;
  }
  if (view.kind === 'experiment') {
    return `${runState} · experiment ${name} · ${(100 * view.fraction).toFixed(0)} % · ${elapsed} s${runState === 'stopped' ? ' (stopped before its end: the results are partial)' : ''}`;
  }
  let pace = '';
  if (runState === 'running' && view.speed > 0) {
    const asked = view.pace;
    pace = ` · ${view.speed < 0.995 ? view.speed.toFixed(view.speed < 0.1 ? 3 : 2) : view.speed.toFixed(1)}x real time`;
    // A model slower than the pace asked for says so, rather than pretending to keep it.
    if (asked !== 'max' && view.speed < 0.8 * asked) pace += ` (asked ${asked}x: this model runs slower here)`;
  }
  return `${runState} · ${name} · t = ${(stats.tMs / 1000).toFixed(2)} s${pace}${view.raster ? ` · ${stats.rasterPoints} spikes in view` : ''}${stats.dropped ? ` · ${stats.dropped} frames dropped` : ''}`;
}

function frameLoop(): void {
  panels.draw();
  if (!statusLine.classList.contains('error')) status(statusText());
  requestAnimationFrame(frameLoop);
}

await loadPresets();
requestAnimationFrame(frameLoop);
setInterval(() => void refreshResults().catch(() => { /* the next poll tries again; the server may be restarting */ }), 2000);
await start();
