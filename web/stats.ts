// What the page measures of itself, readable by a person (status line) and
// by the browser test (window.__hebb).

export const stats = {
  /** Animation frames per second, over the last second. */
  fps: 0,
  /** Spikes drawn in the last raster frame. */
  rasterPoints: 0,
  /** Protocol frames received, by type. */
  frames: {} as Record<string, number>,
  /** Spikes received. */
  spikes: 0,
  /** Frames the server dropped for this page. */
  dropped: 0,
  errors: [] as string[],
  runId: '',
  state: '',
  tMs: 0,
};

declare global {
  interface Window { __hebb: typeof stats }
}
window.__hebb = stats;

window.addEventListener('error', (e) => stats.errors.push(String(e.message)));
window.addEventListener('unhandledrejection', (e) => stats.errors.push(String((e as PromiseRejectionEvent).reason)));

let count = 0;
let since = performance.now();
function tick(now: number): void {
  count++;
  if (now - since >= 1000) {
    stats.fps = (count * 1000) / (now - since);
    count = 0;
    since = now;
  }
  requestAnimationFrame(tick);
}
requestAnimationFrame(tick);
