// Checks that a rule set hangs together: parse, mask and process rules name data types and
// dimensions that exist, one parse rule per type, JSON parsers on JSON types, process steps write
// fields the target type declares, and process rules do not feed each other in a loop.

import type { DataTypeRule } from './data-type.js';
import type { DimensionRule } from './dimension-rule.js';
import { show, type RuleIssue } from './issues.js';
import type { Rule } from './index.js';
import type { ParseRule } from './parse-rule.js';
import { stepTargets, type ProcessRule } from './process-rule.js';

const at = (rule: Rule, path: string) => `rules[id=${rule.id}]${path ? `.${path}` : ''}`;

/** Problems between rules; only online rules count unless `includeOffline` is set. */
export function checkRuleSet(all: readonly Rule[], opts: { includeOffline?: boolean } = {}): RuleIssue[] {
  const rules = opts.includeOffline ? all : all.filter((r) => r.online);
  const issues: RuleIssue[] = [];
  const types = new Map<string, DataTypeRule>();
  const dimensions = new Map<string, DimensionRule>();
  for (const r of rules) {
    if (r.kind === 'dataType') types.set(r.id, r);
    if (r.kind === 'dimension') dimensions.set(r.id, r);
  }
  const needType = (rule: Rule, path: string, id: string) => {
    if (!types.has(id)) issues.push({ path: at(rule, path), message: `unknown data type ${show(id)}${opts.includeOffline ? '' : ' (or not online)'}` });
    return types.get(id);
  };

  const parseOf = new Map<string, ParseRule>();
  for (const r of rules) {
    if (r.kind === 'parse') {
      const type = needType(r, 'dataType', r.dataType);
      const other = parseOf.get(r.dataType);
      if (other) issues.push({ path: at(r, 'dataType'), message: `data type ${show(r.dataType)} already has parse rule ${show(other.id)}` });
      else parseOf.set(r.dataType, r);
      if (type && (type.format === 'json') !== (r.parser.type === 'json')) {
        issues.push({ path: at(r, 'parser.type'), message: `data type ${show(type.id)} has format ${type.format}; parser ${r.parser.type} does not fit it` });
      }
    }
    if (r.kind === 'mask') r.dataTypes?.forEach((t, i) => needType(r, `dataTypes[${i}]`, t));
    if (r.kind === 'process') checkProcess(r, dimensions, needType, issues);
  }
  issues.push(...findLoops(rules.filter((r): r is ProcessRule => r.kind === 'process')));
  return issues;
}

function checkProcess(
  r: ProcessRule,
  dimensions: Map<string, DimensionRule>,
  needType: (rule: Rule, path: string, id: string) => DataTypeRule | undefined,
  issues: RuleIssue[],
): void {
  needType(r, 'from', r.from);
  const target = needType(r, 'to', r.to);
  const declared = target?.fields ? new Set(target.fields) : undefined;
  r.steps.forEach((step, i) => {
    if (step.op === 'enrich' && !dimensions.has(step.dimension)) {
      issues.push({ path: at(r, `steps[${i}].dimension`), message: `unknown dimension ${show(step.dimension)}` });
    }
    if (declared) {
      for (const field of stepTargets(step)) {
        if (!isSlot(field) && !declared.has(field)) {
          issues.push({ path: at(r, `steps[${i}]`), message: `writes ${show(field)}, which data type ${show(r.to)} does not declare in its fields` });
        }
      }
    }
  });
}

const SLOTS = new Set(['ts', 'level', 'traceId', 'host', 'message', 'domain', 'env', 'app', 'file']);
const isSlot = (field: string) => SLOTS.has(field);

/** Process rules form a graph from type to type; a loop would turn one event into endless ones. */
function findLoops(rules: ProcessRule[]): RuleIssue[] {
  const edges = new Map<string, ProcessRule[]>();
  for (const r of rules) edges.set(r.from, [...(edges.get(r.from) ?? []), r]);
  const state = new Map<string, 'open' | 'done'>();
  const issues: RuleIssue[] = [];
  const visit = (type: string, via: ProcessRule[]) => {
    state.set(type, 'open');
    for (const r of edges.get(type) ?? []) {
      const next = state.get(r.to);
      if (next === 'open') {
        const chain = [...via, r].map((x) => `${x.from}->${x.to}`).join(', ');
        issues.push({ path: at(r, 'to'), message: `process rules form a loop (${chain})` });
      } else if (next === undefined) visit(r.to, [...via, r]);
    }
    state.set(type, 'done');
  };
  for (const type of edges.keys()) if (!state.has(type)) visit(type, []);
  return issues;
}
