// A progress bar on stderr, for runs that last: it appears after a second,
// only on a terminal, and clears itself when done.

export class ProgressBar {
  private readonly enabled: boolean;
  private readonly start = performance.now();
  private lastDraw = 0;
  private shown = false;

  constructor(enabled: boolean) {
    this.enabled = enabled && process.stderr.isTTY === true;
  }

  update(done: number, total: number, label = ''): void {
    if (!this.enabled || total <= 0) return;
    const now = performance.now();
    if (now - this.start < 1000 || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.shown = true;
    const width = Math.max(10, Math.min(40, (process.stderr.columns ?? 80) - 40));
    const frac = Math.min(1, done / total);
    const filled = Math.round(frac * width);
    const elapsed = (now - this.start) / 1000;
    const eta = frac > 0 ? elapsed * (1 - frac) / frac : 0;
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${label} eta ${eta.toFixed(1)} s `);
  }

  done(): void {
    if (this.shown) process.stderr.write(`\r${' '.repeat(Math.min(100, (process.stderr.columns ?? 80) - 1))}\r`);
    this.shown = false;
  }
}
