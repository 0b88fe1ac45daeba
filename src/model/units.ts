// The one conversion between milliseconds and steps: round to the nearest
// step. Times are in ms everywhere else; step counts are named *Steps.

export function msToSteps(ms: number, dtMs: number): number {
  return Math.round(ms / dtMs);
}

export function stepsToMs(steps: number, dtMs: number): number {
  return steps * dtMs;
}
