// Helpers for tests and benchmarks of compute tasks: logback lines, a small rule set that parses
// and masks them, rule files in a folder of their own, and a task manager on a given bus. Never
// used in production.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogEvent } from '../../core/event.js';
import type { Bus } from '../bus/types.js';
import type { Results } from '../results/index.js';
import { createFileRuleStore, type RuleStore } from '../rule-store/index.js';
import type { CompileDeps } from '../stages/compile.js';
import { computeConfigSchema, type ComputeConfigInput, type TaskConfigInput } from './config.js';
import { TaskManager } from './manager.js';

export const TEST_MASK_SECRET = 'compute-task-test-secret-0123';

/** One line of the logback layout at `ts` (UTC). */
export function logbackLine(ts: number, message: string, level = 'INFO', logger = 'c.e.shop.OrderController'): string {
  const time = new Date(ts).toISOString().replace('T', ' ').slice(0, 23);
  return `${time} ${level.padStart(5)} 4242 --- [http-nio-8080-exec-1] [7f3a9c2e1b4d5a60] ${logger}-88 : ${message}`;
}

/**
 * A data type, its logback parse rule (multi-line) and a mask rule, ids prefixed with `prefix`.
 * `version` and `parse` let a test write the next version of the parse rule.
 */
export function testRules(prefix: string, opts: { parseVersion?: number; defaults?: Record<string, string>; extra?: unknown[] } = {}): unknown[] {
  return [
    { id: `${prefix}.app`, kind: 'dataType', version: 1, online: true, identify: { all: [' --- ['] } },
    {
      id: `${prefix}.parse`,
      kind: 'parse',
      version: opts.parseVersion ?? 1,
      online: true,
      dataType: `${prefix}.app`,
      parser: { type: 'logback' },
      defaults: opts.defaults ?? { domain: 'shop', env: 'prod', app: 'order-service', file: 'app.log' },
      multiline: { maxAgeMs: 200 },
    },
    { id: `${prefix}.pii`, kind: 'mask', version: 1, online: true, detect: ['phone', 'email'] },
    ...(opts.extra ?? []),
  ];
}

/** Errors per app per minute, and an alert when an app has at least `threshold` of them in a minute. */
export function errorRules(prefix: string, threshold = 2, opts: { alertVersion?: number; alertMetric?: string } = {}): unknown[] {
  return [
    { id: `${prefix}.errors`, kind: 'metric', version: 1, online: true, period: '1m', groupBy: ['domain', 'app'], where: [{ field: 'level', op: '=', value: 'ERROR' }], aggregations: [{ as: 'errors', fn: 'count' }] },
    {
      id: `${prefix}.errors-high`,
      kind: 'alert',
      version: opts.alertVersion ?? 1,
      online: true,
      metric: opts.alertMetric ?? `${prefix}.errors`,
      when: [{ field: 'values.errors', op: '>=', value: threshold }],
      message: '{{key.app}} logged {{values.errors}} errors',
    },
  ];
}

/** A fresh folder holding `rules` as rules.json; returns the folder. */
export function ruleFolder(rules: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'logfed-task-rules-'));
  writeRules(dir, rules);
  return dir;
}

export function writeRules(dir: string, rules: unknown[], file = 'rules.json'): void {
  writeFileSync(join(dir, file), JSON.stringify({ rules }, null, 2));
}

export interface TestCompute {
  manager: TaskManager;
  store: RuleStore;
  /** Every event the tasks handed to the tail, in order. */
  tailed: LogEvent[];
}

/** A task manager over a rule folder, with tasks of `tasks`; not started. */
export function testCompute(
  bus: Bus,
  dir: string,
  tasks: TaskConfigInput[],
  extra: { compile?: CompileDeps; config?: Partial<ComputeConfigInput>; tail?: (events: LogEvent[]) => void; results?: Results } = {},
): TestCompute {
  const config = computeConfigSchema.parse({ rules: { source: 'files', dir, refreshSeconds: 0 }, tasks, ...extra.config });
  const store = createFileRuleStore({ dir });
  const tailed: LogEvent[] = [];
  const manager = new TaskManager(config, {
    bus,
    store,
    compile: { maskSecret: TEST_MASK_SECRET, ...extra.compile },
    tail: (events) => {
      for (const e of events) tailed.push(e);
      extra.tail?.(events);
    },
    lagIntervalMs: 200,
    results: extra.results,
  });
  return { manager, store, tailed };
}

/** A composite per app over an error-count metric and its alert: the errors summed plus 1,000 per alert that fired. */
export function errorScoreRule(id: string, period: string, metric: string, alert: string): unknown {
  return {
    id,
    kind: 'composite',
    version: 1,
    online: true,
    period,
    groupBy: ['app'],
    sources: [
      { alias: 'E', metric, value: 'n', reduce: 'sum' },
      { alias: 'A', alerts: alert, reduce: 'count' },
    ],
    formula: 'E + A * 1000',
    as: 'score',
  };
}
