import { describe, expect, it } from 'vitest';
import { adviseRule, adviseTask, type AdviceInput, type AdviceRuleInput } from './advice.js';
import type { MetricRuleStats } from './metric-stage.js';

const MIN = 60_000;
const START = Date.parse('2026-11-21T03:00:00Z');

const stats = (s: Partial<MetricRuleStats> = {}): MetricRuleStats => ({ series: 2, maxSeries: 100, received: 100, matched: 50, late: 0, dropped: 0, rowsEmitted: 4, periodMs: MIN, ...s });
const rule = (s: Partial<MetricRuleStats> = {}, kind = 'metric'): AdviceRuleInput => ({ id: 'r', kind, stats: stats(s) });
const input = (over: Partial<AdviceInput> = {}): AdviceInput => ({ now: START + 10 * MIN, state: 'RUNNING', startedAt: START, lagReadings: [], rules: [], ...over });

describe('task advice', () => {
  it('is OK for a running task whose rules emit within their periods', () => {
    const r = rule({ lastEmittedAt: START + 9 * MIN, matchedAtLastEmit: 40 });
    expect(adviseTask(input({ rules: [r], lagReadings: [5, 3, 4] }))).toEqual({ verdict: 'OK', reasons: [], rules: [{ id: 'r', verdict: 'OK', reasons: [] }] });
  });

  it('fails a rule quiet for 3 periods while matching events keep coming: its windows do not close', () => {
    const a = adviseRule(rule({ lastEmittedAt: START + 6 * MIN, matched: 50, matchedAtLastEmit: 30 }), input());
    expect(a.verdict).toBe('FAIL');
    expect(a.reasons).toEqual([expect.stringMatching(/^emitted nothing for 4 periods of 1m while 20 matching events came in: its windows are not closing/)]);
    // Two periods quiet is not yet three.
    expect(adviseRule(rule({ lastEmittedAt: START + 8 * MIN, matched: 50, matchedAtLastEmit: 30 }), input()).verdict).toBe('OK');
  });

  it('warns about a quiet rule whose input has nothing matching, or no input at all', () => {
    const noMatch = adviseRule(rule({ lastEmittedAt: START + 5 * MIN, matched: 30, matchedAtLastEmit: 30 }), input());
    expect(noMatch).toMatchObject({ verdict: 'WARN', reasons: [expect.stringContaining('none of its input matches it since it last emitted')] });
    const never = adviseRule(rule({ received: 0, matched: 0, rowsEmitted: 0 }), input());
    expect(never).toMatchObject({ verdict: 'WARN', reasons: ['emitted nothing for 10 periods of 1m: it has received no input'] });
    // Counted from the start when it never emitted: a task started 2 minutes ago is not flagged.
    expect(adviseRule(rule({ received: 0, matched: 0 }), input({ startedAt: START + 8 * MIN })).verdict).toBe('OK');
    // Alert rules emit only on a change of state, and a stopped task is flagged as a task instead.
    expect(adviseRule(rule({ received: 0, matched: 0 }, 'alert'), input()).verdict).toBe('OK');
    expect(adviseRule(rule({ received: 0, matched: 0 }), input({ state: 'STOPPED' })).verdict).toBe('OK');
  });

  it('warns when the late share passes the threshold, once enough events were seen', () => {
    const fresh = { lastEmittedAt: START + 9 * MIN };
    expect(adviseRule(rule({ ...fresh, received: 100, late: 5 }), input()).verdict).toBe('OK');
    const late = adviseRule(rule({ ...fresh, received: 100, late: 6 }), input());
    expect(late).toMatchObject({ verdict: 'WARN', reasons: [expect.stringMatching(/^6% of its events came after their window closed \(6 of 100; above 5%\)/)] });
    expect(adviseRule(rule({ ...fresh, received: 10, late: 5 }), input()).verdict).toBe('OK');
  });

  it('warns near the series cap and fails at it once series are dropped', () => {
    const fresh = { lastEmittedAt: START + 9 * MIN };
    expect(adviseRule(rule({ ...fresh, series: 79 }), input()).verdict).toBe('OK');
    expect(adviseRule(rule({ ...fresh, series: 80 }), input())).toMatchObject({ verdict: 'WARN', reasons: ['80 open series, 80% of its cap of 100'] });
    expect(adviseRule(rule({ ...fresh, series: 100, dropped: 7 }), input())).toMatchObject({ verdict: 'FAIL', reasons: ['at its series cap of 100: 7 events of new series were dropped'] });
  });

  it('warns when lag grew at each of the last readings, not when it merely is high', () => {
    const growing = adviseTask(input({ lagReadings: [0, 10, 20, 35] }));
    expect(growing).toMatchObject({ verdict: 'WARN', reasons: [expect.stringContaining('consumer lag grew at each of the last 3 readings (10 → 20 → 35)')] });
    expect(adviseTask(input({ lagReadings: [500, 500, 500] })).verdict).toBe('OK');
    expect(adviseTask(input({ lagReadings: [10, 20] })).verdict).toBe('OK');
    expect(adviseTask(input({ lagReadings: [10, 30, 20] })).verdict).toBe('OK');
  });

  it('warns a metric task without scaleOut that shares its input with other members of its group', () => {
    const r = rule({ lastEmittedAt: START + 9 * MIN });
    const shared = adviseTask(input({ rules: [r], partitions: { owned: 2, total: 3, group: 'logfed-task-m' } }));
    expect(shared).toMatchObject({ verdict: 'WARN', reasons: [expect.stringMatching(/^group logfed-task-m shares the input .* owns 2 of 3 partitions.*set scaleOut$/)] });
    expect(adviseTask(input({ rules: [r], partitions: { owned: 3, total: 3, group: 'g' } })).verdict).toBe('OK');
    // Without metric rules nothing is aggregated: sharing partitions is what a group is for.
    expect(adviseTask(input({ rules: [rule({ lastEmittedAt: START + 9 * MIN }, 'alert')], partitions: { owned: 1, total: 3, group: 'g' } })).verdict).toBe('OK');
  });

  it('takes the worst of the task and its rules, naming the rules that are not OK', () => {
    const bad = { id: 'capped', kind: 'metric', stats: stats({ lastEmittedAt: START + 9 * MIN, series: 100, dropped: 1 }) };
    const good = { id: 'fine', kind: 'metric', stats: stats({ lastEmittedAt: START + 9 * MIN }) };
    const a = adviseTask(input({ rules: [good, bad], lagError: 'broker down' }));
    expect(a.verdict).toBe('FAIL');
    expect(a.reasons).toEqual(['consumer lag could not be read: broker down', 'rule capped: FAIL']);
    expect(a.rules.map((r) => [r.id, r.verdict])).toEqual([['fine', 'OK'], ['capped', 'FAIL']]);
    expect(adviseTask(input({ state: 'FAILED', lastError: 'no rules load' }))).toMatchObject({ verdict: 'FAIL', reasons: ['the task failed: no rules load'] });
    expect(adviseTask(input({ state: 'STOPPED' }))).toMatchObject({ verdict: 'WARN', reasons: ['the task is stopped'] });
  });
});
