// npm run bench (and hebb bench): the kernel side by side with the native C
// references, in one run. Each case runs in its own process, hebb and
// native alternating, several times; the table shows the medians and the
// ratio of simulation times. Machines are shared and noisy: read ratios,
// not absolute times.

import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../src/core/paths.js';
import { buildNative } from './native.js';
import { table } from '../src/core/table.js';
import { benchStream, type StreamResult } from './stream.js';
import { benchIsing, benchHopfield } from './energy.js';
import { benchKernels, benchEpochs, benchRecurrent, benchGanStep } from './dense.js';
import { runLibrary, pairWith } from './library.js';
import { benchDigits } from './digits.js';

export interface CaseResult {
  impl: string; model: string; N: number; wall_s: number; build_s?: number; compile_ms?: number; setup_s?: number;
  spikes: number; rate_hz: number; synapses: number; syn_events: number; events_per_s: number;
  bytes_per_synapse?: number; row_pointer_bytes_per_synapse?: number; peak_rss_mb?: number;
}

function runChild(cmd: string, args: string[]): CaseResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as CaseResult;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function runBenchmarks(options: { quick: boolean; json: boolean; repeats?: number }): Promise<number> {
  const sizes = options.quick ? [4000] : [4000, 16000, 64000];
  const models = options.quick ? ['cuba'] : ['cuba', 'coba'];
  const repeats = options.repeats ?? (options.quick ? 3 : 5);
  const native = buildNative();
  const caseJs = packagePath('dist', 'bench', 'case.js');
  const rows: Record<string, unknown>[] = [];
  for (const model of models) {
    for (const n of model === 'coba' ? [4000] : sizes) {
      const hebbRuns: CaseResult[] = [], nativeRuns: CaseResult[] = [];
      for (let r = 0; r < repeats; r++) {
        hebbRuns.push(runChild(process.execPath, [caseJs, model, String(n), '1', '1000']));
        if ('binaries' in native) nativeRuns.push(runChild(native.binaries[model]!, ['--n', String(n), '--duration', '1', '--seed', '1']));
      }
      const h = hebbRuns[0]!;
      const hWall = median(hebbRuns.map((x) => x.wall_s));
      const nWall = nativeRuns.length ? median(nativeRuns.map((x) => x.wall_s)) : NaN;
      rows.push({
        model, N: n, synapses: h.synapses,
        hebb_build_s: median(hebbRuns.map((x) => x.build_s!)), hebb_sim_s: hWall,
        hebb_spikes: h.spikes, hebb_rate_hz: h.rate_hz, hebb_events_per_s: h.syn_events / hWall,
        bytes_per_synapse: h.bytes_per_synapse, row_pointer_bytes_per_synapse: h.row_pointer_bytes_per_synapse, peak_rss_mb: Math.max(...hebbRuns.map((x) => x.peak_rss_mb!)),
        native_sim_s: nWall, native_rate_hz: nativeRuns[0]?.rate_hz ?? NaN,
        ratio_wasm_over_native: hWall / nWall,
      });
    }
  }
  // Threads: CUBA and COBA on 1..cores threads (at least 2), alternating with
  // the native single-core reference; the spikes must not change. 5 s of
  // network time (every side the same), so that the first steps (the
  // helpers' code tiering up) weigh as little as in a real run; the ratio
  // to one thread is the median of each repeat's ratio (the machine's speed
  // drifts between repeats, less within one).
  const threadCounts = Array.from({ length: Math.max(2, availableParallelism()) }, (_, i) => i + 1);
  const scaling: Record<string, unknown>[] = [];
  for (const model of models) {
    for (const n of options.quick ? [16000] : [16000, 64000]) {
      const byThreads = new Map<number, CaseResult[]>(threadCounts.map((t) => [t, []]));
      const nativeRuns: CaseResult[] = [];
      for (let r = 0; r < repeats; r++) {
        for (const t of threadCounts) byThreads.get(t)!.push(runChild(process.execPath, [caseJs, model, String(n), '1', '5000', String(t)]));
        if ('binaries' in native) nativeRuns.push(runChild(native.binaries[model]!, ['--n', String(n), '--duration', '5', '--seed', '1']));
      }
      const nWall = nativeRuns.length ? median(nativeRuns.map((x) => x.wall_s)) : NaN;
      for (const t of threadCounts) {
        const runs = byThreads.get(t)!;
        const wall = median(runs.map((x) => x.wall_s));
        const spikes = new Set(runs.map((x) => x.spikes));
        if (spikes.size !== 1 || runs[0]!.spikes !== byThreads.get(1)![0]!.spikes) throw new Error(`${model} ${n}: the spike count changed with the threads`);
        // wasm/native only where both use one core: like for like.
        const perRepeat = median(runs.map((x, r) => x.wall_s / byThreads.get(1)![r]!.wall_s));
        scaling.push({ model, N: n, threads: t, sim_s: wall, over_one_thread: perRepeat, native_s: nWall, ratio_wasm_over_native: t === 1 ? wall / nWall : NaN, spikes: runs[0]!.spikes });
      }
    }
  }
  // Plasticity: the same run with and without STDP, alternating.
  const plasticity: Record<string, unknown>[] = [];
  for (const [plastic, staticName, n, duration, label] of [
    ['cuba-stdp', 'cuba', 4000, 1000, 'CUBA 4000, STDP on exc->exc, 1 s'],
    ['song2000', 'song2000-static', 1, 100000, 'song2000, 100 s'],
  ] as const) {
    const withRuns: CaseResult[] = [], withoutRuns: CaseResult[] = [];
    for (let r = 0; r < repeats; r++) {
      withRuns.push(runChild(process.execPath, [caseJs, plastic, String(n), '1', String(duration)]));
      withoutRuns.push(runChild(process.execPath, [caseJs, staticName, String(n), '1', String(duration)]));
    }
    const w = median(withRuns.map((x) => x.wall_s)), wo = median(withoutRuns.map((x) => x.wall_s));
    plasticity.push({ case: label, plastic_s: w, static_s: wo, slowdown: w / wo, spikes: withRuns[0]!.spikes, static_spikes: withoutRuns[0]!.spikes });
  }
  // Equations: the built-in model or rule against the same written as equations, alternating.
  const equations: Record<string, unknown>[] = [];
  for (const [written, builtIn, n, label] of [
    ['cuba-eq', 'cuba', 4000, 'CUBA 4000, neurons as equations'],
    ...(options.quick ? [] : [['cuba-eq', 'cuba', 16000, 'CUBA 16000, neurons as equations']] as const),
    ['coba-eq', 'coba', 4000, 'COBA 4000, neurons as equations'],
    ['cuba-stdp-eq', 'cuba-stdp', 4000, 'CUBA 4000, STDP on exc->exc as synapse equations'],
  ] as const) {
    const a: CaseResult[] = [], b: CaseResult[] = [];
    for (let r = 0; r < repeats; r++) {
      a.push(runChild(process.execPath, [caseJs, written, String(n), '1', '1000']));
      b.push(runChild(process.execPath, [caseJs, builtIn, String(n), '1', '1000']));
    }
    const wa = median(a.map((x) => x.wall_s)), wb = median(b.map((x) => x.wall_s));
    equations.push({ case: label, equations_s: wa, built_in_s: wb, ratio: wa / wb, compile_ms: median(a.map((x) => x.compile_ms ?? 0)), spikes: a[0]!.spikes, built_in_spikes: b[0]!.spikes });
  }
  const stream: StreamResult[] = await benchStream();
  const ising = benchIsing({ L: 256, repeats });
  const hopfield = benchHopfield({ N: options.quick ? 4000 : 10000, repeats });
  const kernels = benchKernels();
  const epochs = benchEpochs(options.quick);
  const recurrent = benchRecurrent(options.quick);
  const gan = benchGanStep(options.quick);
  const library = runLibrary(options.quick);
  const libraryRows = 'skipped' in library ? [] : pairWith(library, epochs, [gan, ...recurrent]);
  const digits = benchDigits({ digits: options.quick ? 100 : 300 });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ native: 'skipped' in native ? native.skipped : 'gcc -O3 -march=native', repeats, rows, threads: scaling, plasticity, equations, stream, ising, hopfield, kernels, epochs, recurrent, gan, library: 'skipped' in library ? library : { torch: library.torch, threads: library.threads, rows: libraryRows }, digits }, null, 2)}\n`);
    return 0;
  }
  const f = (x: unknown, d = 3) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '-');
  process.stdout.write(`hebb bench: CUBA/COBA (Brette et al. 2007), fan-in 80, 1 s of biological time, median of ${repeats} runs\n`);
  process.stdout.write(`native reference: ${'skipped' in native ? `skipped (${native.skipped})` : 'anchors/*.c, gcc -O3 -march=native, same machine, same run'}\n\n`);
  process.stdout.write(`${table(
    ['model', 'N', 'synapses', 'build s', 'sim s', 'native s', 'wasm/native', 'spikes', 'rate Hz', 'native Hz', 'events/s', 'B/syn (+rows)', 'peak RSS MB'],
    rows.map((r) => [String(r.model), String(r.N), String(r.synapses), f(r.hebb_build_s), f(r.hebb_sim_s), f(r.native_sim_s), f(r.ratio_wasm_over_native, 2),
      String(r.hebb_spikes), f(r.hebb_rate_hz, 2), f(r.native_rate_hz, 2), `${(Number(r.hebb_events_per_s) / 1e6).toFixed(1)}M`, `${f(r.bytes_per_synapse, 2)} (+${f(r.row_pointer_bytes_per_synapse, 2)})`, f(r.peak_rss_mb, 0)]),
  )}\n`);
  process.stdout.write(`\nthreads: the same runs on 1..${threadCounts.length} threads (this machine has ${availableParallelism()} cores), 5 s of network time, beside the native reference on one core; x 1 thread: the median of the repeats' ratios; the spikes are the same on every count\n\n`);
  process.stdout.write(`${table(
    ['model', 'N', 'threads', 'sim s', 'x 1 thread', 'native s (1 core)', 'wasm/native (1 core each)', 'spikes'],
    scaling.map((x) => [String(x.model), String(x.N), String(x.threads), f(x.sim_s), f(x.over_one_thread, 2), f(x.native_s), f(x.ratio_wasm_over_native, 2), String(x.spikes)]),
  )}\n`);
  process.stdout.write(`\nplasticity: the same run with and without STDP\n\n`);
  process.stdout.write(`${table(
    ['case', 'with STDP s', 'static s', 'slowdown', 'spikes (STDP)', 'spikes (static)'],
    plasticity.map((x) => [String(x.case), f(x.plastic_s), f(x.static_s), f(x.slowdown, 2), String(x.spikes), String(x.static_spikes)]),
  )}\n`);
  process.stdout.write('\nequations: models and rules written as equations (code generated at load) against the built-in ones, 1 s; compile = generating and instantiating the code, part of the build\n\n');
  process.stdout.write(`${table(
    ['case', 'equations s', 'built-in s', 'ratio', 'compile ms', 'spikes (equations)', 'spikes (built-in)'],
    equations.map((x) => [String(x.case), f(x.equations_s), f(x.built_in_s), f(x.ratio, 2), f(x.compile_ms, 2), String(x.spikes), String(x.built_in_spikes)]),
  )}\n`);
  process.stdout.write(`\nlive stream: one WebSocket client decoding every frame, run flat out (5 s of 20000 neurons at ~100 Hz)\n\n`);
  process.stdout.write(`${table(
    ['source', 'spikes', 'MB on the wire', 'wall s', 'spikes/s', 'bytes/spike', 'frames dropped'],
    stream.map((x) => [x.source, String(x.spikes), (x.bytes / 1e6).toFixed(1), x.wall_s.toFixed(2), `${(x.spikes_per_s / 1e6).toFixed(2)}M`, x.bytes_per_spike.toFixed(3), String(x.dropped_frames)]),
  )}\n`);
  const M = (x: number) => `${(x / 1e6).toFixed(1)}M`;
  process.stdout.write(`\nIsing ${ising.L} x ${ising.L}, heat bath at T = ${ising.T}, ${ising.sweeps} sweeps: single-spin updates per second\n`);
  process.stdout.write('references in the same process: a plain WASM sweep (table + xorshift32, assembly/reference.ts) and the same loop in plain JS\n\n');
  process.stdout.write(`${table(
    ['hebb (Philox)', 'plain WASM', 'plain JS', 'hebb / WASM', 'hebb / JS', '|m| hebb', '|m| WASM'],
    [[M(ising.hebb_updates_per_s), M(ising.wasm_reference_updates_per_s), M(ising.js_reference_updates_per_s), f(ising.ratio_over_wasm, 2), f(ising.ratio_over_js, 2), f(ising.hebb_abs_m), f(ising.reference_abs_m)]],
  )}\n`);
  process.stdout.write(`\nHopfield N = ${hopfield.N}, ${hopfield.patterns} Hebbian patterns, cue with 20 % flipped, ${hopfield.sweeps} sweeps of random sequential updates\n`);
  process.stdout.write('reference in the same process: plain JS, dense f32 matrix, incremental fields\n\n');
  process.stdout.write(`${table(
    ['build s', 'updates/s', 'field updates/s', 'reference updates/s', 'hebb / reference', 'flips', 'final overlap'],
    [[f(hopfield.build_s, 2), M(hopfield.hebb_updates_per_s), M(hopfield.hebb_field_updates_per_s), M(hopfield.reference_updates_per_s), f(hopfield.ratio, 2), String(hopfield.flips), f(hopfield.final_overlap)]],
  )}\n`);
  process.stdout.write('\ndense kernels (f32x4 SIMD, assembly/dense.ts) against plain TypeScript loops on the same data (sigmoid, tanh: G elements/s)\n\n');
  process.stdout.write(`${table(
    ['op', 'shape', 'SIMD GFLOP/s', 'TS GFLOP/s', 'speed-up'],
    kernels.map((x) => [x.op, x.shape, f(x.simd_gflops, 2), f(x.ts_gflops, 2), f(x.speedup, 1)]),
  )}\n`);
  process.stdout.write('\ntraining time per epoch (the fastest epoch)\n\n');
  process.stdout.write(`${table(['model', 's per epoch', 'metric', 'value'], epochs.map((x) => [x.model, f(x.seconds_per_epoch, 3), x.metric, f(x.value, 3)]))}\n`);
  process.stdout.write('\nrecurrent nets: one training step (forward through T steps, backward through time, Adam), median; a GAN step (D, then G through D)\n\n');
  process.stdout.write(`${table(['model', 'T', 'ms per step'], [...recurrent, gan].map((x) => [x.model, x.T ? String(x.T) : '-', f(x.ms_per_step, 2)]))}\n`);
  if ('skipped' in library) process.stdout.write(`\nthe same in a well-known library: skipped (${library.skipped}; set HEBB_PYTHON to a Python with torch)\n`);
  else {
    process.stdout.write(`\nthe same in a well-known library, measured in this run on one core (${library.torch}${library.sklearn ? `; scikit-learn ${library.sklearn}` : ''}; bench/reference/torch_epochs.py): same architectures, batches and optimisers, 8000 digits\n\n`);
    process.stdout.write(`${table(['model', 'unit', 'hebb', 'library', 'hebb / library', 'library'], libraryRows.map((x) => [x.model, x.unit, f(x.hebb), f(x.library), f(x.hebb_over_library, 2), x.library_name]))}\n`);
  }
  process.stdout.write(`\nDiehl & Cook network, ${digits.neurons} neurons, ${digits.digits} MNIST digits (350 ms + 150 ms each at dt 0.5 ms, with normalisation, boosts and response collection)\n`);
  process.stdout.write('for scale (the issue\'s figures for the established Python-driven simulator, not measured here): 1300 ms per digit run digit by digit, 25 ms in its compiled mode without per-digit control\n\n');
  process.stdout.write(`${table(
    ['ms/digit, STDP on', 'ms/digit, frozen', 'STDP cost', 'pass over 8000 digits s', 'boosts'],
    [[f(digits.ms_per_digit_learning, 2), f(digits.ms_per_digit_frozen, 2), f(digits.stdp_cost, 2), f(digits.pass_8000_s, 1), String(digits.boosts)]],
  )}\n`);
  return 0;
}

if (process.argv[1]?.endsWith(join('bench', 'run.js'))) {
  const args = process.argv.slice(2);
  process.exitCode = await runBenchmarks({ quick: args.includes('--quick'), json: args.includes('--json') });
}
