// The saved form of a composite aggregator's open windows: what its groups collected (formula
// composites) or the rows waiting to be joined (joins), and its watermark. Source rows of those
// windows came from metric windows already written and committed past, so a replay does not bring
// them back; this state does. Versioned, JSON-safe, checked field by field when it comes back.

import { z } from 'zod';
import { badInput } from '../../errors/index.js';
import { windowStartOf } from '../windows/period.js';
import type { WindowSet } from '../windows/window-set.js';
import type { MetricRow } from './row.js';
import { finite, parseSavedState, savedRowSchema } from './saved-state.js';
import type { Collected } from './score.js';

const num = finite;

const collectedSchema = z.object({ n: z.number().int().min(1), sum: num, min: num, max: num, distinct: z.array(z.string()).nullable() }).strict();

const groupSchema = z.object({ key: z.record(z.string(), z.string()), collected: z.array(collectedSchema.nullable()) }).strict();
const bucketSchema = z.object({ left: z.array(savedRowSchema), right: z.array(savedRowSchema) }).strict();

export const compositeStateSchema = z
  .object({
    version: z.literal(1),
    ruleId: z.string().min(1),
    watermark: num.nullable(),
    windows: z.array(z.object({ start: num, groups: z.array(groupSchema).optional(), buckets: z.array(bucketSchema).optional() }).strict()),
  })
  .strict();

export type CompositeState = z.output<typeof compositeStateSchema>;
type SavedWindow = CompositeState['windows'][number];

/** The open windows of `windows` as a saved state, each window's series turned into JSON-safe form by `save`. */
export function saveWindows<S>(ruleId: string, windows: WindowSet<S>, save: (series: S[]) => Omit<SavedWindow, 'start'>): CompositeState {
  const wm = windows.watermark;
  return { version: 1, ruleId, watermark: Number.isFinite(wm) ? wm : null, windows: [...windows.openWindows()].map((w) => ({ start: w.start, ...save(w.series) })) };
}

/**
 * Checks a saved state for rule `ruleId` and reopens its windows in `windows` (each filled by
 * `fill`), then sets the watermark, so windows it already closed stay closed. Throws BAD_INPUT
 * naming the field that is wrong.
 */
export function loadWindows<S>(input: unknown, ruleId: string, windows: WindowSet<S>, fill: (saved: SavedWindow, at: ReturnType<WindowSet<S>['windowAt']> & object) => void): void {
  const st = parseSavedState(compositeStateSchema, input, `composite rule "${ruleId}"`);
  if (st.ruleId !== ruleId) throw badInput(`restore: the saved state of composite rule "${st.ruleId}" does not belong to rule "${ruleId}"`);
  for (const saved of st.windows) {
    if (windowStartOf(saved.start, windows.opts.periodMs) !== saved.start) throw badInput(`restore: composite rule "${ruleId}" has a saved window at ${saved.start}, which is not a start of its ${windows.opts.periodMs} ms windows`);
    const w = windows.windowAt(saved.start);
    if (w) fill(saved, w);
  }
  if (st.watermark !== null) windows.restoreWatermark(st.watermark);
}

export const saveCollected = (c: Collected | undefined) => (c === undefined ? null : { n: c.n, sum: c.sum, min: c.min, max: c.max, distinct: c.distinct ? [...c.distinct] : null });

export const loadCollected = (c: z.output<typeof collectedSchema> | null): Collected | undefined =>
  c === null ? undefined : { n: c.n, sum: c.sum, min: c.min, max: c.max, distinct: c.distinct ? new Set(c.distinct) : undefined };

export const savedRows = (rows: z.output<typeof savedRowSchema>[]) => rows as MetricRow[];
