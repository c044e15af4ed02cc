// Fifth stage: a process rule turns an event of data type A into one of data type B. A where-
// filter picks the events it applies to; steps (enrich, time, IP, receive time) run on a working
// copy; B keeps the fields the steps wrote plus, when asked, A's same-name fields.

import type { LogEvent } from '../../core/event.js';
import { stepTargets, type DataTypeRule, type ProcessRule, type WhereCondition } from '../rules/index.js';
import { bump, type StageCounts } from './counters.js';
import type { DimensionTable } from './dimension.js';
import { compileEnrich, type StepFn } from './enrich.js';
import { compileTransform } from './transform.js';
import { asText, fieldGetter, META } from './types.js';

/** B, or why there is none: the where-filter did not pick the event, or a step dropped it. */
export type ProcessFn = (event: LogEvent, now: number) => LogEvent | 'filtered' | 'dropped';

const same = (actual: unknown, expected: unknown) =>
  actual === expected || (actual !== undefined && actual !== null && typeof actual !== 'object' && String(actual) === String(expected));

const isObject = (v: unknown) => v !== null && typeof v === 'object';

export function compileWhere(cond: WhereCondition): (event: LogEvent) => boolean {
  const list = Array.isArray(cond.value) ? cond.value : [cond.value];
  const needle = String(cond.value);
  const read = fieldGetter(cond.field);
  const text = (e: LogEvent) => asText(read(e));
  switch (cond.op) {
    case 'equals':
      return (e) => same(read(e), cond.value);
    case 'notEquals':
      return (e) => !same(read(e), cond.value);
    case 'in':
      return (e) => list.some((v) => same(read(e), v));
    case 'notIn':
      return (e) => !list.some((v) => same(read(e), v));
    case 'contains':
      return (e) => text(e)?.includes(needle) ?? false;
    case 'startsWith':
      return (e) => text(e)?.startsWith(needle) ?? false;
    case 'endsWith':
      return (e) => text(e)?.endsWith(needle) ?? false;
    case 'exists':
      return (e) => (text(e) ?? '') !== '' || isObject(read(e));
    case 'notExists':
      return (e) => (text(e) ?? '') === '' && !isObject(read(e));
  }
}

export interface ProcessDeps {
  /** The target data type, for its declared fields. */
  target: DataTypeRule;
  tables: ReadonlyMap<string, DimensionTable>;
  counts: StageCounts;
}

/** Compiles a process rule into a function from an event of type A to one of type B. */
export function compileProcessRule(rule: ProcessRule, deps: ProcessDeps): ProcessFn {
  const where = rule.where.map(compileWhere);
  const steps: StepFn[] = rule.steps.map((step) => {
    if (step.op !== 'enrich') return compileTransform(step, deps.counts);
    const table = deps.tables.get(step.dimension);
    if (!table) throw new Error(`dimension ${step.dimension} is not loaded by this pipeline`);
    return compileEnrich(step, table, deps.counts);
  });
  const written = new Set(rule.steps.flatMap(stepTargets).map((f) => (f.startsWith('fields.') ? f.slice(7) : f)));
  const declared = deps.target.fields ? new Set(deps.target.fields) : undefined;
  // With copySameName and no declared fields B keeps everything, so the working copy is B as it is.
  const keepsAll = rule.copySameName && declared === undefined;
  const keep = (key: string) =>
    written.has(key) || key.charCodeAt(0) === 95 /* _ meta */ || (rule.copySameName && declared !== undefined && declared.has(key));

  return (event, now) => {
    for (const w of where) {
      if (!w(event)) {
        bump(deps.counts, 'filtered');
        return 'filtered';
      }
    }
    // Steps read A's fields even when B does not keep them (an enrich key, a raw time). Copied
    // with Object.assign: V8 makes adding a key to a spread-made copy many times slower.
    const work: LogEvent = Object.assign({}, event);
    work.fields = Object.assign({}, event.fields);
    for (const step of steps) if (!step(work, now)) return 'dropped';
    if (!keepsAll) {
      const fields: Record<string, unknown> = {};
      for (const key in work.fields) if (keep(key)) fields[key] = work.fields[key];
      work.fields = fields;
    }
    work.fields![META.type] = rule.to;
    return work;
  };
}
