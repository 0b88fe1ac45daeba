#!/usr/bin/env node
// Builds what is out of date: the WASM kernel (release and debug targets of
// asconfig.json) when assembly/ changed, the host's bindings generated from
// it (bin/gen-bindings.mjs), then the TypeScript (tsc --build is
// incremental). `npm install` runs this through `prepare`.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');

function newestMtime(dir, ext) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, ext));
    else if (entry.name.endsWith(ext)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function run(cmd, args) {
  execFileSync(process.execPath, [join(root, 'node_modules', cmd), ...args], { cwd: root, stdio: 'inherit' });
}

const sources = Math.max(newestMtime(join(root, 'assembly'), '.ts'), statSync(join(root, 'asconfig.json')).mtimeMs);
for (const target of ['release', 'debug', 'release-threads', 'debug-threads']) {
  const out = join(root, 'build', `${target}.wasm`);
  if (force || !existsSync(out) || statSync(out).mtimeMs < sources) {
    process.stderr.write(`building kernel (${target})\n`);
    run('assemblyscript/bin/asc.js', ['assembly/index.ts', '--target', target]);
  }
}
execFileSync(process.execPath, [join(root, 'bin', 'gen-bindings.mjs')], { cwd: root, stdio: 'inherit' });
run('typescript/bin/tsc', ['--build', 'tsconfig.json']);
run('typescript/bin/tsc', ['--build', 'web/tsconfig.json']);
// The page's stylesheet goes beside its compiled scripts.
copyFileSync(join(root, 'web', 'style.css'), join(root, 'dist', 'web', 'web', 'style.css'));
