import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createAlertEvaluator } from '../alerts/evaluator.js';
import type { AlertEvent } from '../alerts/types.js';
import { createWatermarkTracker } from '../windows/watermark.js';
import { createMetricAggregator } from './aggregator.js';
import { createCompositeAggregator } from './composite.js';
import type { CompositeSourceInfo } from './composite-schema.js';
import { createMetricProcessor } from './processed.js';
import type { MetricRow } from './row.js';
import { describeMetricRule } from './schema.js';
import { at, event } from './test-events.js';

const rules = parse(readFileSync(new URL('./testdata/rules.yaml', import.meta.url), 'utf8'));

describe('events through metrics, processed metrics, alerts and composites', () => {
  it('runs every example rule as a task would wire them', () => {
    const metrics = rules.metrics.map((r: unknown) => createMetricAggregator(r, { allowedLatenessMs: 10_000 }));
    const processor = createMetricProcessor(rules.processed[0], { lookup: (_t, m) => ({ owner: `team-${m.app}` }) });
    const lowSuccess = createAlertEvaluator(rules.alerts[0]);
    const others = rules.alerts.slice(1).map((r: unknown) => createAlertEvaluator(r));
    const info = (id: string) => describeMetricRule(metrics.find((m: { rule: { id: string } }) => m.rule.id === id)!.rule);
    const successKeys = [...info('api_success').keys, 'owner'];
    const sources: Record<string, CompositeSourceInfo> = {
      api_calls: { kind: 'metric', ...info('api_calls') },
      api_success_named: { kind: 'metric', period: '1m', keys: successKeys, values: ['ratio'] },
      low_success: { kind: 'alert', period: '1m', keys: successKeys },
    };
    const composites = rules.composites.map((r: unknown) => createCompositeAggregator(r, sources));
    const watermarks = createWatermarkTracker({ idleTimeoutMs: 30_000 });

    // 08:00-08:05:30: the charge interface of pay fails half of the time from 08:02 on
    const events = [];
    for (let s = 0; s < 330; s += 2) {
      const failing = s >= 120 && s % 4 === 0;
      const t = `08:0${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
      events.push(event(t, 'pay', { intf: 'charge', cost: 100 + s, result: failing ? -1 : 0, cpu: s % 7 }, `h${s % 3}`));
      events.push(event(t, 'pay', { intf: 'refund', cost: 50, result: 0, cpu: 1 }, 'h9'));
    }
    const rows: MetricRow[] = [];
    const alerts: AlertEvent[] = [];
    const composed: MetricRow[] = [];
    const closeUpTo = (now: number) => {
      const wm = watermarks.watermark(now);
      for (const m of metrics) {
        for (const r of m.advance(wm)) {
          rows.push(r);
          for (const p of processor.process(r)) {
            rows.push(p);
            for (const c of composites) c.push(p);
            for (const a of lowSuccess.evaluate(p, now)) {
              alerts.push(a);
              for (const c of composites) c.pushAlert(a);
            }
          }
          for (const c of composites) c.push(r);
          for (const o of others) o.evaluate(r, now);
        }
      }
      const through = Math.min(...metrics.map((m: { closedThrough(): number }) => m.closedThrough()));
      alerts.push(...lowSuccess.advance(through, now));
      for (const c of composites) composed.push(...c.advance(through));
    };
    events.forEach((e, offset) => {
      watermarks.observe(0, e.ts, e.ts);
      for (const m of metrics) m.push(e, 0, offset);
    });
    closeUpTo(at('08:05:30'));

    expect(metrics.every((m: { stats(): { late: number } }) => m.stats().late === 0)).toBe(true);
    expect(rows.filter((r) => r.ruleId === 'slowest' && r.label === at('08:01:00')).map((r) => r.key.rank)).toEqual(['1', '2', '3']);
    expect(rows.find((r) => r.ruleId === 'api_success_named' && r.key.result === 'failed' && r.label === at('08:03:00'))).toMatchObject({
      key: { app: 'pay', intf: 'charge', owner: 'team-pay' },
      values: { ratio: 0.5 },
    });
    // pending at 08:03, firing at 08:04 (for: 1m) and 08:05, with a message in Shanghai time
    expect(alerts.map((a) => [a.state, a.notify, new Date(a.at).toISOString().slice(11, 16)])).toEqual([
      ['pending', false, '08:03'],
      ['firing', true, '08:04'],
      ['firing', false, '08:05'],
    ]);
    expect(alerts[1]!.message).toBe('pay/charge success rate 0.5 at 2024-03-01 16:04:00');
    // the health of pay counts the one interface with a firing alert
    const health = composed.find((r) => r.ruleId === 'app_health')!;
    expect(health).toMatchObject({ key: { app: 'pay' }, label: at('08:05:00') });
    expect(health.values.C1).toBe(1);
    expect(health.values.B1).toBe(0.5);
    expect(composed.filter((r) => r.ruleId === 'calls_with_success' && r.label === at('08:01:00')).map((r) => r.key.intf).sort()).toEqual(['charge', 'refund']);
  });
});
