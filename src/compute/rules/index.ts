// Rule definitions as data for compute core I: data types, parse, mask, dimension and process
// rules. `loadRules` reads a JSON or YAML rule set and keeps every valid rule while reporting each
// invalid one by path; `validateRule` checks one rule. A rule store builds on these.

import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { LogfedError } from '../../errors/index.js';
import { dataTypeRule, refineDataType, type DataTypeRule } from './data-type.js';
import { dimensionRule, refineDimension, type DimensionRule } from './dimension-rule.js';
import { formatIssues, formatPath, issuesText, show, type RuleIssue } from './issues.js';
import { maskRule, refineMask, type MaskRule } from './mask-rule.js';
import { parseRule, refineParse, type ParseRule } from './parse-rule.js';
import { processRule, refineProcess, type ProcessRule } from './process-rule.js';
import { alertRule, compositeRule, metricRule, processedRule, refineMetricKind, type MetricKindRule } from './metric-kinds.js';

export const RULE_KINDS = ['dataType', 'parse', 'mask', 'dimension', 'process', 'metric', 'processed', 'composite', 'alert'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const ruleSchema = z
  .discriminatedUnion('kind', [dataTypeRule, parseRule, maskRule, dimensionRule, processRule, metricRule, processedRule, compositeRule, alertRule])
  .superRefine((rule, ctx) => {
    switch (rule.kind) {
      case 'dataType':
        return refineDataType(rule, ctx);
      case 'parse':
        return refineParse(rule, ctx);
      case 'mask':
        return refineMask(rule, ctx);
      case 'dimension':
        return refineDimension(rule, ctx);
      case 'process':
        return refineProcess(rule, ctx);
      default:
        return refineMetricKind(rule as MetricKindRule, ctx);
    }
  });

export type Rule = DataTypeRule | ParseRule | MaskRule | DimensionRule | ProcessRule | MetricKindRule;

export type RuleCheck = { ok: true; rule: Rule } | { ok: false; issues: RuleIssue[] };

/** Checks one rule without throwing; `prefix` is put before every path (`rules[3]`). */
export function checkRule(input: unknown, prefix = ''): RuleCheck {
  const parsed = ruleSchema.safeParse(input);
  if (parsed.success) return { ok: true, rule: parsed.data as Rule };
  return { ok: false, issues: formatIssues(parsed.error, input, prefix) };
}

/** Checks one rule; throws BAD_CONFIG naming each bad field, with the issues in `details`. */
export function validateRule(input: unknown): Rule {
  const checked = checkRule(input);
  if (checked.ok) return checked.rule;
  const id = typeof input === 'object' && input !== null ? (input as { id?: unknown }).id : undefined;
  throw new LogfedError('BAD_CONFIG', `rule ${id === undefined ? '' : `${show(id)} `}is not valid: ${issuesText(checked.issues)}`, {
    details: { issues: checked.issues },
  });
}

export interface RejectedRule {
  index: number;
  id?: string;
  issues: RuleIssue[];
}

export interface LoadedRules {
  rules: Rule[];
  rejected: RejectedRule[];
}

/**
 * Reads a rule set: a list of rules, or an object with a `rules` list. Valid rules are kept and
 * each invalid one is reported, so one bad rule does not stop the others. A duplicated id keeps
 * the first. Text that is not JSON/YAML at all, or not a list, throws BAD_CONFIG.
 */
export function loadRules(text: string, format: 'json' | 'yaml'): LoadedRules {
  let doc: unknown;
  try {
    doc = format === 'json' ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new LogfedError('BAD_CONFIG', `rules are not valid ${format.toUpperCase()}: ${(err as Error).message}`, { cause: err });
  }
  const list = Array.isArray(doc) ? doc : typeof doc === 'object' && doc !== null ? (doc as { rules?: unknown }).rules : undefined;
  if (!Array.isArray(list)) {
    throw new LogfedError('BAD_CONFIG', `rules: expected a list of rules or an object with a "rules" list, got ${show(doc)}`);
  }
  const rules: Rule[] = [];
  const rejected: RejectedRule[] = [];
  const firstIndex = new Map<string, number>();
  list.forEach((item, index) => {
    const prefix = `rules[${index}]`;
    const rawId = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
    const id = typeof rawId === 'string' ? rawId : undefined;
    const checked = checkRule(item, prefix);
    if (!checked.ok) {
      rejected.push({ index, id, issues: checked.issues });
      return;
    }
    const first = firstIndex.get(checked.rule.id);
    if (first !== undefined) {
      rejected.push({ index, id, issues: [{ path: formatPath(prefix, ['id']), message: `duplicate id ${show(checked.rule.id)} (first at rules[${first}])` }] });
      return;
    }
    firstIndex.set(checked.rule.id, index);
    rules.push(checked.rule);
  });
  return { rules, rejected };
}

export type { DataTypeRule, DimensionRule, MaskRule, MetricKindRule, ParseRule, ProcessRule, RuleIssue };
export { METRIC_KINDS, stageBody, type MetricKind } from './metric-kinds.js';
export { checkRuleSet } from './references.js';
export { MASK_KINDS, type MaskKind } from './mask-rule.js';
export { MATCH_KINDS, stepTargets, type EnrichStep, type MatchCondition, type ProcessStep, type WhereCondition } from './process-rule.js';
export type { IdentifySpec } from './data-type.js';
export type { MultilineSpec, ParserSpec } from './parse-rule.js';
export { compileNamedRegex } from './parse-rule.js';
export { formatIssues, issuesText } from './issues.js';
