// The package as a user gets it: npm pack, installed from the tarball into
// an empty folder. `hebb run` works, `hebb serve` serves the page and its
// scripts, and `import('hebb')` gives the library.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const root = join(import.meta.dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the packed package', () => {
  let dir: string;
  let app: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hebb-pack-'));
    // prepare rebuilds only what is out of date (nothing, after npm install).
    execFileSync(npm, ['pack', '--silent', '--pack-destination', dir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    app = join(dir, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'uses-hebb', private: true, type: 'module' }));
    execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel', 'error', join(dir, tarball)], { cwd: app, stdio: ['ignore', 'pipe', 'inherit'] });
  }, 240_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const bin = () => join(app, 'node_modules', '.bin', 'hebb');

  it('runs a preset with the installed hebb command', () => {
    execFileSync(bin(), ['run', 'cuba', '--duration', '50', '--out', 'out', '--quiet'], { cwd: app });
    const summary = JSON.parse(readFileSync(join(app, 'out', 'summary.json'), 'utf8')) as { spikes: number; simulated_ms: number };
    expect(summary.simulated_ms).toBe(50);
    expect(summary.spikes).toBeGreaterThan(0);
    expect(existsSync(join(app, 'out', 'spikes.csv'))).toBe(true);
  });

  it('imports the library by its name', () => {
    const script = "import('hebb').then(async (m) => { const sim = new m.Simulation(m.validateModel({ ...m.loadPreset('cuba'), duration: 10 })); sim.run(); console.log(sim.summary().simulated_ms, typeof (await import('hebb/protocol')).decodeFrame); })";
    expect(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8' }).trim()).toBe('10 function');
  });

  it('serves the page, its scripts and the API with the installed hebb serve', async () => {
    const server = spawn(bin(), ['serve', '--port', '0'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          // The whole line: a URL cut between two chunks would point elsewhere.
          const m = /serving at (\S+)\n/.exec(out);
          if (m) resolve(m[1]!);
        });
        server.on('exit', (code) => reject(new Error(`hebb serve exited (${code}): ${out}`)));
      });
      for (const [path, type] of [['/', 'text/html'], ['/app/web/main.js', 'text/javascript'], ['/vendor/uplot/uPlot.esm.js', 'text/javascript'], ['/vendor/msgpack/index.mjs', 'text/javascript'], ['/api/presets', 'application/json']] as const) {
        const r = await fetch(new URL(path, url));
        expect(r.status, path).toBe(200);
        expect(r.headers.get('content-type'), path).toContain(type);
        // Read the body: an unread response keeps its connection busy, and the server's close waits for it.
        expect((await r.arrayBuffer()).byteLength, path).toBeGreaterThan(0);
      }
    } finally {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.on('close', resolve));
    }
  });
});
