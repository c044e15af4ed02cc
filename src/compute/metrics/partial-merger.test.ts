import { describe, expect, it } from 'vitest';
import { createMetricAggregator, type MetricPartial } from './aggregator.js';
import { createPartialMerger } from './partial-merger.js';
import { validateMetricRule } from './schema.js';
import { at, sorted } from './test-events.js';

const rule = validateMetricRule({
  id: 'm',
  period: '1m',
  groupBy: ['app'],
  aggregations: [
    { as: 'n', fn: 'count' },
    { as: 'sum', fn: 'sum', field: 'cost' },
    { as: 'hosts', fn: 'distinct_count', field: 'host' },
  ],
});
const T = at('08:00:00');
const MIN = 60_000;
const ev = (sec: number, app: string, host: string, cost: number) => ({ ts: T + sec * 1000, domain: 'd', env: 'p', app, file: 'f', host, message: '', fields: { cost } });

/** The partials one input partition's phase one sends for its events. */
function partialsOf(events: ReturnType<typeof ev>[]): MetricPartial[] {
  const a = createMetricAggregator(rule);
  for (const e of events) a.push(e);
  return a.partial();
}

const merger = (sources = ['in/0', 'in/1'], idleTimeoutMs = 10_000) =>
  createPartialMerger({ sources, allowedLatenessMs: 0, idleTimeoutMs, rule: (id) => (id === 'm' ? rule : undefined), now: 0 });

const valuesOf = (rows: { key: Record<string, string>; values: Record<string, unknown> }[]) => Object.fromEntries(rows.map((r) => [r.key.app, r.values]));

describe('phase-two partial merger', () => {
  it('merges the partials of different input partitions and replaces one sent again by the same partition', () => {
    const m = merger();
    const p0 = partialsOf([ev(1, 'pay', 'h1', 10), ev(2, 'pay', 'h2', 5)]);
    const p1 = partialsOf([ev(3, 'pay', 'h2', 7), ev(4, 'shop', 'h3', 1)]);
    expect(p0.map((p) => m.offer('in/0', p, 0))).toEqual(['accepted']);
    for (const p of p1) m.offer('in/1', p, 1);
    // A replay of partition 0 (after a crash) sends its partial again: replaced, not added.
    expect(p0.map((p) => m.offer('in/0', p, 2))).toEqual(['replaced']);
    m.marker('in/0', T + MIN, 1);
    m.marker('in/1', T + MIN, 1);
    const rows = m.advance(2).rows;
    expect(valuesOf(rows)).toEqual({ pay: { n: 3, sum: 22, hosts: 2 }, shop: { n: 1, sum: 1, hosts: 1 } });
    const one = createMetricAggregator(rule);
    for (const e of [ev(1, 'pay', 'h1', 10), ev(2, 'pay', 'h2', 5), ev(3, 'pay', 'h2', 7), ev(4, 'shop', 'h3', 1)]) one.push(e);
    expect(sorted(rows)).toEqual(sorted(one.flush()));
    expect(m.stats().m).toMatchObject({ accepted: 3, replaced: 1, rows: 2, series: 0 });
  });

  it('closes a window only once the least marker of the input partitions has passed it', () => {
    const m = merger();
    for (const p of partialsOf([ev(10, 'pay', 'h1', 1)])) m.offer('in/0', p, 0);
    m.marker('in/0', T + 5 * MIN, 1);
    m.marker('in/1', T + 30_000, 1);
    expect(m.advance(2).rows).toEqual([]);
    expect(m.closedThrough('m')).toBe(T);
    m.marker('in/1', T + MIN, 3);
    expect(m.advance(4).rows.map((r) => r.windowStart)).toEqual([T]);
    expect(m.closedThrough('m')).toBe(T + MIN);
  });

  it('waits for an input partition that has sent nothing until it has been idle for the idle timeout', () => {
    const m = merger(['in/0', 'in/1'], 10_000);
    for (const p of partialsOf([ev(10, 'pay', 'h1', 1)])) m.offer('in/0', p, 0);
    m.marker('in/0', T + MIN, 1_000);
    expect(m.advance(9_000).rows).toEqual([]);
    // in/0 keeps advancing; in/1 never marked anything since the merger started at 0.
    m.marker('in/0', T + 2 * MIN, 10_500);
    expect(m.advance(10_500).rows).toHaveLength(1);
  });

  it('lets an input partition whose marker stopped advancing stop holding windows back', () => {
    const m = merger(['in/0', 'in/1'], 10_000);
    m.marker('in/1', T + 30_000, 0);
    for (const p of partialsOf([ev(10, 'pay', 'h1', 1)])) m.offer('in/0', p, 0);
    m.marker('in/0', T + MIN, 1_000);
    // The same marker again (sent on a timer) is not progress.
    m.marker('in/1', T + 30_000, 9_000);
    expect(m.advance(9_000).rows).toEqual([]);
    m.marker('in/1', T + 30_000, 10_500);
    m.marker('in/0', T + 2 * MIN, 10_500);
    expect(m.advance(10_500).rows).toHaveLength(1);
  });

  it('ignores a partial its partition sends after marking its window closed, and a partial of a closed window', () => {
    const m = merger();
    const [first] = partialsOf([ev(1, 'pay', 'h1', 10), ev(2, 'pay', 'h1', 10)]);
    const [partialReplay] = partialsOf([ev(2, 'pay', 'h1', 10)]);
    m.offer('in/0', first!, 0);
    m.marker('in/0', T + MIN, 1);
    // A new owner of in/0 replays part of the window: the marker says the full partial was sent.
    expect(m.offer('in/0', partialReplay!, 5)).toBe('replayed');
    m.marker('in/1', T + MIN, 1);
    expect(valuesOf(m.advance(2).rows)).toEqual({ pay: { n: 2, sum: 20, hosts: 1 } });
    expect(m.offer('in/1', partialReplay!, 6)).toBe('late');
    expect(m.offer('in/0', { ...partialReplay!, ruleId: 'other' }, 7)).toBe('unknown');
  });

  it('leaves out a partial whose state does not fit the rule, and closes the window with the rest', () => {
    const m = merger();
    const [good] = partialsOf([ev(1, 'pay', 'h1', 10)]);
    m.offer('in/0', good!, 0);
    expect(m.offer('in/1', { ...good!, accs: ['not a count', 0, 0] }, 1)).toBe('refused');
    expect(m.offer('in/1', { ...good!, accs: [1] }, 1)).toBe('refused');
    expect(m.offer('in/1', { ...good!, windowStart: good!.windowStart + 1 }, 1)).toBe('refused');
    m.marker('in/0', T + MIN, 1);
    m.marker('in/1', T + MIN, 1);
    expect(valuesOf(m.advance(2).rows)).toEqual({ pay: { n: 1, sum: 10, hosts: 1 } });
    expect(m.stats().m!.refused).toBe(3);
  });

  it('commits no further than the first partial of an open window, nor into a closed window it would replay in part', () => {
    const m = merger();
    const [w0] = partialsOf([ev(1, 'pay', 'h1', 1)]);
    const [w1] = partialsOf([ev(61, 'pay', 'h1', 1)]);
    m.offer('in/0', w0!, 10);
    m.offer('in/0', w1!, 11);
    m.offer('in/1', w0!, 12);
    expect(m.commitPoint(13)).toBe(10);
    m.marker('in/0', T + 2 * MIN, 1);
    m.marker('in/1', T + MIN, 1);
    expect(m.advance(2).rows.map((r) => r.windowStart)).toEqual([T]);
    // Window 0 (offsets 10 and 12) closed, window 1 (11) is open: committing 11 would replay half of window 0.
    expect(m.commitPoint(13)).toBe(10);
    m.marker('in/1', T + 2 * MIN, 3);
    m.advance(4);
    expect(m.commitPoint(13)).toBe(13);
  });
});
