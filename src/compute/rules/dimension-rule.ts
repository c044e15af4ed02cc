// A dimension rule is a table loaded by one read-only SQL query into a cache that is refreshed on
// an interval; enrich steps of process rules look rows up in it (ip -> system, owner...).

import { z } from 'zod';
import { ruleBase } from './common.js';

export const dimensionRule = z
  .object({
    ...ruleBase,
    kind: z.literal('dimension'),
    sql: z.string().min(1).max(65_536),
    refreshSeconds: z.number().int().min(5).max(86_400).default(300),
    /** A larger result is refused (the last good table stays), so a bad query cannot eat the memory. */
    maxRows: z.number().int().min(1).max(5_000_000).default(1_000_000),
    /** How long one load may take. */
    timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  })
  .strict();

export type DimensionRule = z.output<typeof dimensionRule>;

const READ_ONLY = /^\s*(?:select|with)\b/i;

export function refineDimension(rule: DimensionRule, ctx: z.RefinementCtx): void {
  // One statement that reads: a rule store holds these, and a rule must not be a way to write.
  const body = rule.sql.replace(/;\s*$/, '');
  if (!READ_ONLY.test(body) || body.includes(';')) {
    ctx.addIssue({ code: 'custom', path: ['sql'], message: 'expected one SELECT (or WITH ... SELECT) statement' });
  }
}
