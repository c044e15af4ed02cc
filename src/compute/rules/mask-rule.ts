// A mask rule says which sensitive values to replace in events of some data types (every type
// when `dataTypes` is left out): detected kinds in any text, and whole values of named fields.
// The secret and pseudonym length are pipeline-wide, so masked values join across types.

import { z } from 'zod';
import { fieldPath, refineUnique, ruleBase, ruleId } from './common.js';

export const MASK_KINDS = ['phone', 'idCard', 'email', 'token', 'card'] as const;
export type MaskKind = (typeof MASK_KINDS)[number];

export const maskRule = z
  .object({
    ...ruleBase,
    kind: z.literal('mask'),
    dataTypes: z.array(ruleId).min(1).max(256).optional(),
    detect: z.array(z.enum(MASK_KINDS)).max(MASK_KINDS.length).default([...MASK_KINDS]),
    /** Field names (at any depth, case-insensitive) whose whole value is masked, here and where it recurs in the message. */
    fields: z.array(fieldPath).max(256).default([]),
  })
  .strict();

export type MaskRule = z.output<typeof maskRule>;

export function refineMask(rule: MaskRule, ctx: z.RefinementCtx): void {
  refineUnique(rule.detect, ctx, ['detect'], 'kind');
  refineUnique(rule.fields.map((f) => f.toLowerCase()), ctx, ['fields'], 'field');
  if (rule.detect.length === 0 && rule.fields.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['detect'], message: 'a mask rule needs at least one kind in detect or one name in fields', params: { echo: false } });
  }
  if (rule.dataTypes) refineUnique(rule.dataTypes, ctx, ['dataTypes'], 'data type');
}
