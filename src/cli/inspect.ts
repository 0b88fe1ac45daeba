// hebb validate and hebb presets: look at models without running them.

import type { Command } from './command.js';
import { loadModelSource, applyOverrides, resolveWeightFiles, listPresets } from '../model/load.js';
import { validateModel } from '../model/validate.js';
import { modelOptions, modelOptionsHelp, limitsFrom } from './run.js';
import { stringList } from './options.js';
import { formatCount, wrap } from '../core/table.js';

export const validateCommand: Command = {
  summary: 'check a model file (or preset) without running it',
  usage: `hebb validate MODEL.json|PRESET [--json]\n\n  --json              print the validated model with its defaults filled in\n${modelOptionsHelp}`,
  options: { json: { type: 'boolean' }, ...modelOptions },
  positionals: [1, 1],
  run({ positionals, values }) {
    const { model, source, dir } = loadModelSource(positionals[0]!);
    const valid = validateModel(resolveWeightFiles(applyOverrides(model, stringList(values.set)), dir), { limits: limitsFrom(values), source });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(valid, null, 2)}\n`);
    } else {
      const neurons = valid.populations.reduce((s, p) => s + p.size, 0);
      process.stdout.write(`${source}: valid (${valid.populations.length} populations, ${formatCount(neurons)} neurons, ${valid.projections.length} projections, ${valid.duration} ms at dt ${valid.dt} ms)\n`);
    }
    return 0;
  },
};

export const presetsCommand: Command = {
  summary: 'list the models shipped with hebb',
  usage: 'hebb presets [--json]\n\nPresets are JSON model files; run one with "hebb run NAME", read it at the path listed.',
  options: { json: { type: 'boolean' } },
  positionals: [0, 0],
  run({ values }) {
    const presets = listPresets();
    if (values.json) {
      process.stdout.write(`${JSON.stringify(presets, null, 2)}\n`);
      return 0;
    }
    // Whole descriptions, wrapped: what tells presets apart is often their end (the Brunel regimes).
    const width = Math.max(60, process.stdout.columns ?? 100);
    const name = Math.max(...presets.map((p) => p.name.length));
    const text = presets.map((p) => wrap(p.description, width - name - 2).map((line, k) => `${(k === 0 ? p.name : '').padEnd(name)}  ${line}`).join('\n')).join('\n\n');
    process.stdout.write(`${text}\n\nfiles: ${presets[0] ? presets[0].file.replace(/[^/]+$/, '') : ''}\n`);
    return 0;
  },
};
