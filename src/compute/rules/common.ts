// Schema pieces every rule kind shares: the envelope (id, kind, version, online), identifiers,
// field paths and time zones. Rule schemas are data contracts: a rule store validates with them
// before saving, and the pipeline compiles only what they accept.

import { z } from 'zod';
import { resolveTimeZone, TIME_FORMATS } from '../stages/time.js';

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export const ruleId = z
  .string()
  .regex(ID_PATTERN, 'expected an id of letters, digits and _.:- (at most 128, starting with a letter or digit)');

/** The envelope every rule carries, spread into each kind's object schema. */
export const ruleBase = {
  id: ruleId,
  version: z.number().int().positive(),
  online: z.boolean(),
  description: z.string().max(2000).optional(),
};

/**
 * A field of an event: an envelope slot (ts, level, traceId, host, message, domain, env, app,
 * file) or a key of `fields` (`fields.level` when the name collides with a slot; `a.b` reads nested).
 */
export const fieldPath = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\s]+$/, 'expected a field name without whitespace');

/** A column of a dimension table as the loader returns it. */
export const columnName = z.string().min(1).max(128);

export const timeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((name) => resolveTimeZone(name) !== undefined, 'expected a time zone such as UTC, +08:00 or Asia/Shanghai');

export const timeFormat = z.enum(TIME_FORMATS);

export const scalar = z.union([z.string().max(4096), z.number(), z.boolean()]);

/** Flags duplicated entries of a list at their own index. */
export function refineUnique(values: readonly string[], ctx: z.RefinementCtx, path: (string | number)[], what: string): void {
  const seen = new Map<string, number>();
  values.forEach((v, i) => {
    const first = seen.get(v);
    if (first !== undefined) {
      ctx.addIssue({ code: 'custom', path: [...path, i], message: `duplicate ${what} ${JSON.stringify(v)} (first at index ${first})`, params: { echo: false } });
    } else seen.set(v, i);
  });
}
