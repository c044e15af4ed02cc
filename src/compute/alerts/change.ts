// Period-over-period conditions: this slot against the same slot yesterday or last week, as a
// ratio ("errors at 08:05 are at least 3x those at 08:05 yesterday"), with a minimum volume so
// that 2 errors against 1 does not count as a doubling.

import { z } from 'zod';
import { parseDuration } from '../windows/duration.js';

const against = z.union([z.enum(['yesterday', 'last_week']), z.string(), z.number()]).transform((v, ctx) => {
  if (v === 'yesterday') return 86_400_000;
  if (v === 'last_week') return 604_800_000;
  const ms = parseDuration(v);
  if (typeof ms !== 'number' || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: typeof ms === 'number' ? 'expected a positive duration' : `${ms.error}, or "yesterday" / "last_week"` });
    return z.NEVER;
  }
  return ms;
});

export const changeSchema = z
  .object({
    field: z.string().min(1),
    /** How far back the compared slot is: "yesterday" (1d), "last_week" (7d) or a duration. */
    against,
    /** up: current / previous ≥ ratio; down: current / previous ≤ ratio. */
    direction: z.enum(['up', 'down']),
    ratio: z.number().positive(),
    /** The previous slot must have at least this much; below it nothing is compared. */
    minVolume: z.number().min(0).default(0),
  })
  .strict();
export type ChangeSpec = z.output<typeof changeSchema>;

export interface ChangeState {
  /** [label, value] pairs in label order, kept as far back as `against` reaches. */
  history: Array<[number, number]>;
}

export const newChangeState = (): ChangeState => ({ history: [] });

/**
 * Records the point and says whether it changed enough against the slot `against` earlier.
 * A missing previous slot, one below minVolume, or a previous value of 0 compare as false.
 */
export function observeChange(spec: ChangeSpec, st: ChangeState, label: number, x: number): boolean {
  const h = st.history;
  const want = label - spec.against;
  while (h.length > 0 && h[0]![0] < want) h.shift();
  const prev = h.length > 0 && h[0]![0] === want ? h[0]![1] : undefined;
  h.push([label, x]);
  if (prev === undefined || prev <= 0 || prev < spec.minVolume) return false;
  const ratio = x / prev;
  return spec.direction === 'up' ? ratio >= spec.ratio : ratio <= spec.ratio;
}
