// Dynamic baselines for alert conditions: is this point outside k·σ of what the series usually
// does? EWMA tracks a moving mean and variance; median/MAD over the recent points resists
// outliers. A band is trusted only after a warm-up and must be broken for N points in a row.

import { z } from 'zod';

export const baselineSchema = z
  .object({
    field: z.string().min(1),
    method: z.enum(['ewma', 'mad']).default('ewma'),
    /** EWMA weight of the newest point. */
    alpha: z.number().gt(0).max(1).default(0.3),
    /** MAD: how many recent points form the baseline. */
    window: z.number().int().min(3).max(10_000).default(30),
    k: z.number().positive().default(3),
    direction: z.enum(['up', 'down', 'both']).default('both'),
    /** Points seen before the band is trusted. */
    warmup: z.number().int().min(1).default(10),
    /** Consecutive points outside the band before the condition holds. */
    holdFor: z.number().int().min(1).default(1),
    /** Floor for σ, so a flat series does not alert on its first wobble. */
    minSigma: z.number().min(0).default(0),
    /** After this many points in a row outside the band the level is taken as the new normal and learnt afresh. */
    relearnAfter: z.number().int().min(1).default(60),
  })
  .strict();
export type BaselineSpec = z.output<typeof baselineSchema>;

export interface BaselineState {
  n: number;
  mean: number;
  variance: number;
  recent: number[];
  outside: number;
}

export const newBaselineState = (): BaselineState => ({ n: 0, mean: 0, variance: 0, recent: [], outside: 0 });

/**
 * Takes the next point and says whether the condition holds. The point is judged against the
 * band built from the points before it. Only points inside the band are learnt, so an incident
 * does not teach the baseline that it is normal; a shift that lasts relearnAfter points is taken
 * as the new level and the baseline starts over (warm-up included) from it.
 */
export function observeBaseline(spec: BaselineSpec, st: BaselineState, x: number): boolean {
  let outside = false;
  if (st.n >= spec.warmup) {
    const { centre, sigma } = spec.method === 'ewma' ? { centre: st.mean, sigma: Math.sqrt(st.variance) } : medianBand(st.recent);
    const band = spec.k * Math.max(sigma, spec.minSigma);
    const d = x - centre;
    outside = spec.direction === 'up' ? d > band : spec.direction === 'down' ? -d > band : Math.abs(d) > band;
  }
  st.outside = outside ? st.outside + 1 : 0;
  const held = st.outside >= spec.holdFor;
  if (st.outside >= spec.relearnAfter) Object.assign(st, newBaselineState());
  else if (outside) return held;
  learn(spec, st, x);
  return held;
}

function learn(spec: BaselineSpec, st: BaselineState, x: number): void {
  if (spec.method === 'ewma') {
    if (st.n === 0) st.mean = x;
    else {
      // West's incremental exponentially weighted variance.
      const diff = x - st.mean;
      const incr = spec.alpha * diff;
      st.mean += incr;
      st.variance = (1 - spec.alpha) * (st.variance + diff * incr);
    }
  } else {
    st.recent.push(x);
    if (st.recent.length > spec.window) st.recent.shift();
  }
  st.n++;
}

function median(sorted: number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** σ estimated as 1.4826·MAD, which equals σ for normal data and ignores outliers. */
function medianBand(values: number[]): { centre: number; sigma: number } {
  const centre = median([...values].sort((a, b) => a - b));
  const mad = median(values.map((v) => Math.abs(v - centre)).sort((a, b) => a - b));
  return { centre, sigma: 1.4826 * mad };
}
