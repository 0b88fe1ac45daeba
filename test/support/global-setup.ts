// Brings the kernel and dist/ up to date before any test (a no-op when they are).
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['bin/build.mjs'], { stdio: 'inherit' });
}
