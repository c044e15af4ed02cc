import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogfedError } from '../errors/index.js';
import type { Logstore } from '../topology/types.js';
import { BreakerRegistry } from './breaker.js';
import { createLimiters, fanOut, type FanoutDeps } from './fanout.js';
import { normaliseInput } from './normalise.js';
import { DEFAULT_LIMITS, type PlannedTarget, type QueryContext, type QueryLimits } from './request.js';
import { deferred, ev, FakeAdapter, store, type FakeAdapterOptions } from './testing.js';
import type { Adapter } from './types.js';

const NOW = 1_000_000;
const limits: QueryLimits = { ...DEFAULT_LIMITS, targetTimeoutMs: 1000, retries: 2, retryBaseMs: 10, retryMaxMs: 10 };
const query = (first = 10) => normaliseInput({ first, from: 0, to: NOW }, limits, NOW);

function targets(specs: Array<[string, Partial<Logstore>?]>): PlannedTarget[] {
  return specs.map(([id, over], rank) => ({ target: { id, logstore: store(id, over), domain: 'd', env: 'prod' }, rank }));
}

function deps(over: Partial<FanoutDeps> = {}, concurrency = 64, perBackend = 64): FanoutDeps {
  return { limiters: createLimiters(concurrency, perBackend), breakers: new BreakerRegistry({ failures: 2, coolDownMs: 10_000 }), ...over };
}

function ctx(adapters: Record<string, Adapter>, signal?: AbortSignal): QueryContext {
  return { topology: { domainNames: async () => [], logstoresByDomains: async () => [] }, adapters: (b) => adapters[b], signal };
}

const flush = () => new Promise((r) => setImmediate(r));
const rowsOf = (from: number, n: number) => Array.from({ length: n }, (_, i) => ev(from - i));
const brief = (os: Awaited<ReturnType<typeof fanOut>>) => os.map((o) => [o.status.logstore, o.status.status, o.status.rows]);

describe('fanOut', () => {
  afterEach(() => vi.useRealTimers());

  it('returns one outcome per target, and a failing or missing backend never fails the query', async () => {
    const good = new FakeAdapter().add('a', rowsOf(500, 3)).add('b', rowsOf(400, 20));
    const bad = new FakeAdapter({ fail: () => new LogfedError('BACKEND_ERROR', 'table is gone') });
    const os = await fanOut(
      ctx({ fake: good, broken: bad }),
      query(),
      limits,
      [targets([['a'], ['b'], ['c', { backend: 'broken' }], ['d', { backend: 'nowhere' }]])],
      deps(),
    );
    expect(brief(os)).toEqual([
      ['a', 'OK', 3],
      ['b', 'OK', 10],
      ['c', 'ERROR', 0],
      ['d', 'ERROR', 0],
    ]);
    expect(os[2]!.status.error).toBe('table is gone');
    expect(os[3]!.status.error).toBe('no adapter is configured for backend "nowhere"');
    expect(os[1]!.read?.done).toBe(false);
  });

  it('never runs more than the global and per-backend limits at once', async () => {
    const active: Record<string, number> = { x: 0, y: 0, all: 0 };
    const peak: Record<string, number> = { x: 0, y: 0, all: 0 };
    const gates: Array<() => void> = [];
    const adapter = (name: string): FakeAdapter =>
      new FakeAdapter({
        gate: () => {
          for (const k of [name, 'all']) peak[k] = Math.max(peak[k]!, ++active[k]!);
          const g = deferred();
          gates.push(() => {
            active[name]!--;
            active.all!--;
            g.resolve();
          });
          return g.promise;
        },
      });
    const ts = targets([...'abcdef'].map((id, i) => [id, { backend: i % 3 === 0 ? 'y' : 'x' }] as [string, Partial<Logstore>]));
    const run = fanOut(ctx({ x: adapter('x'), y: adapter('y') }), query(), limits, [ts], deps({}, 3, 2));
    for (let i = 0; i < 20 && gates.length < 6; i++) {
      await flush();
      gates.splice(0).forEach((open) => open());
      await flush();
    }
    const os = await run;
    expect(os.every((o) => o.status.status === 'OK')).toBe(true);
    expect(peak.x).toBe(2);
    expect(peak.all).toBe(3);
  });

  it('times a target out even when its adapter ignores the signal', async () => {
    vi.useFakeTimers();
    const hang = new FakeAdapter({ honoursSignal: false, gate: () => new Promise(() => {}) });
    const run = fanOut(ctx({ fake: hang }), query(), limits, [targets([['slow']])], deps());
    await vi.advanceTimersByTimeAsync(limits.targetTimeoutMs);
    const [o] = await run;
    expect(o!.status).toMatchObject({ status: 'TIMEOUT', error: 'timed out after 1000 ms', rows: 0 });
  });

  it('retries only retriable failures', async () => {
    const flaky = new FakeAdapter({ fail: (_r, call) => (call === 0 ? new LogfedError('BACKEND_UNAVAILABLE', 'reset') : undefined) }).add('a', rowsOf(9, 2));
    const [o] = await fanOut(ctx({ fake: flaky }), query(), limits, [targets([['a']])], deps());
    expect(o!.status.status).toBe('OK');
    expect(flaky.calls).toHaveLength(2);

    const wrong = new FakeAdapter({ fail: () => new LogfedError('BACKEND_ERROR', 'syntax') });
    await fanOut(ctx({ fake: wrong }), query(), limits, [targets([['a']])], deps());
    expect(wrong.calls).toHaveLength(1);
  });

  it('opens a logstore circuit after consecutive failures and skips it without a call', async () => {
    let t = 0;
    const d = deps({ breakers: new BreakerRegistry({ failures: 2, coolDownMs: 100, now: () => t }) });
    const failing = new FakeAdapter({ fail: () => new LogfedError('BACKEND_ERROR', 'down') });
    const once = () => fanOut(ctx({ fake: failing }), query(), limits, [targets([['s']])], d);
    await once();
    await once();
    const [skipped] = await once();
    expect(skipped!.status).toMatchObject({ status: 'SKIPPED', reason: 'circuit open' });
    expect(failing.calls).toHaveLength(2);
    t += 100;
    const [probe] = await once();
    expect(probe!.status.status).toBe('ERROR');
    expect(failing.calls).toHaveLength(3);
  });

  it('cancels a running or queued target that can no longer reach the page', async () => {
    const pending = deferred();
    const slow = new FakeAdapter({ gate: (r) => (r.target.id === 'old' ? pending.promise : undefined) })
      .add('old', rowsOf(100, 5))
      .add('older', rowsOf(50, 5))
      .add('maybe', rowsOf(950, 2));
    const fast = new FakeAdapter().add('new', rowsOf(900, 20));
    const ts = targets([['new', { backend: 'fast' }], ['old', { maxTs: 100 }], ['older', { maxTs: 50 }], ['maybe', { maxTs: 950 }]]);
    const os = await fanOut(ctx({ fast, fake: slow }), query(10), limits, [ts], deps({}, 2, 1));
    expect(brief(os)).toEqual([
      ['new', 'OK', 10],
      ['old', 'CANCELLED', 0],
      ['older', 'CANCELLED', 0],
      ['maybe', 'OK', 2],
    ]);
    expect(os.slice(1).map((o) => o.deferred)).toEqual([true, true, undefined]);
    expect(slow.calls.map((c) => c.target.id)).toEqual(['old', 'maybe']);
    expect(slow.calls[0]!.signal.aborted).toBe(true);
    pending.resolve();
  });

  it('settles every target as CANCELLED at once when the request is aborted', async () => {
    const ac = new AbortController();
    const hang = new FakeAdapter({ honoursSignal: false, gate: () => new Promise(() => {}) });
    const run = fanOut(ctx({ fake: hang }, ac.signal), query(), limits, [targets([['a'], ['b'], ['c']])], deps({}, 1, 1));
    await flush();
    ac.abort();
    const os = await run;
    expect(os.map((o) => [o.status.status, o.status.reason])).toEqual(Array(3).fill(['CANCELLED', 'request cancelled']));
    expect(os.every((o) => !o.deferred)).toBe(true);
  });

  it('runs batches one after another, and a later batch that cannot reach the page is never asked', async () => {
    const order: string[] = [];
    const adapter = new FakeAdapter({ gate: (r) => void order.push(r.target.id) }).add('a', rowsOf(900, 10)).add('b', rowsOf(800, 10));
    const [first, second] = [targets([['a'], ['b']]), targets([['c', { maxTs: 10 }], ['d']])];
    const os = await fanOut(ctx({ fake: adapter }), query(10), limits, [first, second], deps());
    expect(order).toEqual(['a', 'b', 'd']);
    expect(brief(os).map(([id, s]) => [id, s])).toEqual([
      ['a', 'OK'],
      ['b', 'OK'],
      ['c', 'CANCELLED'],
      ['d', 'OK'],
    ]);
  });
});
