// Compiles a checked rule set into what the pipeline runs per data type: the identifier, the
// parser and multi-line bounds, one masker per distinct set of mask rules, the process rules that
// start from the type, and the dimension tables they share.

import { LogfedError } from '../../errors/index.js';
import {
  checkRule,
  checkRuleSet,
  compileNamedRegex,
  issuesText,
  stepTargets,
  type DataTypeRule,
  type DimensionRule,
  type MaskRule,
  type ParseRule,
  type ProcessRule,
  type Rule,
  type RuleIssue,
} from '../rules/index.js';
import type { StageCounts } from './counters.js';
import { DimensionTable, type Loader } from './dimension.js';
import { compileIdentifier, type Identifier } from './identify.js';
import { startsLogbackEvent } from './logback.js';
import { compileMasker, type Masker } from './mask.js';
import type { MultilineLimits } from './multiline.js';
import { compileParser, type NamedParsers, type ParseFn } from './parse.js';
import { compileProcessRule, type ProcessFn } from './process.js';

export interface CompileDeps {
  /** HMAC key for pseudonyms; needed when a mask rule is online (at least 16 characters). */
  maskSecret?: string | Buffer;
  maskHashLength?: number;
  /** Makes the loader of a dimension rule (dimension-mysql.ts in production). */
  loadDimension?: (rule: DimensionRule) => Loader;
  /** Parsers plugins provide, for parse rules of `type: plugin`. */
  parsers?: NamedParsers;
  clock?: () => number;
}

export interface TypePlan {
  type: DataTypeRule;
  parse?: { rule: ParseRule; fn: ParseFn; multiline?: { isStart: (line: string) => boolean; limits: MultilineLimits } };
  mask?: { rules: MaskRule[]; fn: Masker };
  /** `written`: the fields the rule's steps set, the only new content of B. */
  processes: { rule: ProcessRule; fn: ProcessFn; written: string[] }[];
}

export interface Compiled {
  rules: Rule[];
  identify: Identifier;
  types: Map<string, TypePlan>;
  tables: Map<string, DimensionTable>;
}

const MIN_SECRET = 16;

/** Validates every rule (applying defaults), checks the set, and compiles the online rules. */
export function compileRules(inputs: readonly unknown[], deps: CompileDeps, processCounts: StageCounts): Compiled {
  const issues: RuleIssue[] = [];
  const rules: Rule[] = [];
  inputs.forEach((input, i) => {
    const checked = checkRule(input, `rules[${i}]`);
    if (checked.ok) rules.push(checked.rule);
    else issues.push(...checked.issues);
  });
  if (issues.length === 0) issues.push(...checkRuleSet(rules));
  const online = rules.filter((r) => r.online);
  const of = <K extends Rule['kind']>(kind: K) => online.filter((r): r is Extract<Rule, { kind: K }> => r.kind === kind);
  const secret = deps.maskSecret;
  if (of('mask').length > 0 && (secret === undefined || secret.length < MIN_SECRET)) {
    issues.push({ path: 'deps.maskSecret', message: `mask rules are online; expected a secret of at least ${MIN_SECRET} characters` });
  }
  if (of('dimension').length > 0 && deps.loadDimension === undefined) {
    issues.push({ path: 'deps.loadDimension', message: 'dimension rules are online; expected a loader factory' });
  }
  of('parse').forEach((r) => {
    if (r.parser.type === 'plugin' && !deps.parsers?.has(r.parser.name)) {
      issues.push({ path: `rules.${r.id}.parser.name`, message: `no loaded plugin provides a parser named "${r.parser.name}"` });
    }
  });
  if (issues.length > 0) throw new LogfedError('BAD_CONFIG', `rule set is not valid: ${issuesText(issues)}`, { details: { issues } });

  const tables = new Map(of('dimension').map((r) => [r.id, new DimensionTable(r, deps.loadDimension!(r), deps.clock)]));
  const maskers = new Map<string, { rules: MaskRule[]; fn: Masker }>();
  const maskerFor = (type: string) => {
    const applies = of('mask').filter((m) => m.dataTypes === undefined || m.dataTypes.includes(type));
    if (applies.length === 0) return undefined;
    // Types under the same mask rules share one masker (and its pseudonym cache).
    const key = applies.map((m) => m.id).join('\0');
    let masker = maskers.get(key);
    if (!masker) {
      masker = { rules: applies, fn: compileMasker(applies, { secret: secret!, hashLength: deps.maskHashLength }) };
      maskers.set(key, masker);
    }
    return masker;
  };

  const types = new Map<string, TypePlan>();
  const dataTypes = of('dataType');
  for (const type of dataTypes) types.set(type.id, { type, mask: maskerFor(type.id), processes: [] });
  for (const rule of of('parse')) types.get(rule.dataType)!.parse = { rule, fn: compileParser(rule, deps.parsers), multiline: multilineOf(rule) };
  for (const rule of of('process')) {
    const fn = compileProcessRule(rule, { target: types.get(rule.to)!.type, tables, counts: processCounts });
    types.get(rule.from)!.processes.push({ rule, fn, written: rule.steps.flatMap(stepTargets) });
  }
  return { rules: online, identify: compileIdentifier(dataTypes), types, tables };
}

function multilineOf(rule: ParseRule): NonNullable<TypePlan['parse']>['multiline'] {
  const ml = rule.multiline;
  if (!ml) return undefined;
  const limits = { maxLines: ml.maxLines, maxBytes: ml.maxBytes, maxAgeMs: ml.maxAgeMs };
  if (ml.start === undefined) return { isStart: startsLogbackEvent, limits };
  const compiled = compileNamedRegex(ml.start);
  if ('error' in compiled) throw new LogfedError('BAD_CONFIG', `rules[id=${rule.id}].multiline.start: ${compiled.error}`);
  const re = compiled.re;
  return { isStart: (line) => re.test(line), limits };
}
