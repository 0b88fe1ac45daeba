// Gradient checks: analytic gradients against central differences of a
// reference loss (f64), parameter by parameter.

/** The worst relative error |num - an| / (|num| + |an|) over every parameter (params are perturbed in place and restored). */
export function worstRelativeError(analytic: Float64Array[], params: Float64Array[], loss: () => number, h = 1e-5): number {
  let worst = 0;
  params.forEach((p, q) => {
    for (let k = 0; k < p.length; k++) {
      const o = p[k]!;
      p[k] = o + h; const lp = loss();
      p[k] = o - h; const lm = loss();
      p[k] = o;
      const num = (lp - lm) / (2 * h), an = analytic[q]![k]!;
      worst = Math.max(worst, Math.abs(num - an) / Math.max(1e-7, Math.abs(num) + Math.abs(an)));
    }
  });
  return worst;
}
