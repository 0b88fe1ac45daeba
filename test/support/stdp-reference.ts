// A deliberately plain reference for the plasticity rules: spike lists in,
// weight out. No traces: every pair is summed explicitly, events are applied
// one by one in time order (a pre and a post event at the same instant: pre
// first), and the weight is clipped after each. Times are at the synapse.

export interface PairRule { kind: 'pair'; nearest: boolean; tauPlus: number; tauMinus: number; aPlus: number; aMinus: number; mu: number; wMin: number; wMax: number }
export interface TripletRule { kind: 'triplet'; nearest: boolean; tauPlus: number; tauMinus: number; tauX: number; tauY: number; a2p: number; a3p: number; a2m: number; a3m: number; wMin: number; wMax: number }
export type Rule = PairRule | TripletRule;

interface Event { t: number; pre: boolean }

function events(pre: number[], post: number[], tEnd: number): Event[] {
  const all = [...pre.filter((t) => t <= tEnd).map((t) => ({ t, pre: true })), ...post.filter((t) => t <= tEnd).map((t) => ({ t, pre: false }))];
  // Sort by time; at equal times pre first.
  return all.sort((a, b) => a.t - b.t || (a.pre === b.pre ? 0 : a.pre ? -1 : 1));
}

/** Sum over earlier spikes (strictly before index k in the event order) of one side. */
function kernelSum(seen: number[], t: number, tau: number, nearest: boolean): number {
  if (seen.length === 0) return 0;
  if (nearest) return Math.exp(-(t - seen[seen.length - 1]!) / tau);
  let s = 0;
  for (const u of seen) s += Math.exp(-(t - u) / tau);
  return s;
}

export function referenceWeight(rule: Rule, w0: number, pre: number[], post: number[], tEnd: number): number {
  let w = w0;
  const seenPre: number[] = [], seenPost: number[] = [];
  const clip = (x: number) => Math.min(Math.max(x, rule.wMin), rule.wMax);
  for (const e of events(pre, post, tEnd)) {
    if (e.pre) {
      const o1 = kernelSum(seenPost, e.t, rule.tauMinus, rule.nearest);
      if (rule.kind === 'pair') {
        const f = rule.mu === 0 ? 1 : Math.pow(Math.max(w, 0) / rule.wMax, rule.mu);
        w = clip(w - rule.wMax * rule.aMinus * f * o1);
      } else {
        const r2 = kernelSum(seenPre, e.t, rule.tauX, rule.nearest);
        w = clip(w - rule.wMax * o1 * (rule.a2m + rule.a3m * r2));
      }
      seenPre.push(e.t);
    } else {
      const r1 = kernelSum(seenPre, e.t, rule.tauPlus, rule.nearest);
      if (rule.kind === 'pair') {
        const f = rule.mu === 0 ? 1 : Math.pow(Math.max(1 - w / rule.wMax, 0), rule.mu);
        w = clip(w + rule.wMax * rule.aPlus * f * r1);
      } else {
        const o2 = kernelSum(seenPost, e.t, rule.tauY, rule.nearest);
        w = clip(w + rule.wMax * r1 * (rule.a2p + rule.a3p * o2));
      }
      seenPost.push(e.t);
    }
  }
  return w;
}
