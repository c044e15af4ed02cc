// A data type names one kind of record that may share a topic with others, and says how to
// recognise it: keywords that must all / any / none occur, values of JSON fields or record
// headers, the topics it arrives on. A type without `identify` is only a target of process rules.

import { z } from 'zod';
import { fieldPath, refineUnique, ruleBase, scalar } from './common.js';

const keyword = z.string().min(1).max(512);
const keywords = z.array(keyword).min(1).max(32);
const expected = z.union([scalar, z.array(scalar).min(1).max(64)]);

export const identifySchema = z
  .object({
    all: keywords.optional(),
    any: keywords.optional(),
    none: keywords.optional(),
    /** Top-level (or dotted) fields of a JSON body; a list means any of the values. */
    fields: z.record(fieldPath, expected).optional(),
    headers: z.record(z.string().min(1).max(256), z.union([z.string(), z.array(z.string()).min(1)])).optional(),
    topics: z.array(z.string().min(1).max(249)).min(1).max(64).optional(),
  })
  .strict();

export const dataTypeRule = z
  .object({
    ...ruleBase,
    kind: z.literal('dataType'),
    /** `json`: the body must be a JSON object (checked on decode); enables identify.fields. */
    format: z.enum(['text', 'json']).default('text'),
    identify: identifySchema.optional(),
    /** Higher is tried first; ties keep the order of the rule set. */
    priority: z.number().int().min(-1000).max(1000).default(0),
    /** The attribute fields of the type; process rules copy same-name fields into these. */
    fields: z.array(fieldPath).max(512).optional(),
    /** False for intermediate types that only feed process rules. */
    emit: z.boolean().default(true),
  })
  .strict();

export type DataTypeRule = z.output<typeof dataTypeRule>;
export type IdentifySpec = z.output<typeof identifySchema>;

export function refineDataType(rule: DataTypeRule, ctx: z.RefinementCtx): void {
  const id = rule.identify;
  if (id) {
    if (!id.all && !id.any && !id.fields && !id.headers && !id.topics) {
      ctx.addIssue({ code: 'custom', path: ['identify'], message: 'expected at least one of all|any|fields|headers|topics', params: { echo: false } });
    }
    if (id.fields && rule.format !== 'json') {
      ctx.addIssue({ code: 'custom', path: ['identify', 'fields'], message: 'needs format: json (field values are read from a JSON body)', params: { echo: false } });
    }
  }
  if (rule.fields) refineUnique(rule.fields, ctx, ['fields'], 'field');
}
