import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../core/event.js';
import { at, event } from '../metrics/test-events.js';
import type { RuleState } from '../results/index.js';
import { validateRule } from '../rules/index.js';
import { compileMetricStage, type MetricStage, type MetricStageOptions } from './metric-stage.js';
import { errorScoreRule } from './testing.js';

const errorsRule = { id: 'errors', kind: 'metric', version: 1, online: true, period: '1m', groupBy: ['app'], where: [{ field: 'level', op: '=', value: 'ERROR' }], aggregations: [{ as: 'n', fn: 'count' }] };
const alertRule = { id: 'errors-high', kind: 'alert', version: 1, online: true, metric: 'errors', for: '1m', when: [{ field: 'values.n', op: '>=', value: 2 }] };
const healthRule = errorScoreRule('health', '5m', 'errors', 'errors-high') as { id: string };
const rules = (...changed: object[]) => [errorsRule, alertRule, healthRule].map((r) => validateRule(changed.find((c) => (c as { id: string }).id === r.id) ?? r));
const OPTS: MetricStageOptions = { allowedLatenessMs: 0, idleTimeoutMs: 3_600_000 };

/** `n` errors of app pay in minute `m` (08:0m), and an INFO at the start of the next minute to close it. */
const minute = (m: number, n: number): LogEvent[] => [
  ...Array.from({ length: n }, (_, i) => ({ ...event(`08:0${m}:${String(10 + i).padStart(2, '0')}`, 'pay'), level: 'ERROR' })),
  event(`08:0${m + 1}:00`, 'pay'),
];
let offset = 0;
function feed(stage: MetricStage, events: LogEvent[]) {
  stage.push(events, 0, events.map(() => offset++));
  return stage.advance(0);
}
const saved = (states: RuleState[]) => new Map(states.map((s) => [s.ruleId, JSON.parse(JSON.stringify(s)) as RuleState]));
const scores = (stage: MetricStage, ...minutes: LogEvent[][]) => minutes.flatMap((m) => feed(stage, m).rows.filter((r) => r.ruleId === 'health').map((r) => r.values));

describe('alert and composite state in the metric stage', () => {
  it('hands out the state of the rules an advance changed, and a stage started from it goes on as the first would', () => {
    const first = compileMetricStage(rules(), OPTS);
    const states = [minute(0, 3), minute(1, 3)].flatMap((m) => feed(first, m).states);
    expect([...new Set(states.map((s) => s.ruleId))].sort()).toEqual(['errors-high', 'health']);
    expect(first.stats()['errors-high']).toMatchObject({ series: 1 });
    // What a restarted task builds: windows written so far closed, alert and composite from their state.
    const restarted = compileMetricStage(rules(), { ...OPTS, replay: true, resume: new Map([['errors', at('08:02:00')]]), saved: saved(states) });
    const rest = [minute(2, 3), minute(3, 1), minute(4, 0), minute(5, 0)];
    const alerts = (s: MetricStage) => rest.flatMap((m) => feed(s, m).alerts.map((a) => `${a.state}@${new Date(a.at).toISOString().slice(11, 16)}`));
    expect(alerts(restarted)).toEqual(['firing@08:03', 'resolved@08:04']);
    expect(alerts(first)).toEqual(['firing@08:03', 'resolved@08:04']);
    // The composite window 08:00-08:05 kept minutes 0 and 1 through the restart.
    expect(scores(restarted, minute(6, 0))).toEqual([]);
    const fresh = compileMetricStage(rules(), { ...OPTS, replay: true, resume: new Map([['errors', at('08:02:00')]]) });
    expect(alerts(fresh)).toEqual(['pending@08:03']);
  });

  it('carries an unchanged composite across a reload, even when a rule it reads changed', () => {
    const runs = [[], [{ ...alertRule, version: 2 }], [{ ...errorsRule, version: 2, aggregations: [{ as: 'n', fn: 'count' }, { as: 'm', fn: 'count' }] }]].map((changed) => {
      let stage = compileMetricStage(rules(), OPTS);
      feed(stage, minute(0, 3));
      feed(stage, minute(1, 3));
      stage = compileMetricStage(rules(...changed), OPTS, stage);
      return scores(stage, minute(2, 1), minute(3, 1), minute(4, 1));
    });
    expect(runs[0]).toEqual([{ E: 9, A: 1, score: 1009 }]);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
  });

  it('starts a rule fresh, and builds the stage, when its saved state is damaged or was saved under another definition', () => {
    const first = compileMetricStage(rules(), OPTS);
    const states = saved([minute(0, 3), minute(1, 3)].flatMap((m) => feed(first, m).states));
    const damaged = new Map([...states].map(([id, s]) => [id, { ...s, state: { version: 1, ruleId: id, series: 'x', windows: 'y' } }]));
    const foreign = new Map([...states].map(([id, s]) => [id, { ...s, print: 'another definition' }]));
    for (const bad of [damaged, foreign]) {
      const stage = compileMetricStage(rules(), { ...OPTS, replay: true, saved: bad });
      expect(stage.stats()).toMatchObject({ 'errors-high': { series: 0 }, health: { series: 0 } });
    }
    const restored = compileMetricStage(rules(), { ...OPTS, replay: true, saved: states });
    expect(restored.stats()).toMatchObject({ 'errors-high': { series: 1 }, health: { series: 1 } });
  });
});
