// spikes.csv from spikes.msgpack, on demand: the server's runs record only
// the binary columns (formatting text costs more than simulating), and a
// CSV download is produced from them, in the order the CLI writes it: by
// step, then population, then the order within the step.

import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { decodeSpikeFile, formatMs } from './spike-files.js';

export function spikeCsvStream(msgpackPath: string, dtMs: number): Readable {
  const file = decodeSpikeFile(readFileSync(msgpackPath));
  const pops = Object.entries(file.populations);
  const cursor = pops.map(() => 0);
  // The step a spike belongs to: t in (m dt, (m + 1) dt] is step m.
  const stepOf = (t: number) => Math.ceil(t / dtMs - 1e-9) - 1;
  let header = true;
  return Readable.from((function* rows() {
    for (;;) {
      let text = header ? 't_ms,population,neuron\n' : '';
      header = false;
      for (let lines = 0; lines < 65536; ) {
        // The population whose next spike has the smallest step (ties: first population).
        let best = -1, bestStep = Infinity;
        pops.forEach(([, col], p) => {
          const k = cursor[p]!;
          if (k < col.times.length) {
            const s = stepOf(col.times[k]!);
            if (s < bestStep) { bestStep = s; best = p; }
          }
        });
        if (best < 0) break;
        const [name, col] = pops[best]!;
        // Every spike of this population in this step, in recorded order.
        let k = cursor[best]!;
        while (k < col.times.length && stepOf(col.times[k]!) === bestStep) {
          text += `${formatMs(col.times[k]!)},${name},${col.ids[k]}\n`;
          k++;
          lines++;
        }
        cursor[best] = k;
      }
      if (text === '') return;
      yield text;
    }
  })());
}
