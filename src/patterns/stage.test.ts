import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../core/event.js';
import { createMemoryPatternData, createMemoryPatternStore } from './memory-store.js';
import { createPatternStage, type PatternUpdate } from './stage.js';
import type { PatternStore } from './store.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 21, 8, 0, 0);

const ev = (message: string, ts = T0, over: Partial<LogEvent> = {}): LogEvent => ({
  ts,
  domain: 'shop',
  env: 'prod',
  app: 'cart',
  file: 'app.log',
  message,
  ...over,
});

function setup(over: { store?: PatternStore; clock?: () => number } = {}) {
  const store = over.store ?? createMemoryPatternStore();
  const stage = createPatternStage({ store, clock: over.clock ?? (() => T0) });
  const updates: PatternUpdate[][] = [];
  stage.onUpdates((u) => updates.push([...u]));
  return { store, stage, updates };
}

describe('pattern stage: push', () => {
  it('adds the pattern and top pattern to the event, keeping its fields and leaving the input alone', () => {
    const { stage } = setup();
    const input = ev('cache warmed in 12 ms', T0, { fields: { thread: 'main' } });
    const out = stage.push(input);
    expect(out.fields).toMatchObject({ thread: 'main', pattern: expect.stringMatching(/^p[0-9a-f]{14}$/), topPattern: expect.stringMatching(/^t/) });
    expect(input.fields).toStrictEqual({ thread: 'main' });
    expect(stage.push(ev('cache warmed in 907 ms')).fields?.pattern).toBe(out.fields?.pattern);
    expect(stage.push(ev('connection reset by peer')).fields?.pattern).not.toBe(out.fields?.pattern);
  });

  it('mines each (domain, app) with its own miner', async () => {
    const { stage, store } = setup();
    const a = stage.push(ev('connected to db01'));
    const b = stage.push(ev('connected to db01', T0, { app: 'user' }));
    stage.push(ev('connected to db02'));
    await stage.flush();
    // cart generalised its template; user, which saw one host only, did not.
    expect(a.fields?.pattern).toBe(b.fields?.pattern);
    expect((await store.list({ apps: ['user'], order: 'count', limit: 10 })).map((r) => r.template)).toStrictEqual(['connected to db01']);
    expect((await store.list({ apps: ['cart'], order: 'count', limit: 10 })).map((r) => r.template)).toStrictEqual(['connected to <*>']);
    expect(stage.stats()).toMatchObject({ events: 3, apps: 2 });
  });

  it('mines empty, 1 MiB and binary messages without failing, and keeps samples short', async () => {
    const { stage, store } = setup();
    const binary = Array.from({ length: 4096 }, (_, i) => String.fromCharCode((i * 7919) % 65536)).join('');
    for (const message of ['', '   ', 'x'.repeat(1024 * 1024), 'word '.repeat(200_000), binary, '\u0000\ud800 \uffff', undefined as unknown as string]) {
      expect(typeof stage.push(ev(message)).fields?.pattern).toBe('string');
    }
    await stage.flush();
    const records = await store.list({ order: 'count', limit: 100 });
    expect(records.reduce((n, r) => n + r.count, 0)).toBe(7);
    for (const r of records) for (const s of r.samples) expect(s.length).toBeLessThanOrEqual(512);
  });

  it('uses the clock for an event without a usable timestamp', async () => {
    const { stage, store } = setup({ clock: () => T0 + 5 * MIN });
    stage.push(ev('tick', Number.NaN));
    await stage.flush();
    expect((await store.list({ order: 'count', limit: 1 }))[0]).toMatchObject({ firstSeen: T0 + 5 * MIN, lastSeen: T0 + 5 * MIN });
  });
});

describe('pattern stage: flush', () => {
  it('reports each changed pattern once per flush: new first, then counts with the delta', async () => {
    const { stage, updates } = setup();
    stage.push(ev('cache warmed in 12 ms', T0 + 1));
    stage.push(ev('cache warmed in 15 ms', T0 + 2));
    stage.push(ev('payment 7 accepted', T0 + 3));
    await stage.flush();
    expect(updates).toHaveLength(1);
    expect(updates[0]!.map((u) => [u.template, u.kind, u.count, u.delta])).toStrictEqual([
      ['cache warmed in <*> ms', 'new', 2, 2],
      ['payment <*> accepted', 'new', 1, 1],
    ]);
    expect(updates[0]![0]).toMatchObject({ domain: 'shop', app: 'cart', firstSeen: T0 + 1, lastSeen: T0 + 2, sample: 'cache warmed in 12 ms', merged: [] });

    await stage.flush();
    expect(updates).toHaveLength(1); // nothing changed, nothing reported

    stage.push(ev('cache warmed in 99 ms', T0 + 9));
    await stage.flush();
    expect(updates[1]!.map((u) => [u.template, u.kind, u.count, u.delta, u.lastSeen])).toStrictEqual([['cache warmed in <*> ms', 'count', 3, 1, T0 + 9]]);
  });

  it('writes counts, first and last seen, distinct samples and per-minute buckets to the store', async () => {
    const { stage, store } = setup();
    const ids = new Set<unknown>();
    for (let i = 0; i < 8; i++) ids.add(stage.push(ev(`cache warmed in ${i % 3} ms`, T0 + i * 20_000)).fields?.pattern);
    await stage.flush();
    expect(ids.size).toBe(1);
    const [id] = [...ids] as string[];
    expect(await store.get('shop', 'cart', id!)).toMatchObject({
      count: 8,
      firstSeen: T0,
      lastSeen: T0 + 140_000,
      samples: ['cache warmed in 0 ms', 'cache warmed in 1 ms', 'cache warmed in 2 ms'],
    });
    expect(await store.history('shop', 'cart', id!, T0, T0 + 10 * MIN)).toStrictEqual([
      { ts: T0, count: 3 },
      { ts: T0 + MIN, count: 3 },
      { ts: T0 + 2 * MIN, count: 2 },
    ]);
  });

  it('follows the miner when a template generalises: the old id folds into the new one everywhere', async () => {
    const { stage, store, updates } = setup();
    const first = stage.push(ev('connected to db01', T0)).fields?.pattern as string;
    await stage.flush();
    const second = stage.push(ev('connected to db02', T0 + 1)).fields?.pattern as string;
    await stage.flush();
    expect(second).not.toBe(first);
    expect(stage.resolve('shop', 'cart', first)).toBe(second);
    expect(updates[1]).toStrictEqual([expect.objectContaining({ patternId: second, kind: 'new', count: 2, delta: 1, merged: [first] })]);
    expect(await store.get('shop', 'cart', first)).toBeUndefined();
    expect(await store.get('shop', 'cart', second)).toMatchObject({ template: 'connected to <*>', count: 2, samples: ['connected to db01', 'connected to db02'] });
    expect(await store.history('shop', 'cart', second, T0, T0 + MIN)).toStrictEqual([{ ts: T0, count: 2 }]);
  });

  it('folds within one flush too, reporting only the surviving pattern', async () => {
    const { stage, store, updates } = setup();
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin']) stage.push(ev(`user ${name} logged in`));
    await stage.flush();
    expect(updates[0]!.map((u) => [u.template, u.count])).toStrictEqual([['user <*> logged in', 5]]);
    expect(updates[0]![0]!.merged.length).toBeGreaterThanOrEqual(3);
    expect((await store.list({ order: 'count', limit: 10 })).map((r) => [r.template, r.count])).toStrictEqual([['user <*> logged in', 5]]);
  });

  it('keeps a batch the store refused and writes it, in order, with the next flush', async () => {
    const inner = createMemoryPatternStore();
    let failNext = true;
    const flaky: PatternStore = {
      ...inner,
      write: (batch) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('connection lost'));
        }
        return inner.write(batch);
      },
    };
    const { stage, store } = setup({ store: flaky });
    const first = stage.push(ev('connected to db01')).fields?.pattern as string;
    await stage.flush();
    expect(stage.stats()).toMatchObject({ failedWrites: 1, queuedBatches: 1 });
    const second = stage.push(ev('connected to db02')).fields?.pattern as string;
    await stage.flush();
    expect(stage.stats()).toMatchObject({ failedWrites: 1, queuedBatches: 0 });
    expect(await store.get('shop', 'cart', first)).toBeUndefined();
    expect((await store.get('shop', 'cart', second))?.count).toBe(2);
  });

  it('drops the oldest batches past its queue while the store is down, and counts them', async () => {
    const inner = createMemoryPatternStore();
    const down: PatternStore = { ...inner, write: () => Promise.reject(new Error('down')) };
    const stage = createPatternStage({ store: down, clock: () => T0, maxQueuedBatches: 2 });
    for (let i = 0; i < 5; i++) {
      stage.push(ev(`line ${i}`));
      await stage.flush();
    }
    expect(stage.stats()).toMatchObject({ queuedBatches: 2, droppedBatches: 3, failedWrites: 5 });
  });

  it('survives a listener that throws', async () => {
    const { stage, updates } = setup();
    stage.onUpdates(() => {
      throw new Error('bad listener');
    });
    stage.push(ev('hello'));
    await stage.flush();
    expect(updates).toHaveLength(1);
  });

  it('prunes history older than the retention, by its clock', async () => {
    const store = createMemoryPatternStore();
    const stage = createPatternStage({ store, clock: () => T0 + 10 * MIN, historyRetentionMs: 5 * MIN });
    const id = stage.push(ev('old', T0)).fields?.pattern as string;
    stage.push(ev('old', T0 + 6 * MIN));
    await stage.flush();
    expect(await stage.prune()).toBe(1);
    expect(await store.history('shop', 'cart', id, 0, T0 + 20 * MIN)).toStrictEqual([{ ts: T0 + 6 * MIN, count: 1 }]);
  });

  it('refuses bad options, naming the field', () => {
    const store = createMemoryPatternStore();
    expect(() => createPatternStage({ store, bucketMs: 0 })).toThrow(/bucketMs.*got 0/);
    expect(() => createPatternStage({ store, miner: { similarity: 2 } })).toThrow(/similarity/);
  });
});

describe('pattern stage: restart', () => {
  it('continues where the last process stopped: same ids, counts carried on, nothing reported as new', async () => {
    const data = createMemoryPatternData();
    const a = setup({ store: createMemoryPatternStore({ data }) });
    const id = a.stage.push(ev('payment 1 accepted', T0)).fields?.pattern;
    a.stage.push(ev('payment 2 accepted', T0 + 1));
    await a.stage.flush();
    await a.stage.snapshot();

    const b = setup({ store: createMemoryPatternStore({ data }) });
    expect(await b.stage.restore()).toBe(1);
    expect(b.stage.push(ev('payment 3 accepted', T0 + 2)).fields?.pattern).toBe(id);
    await b.stage.flush();
    expect(b.updates[0]).toStrictEqual([expect.objectContaining({ kind: 'count', count: 3, delta: 1 })]);
    expect(await b.store.get('shop', 'cart', id as string)).toMatchObject({ count: 3, firstSeen: T0, lastSeen: T0 + 2 });
  });

  it('saves only the miners that learned something, and saves them again after a failure', async () => {
    const inner = createMemoryPatternStore();
    let saves = 0;
    let fail = true;
    const store: PatternStore = {
      ...inner,
      saveMiners: (m) => {
        saves += m.length;
        if (fail) return Promise.reject(new Error('down'));
        return inner.saveMiners(m);
      },
    };
    const { stage } = setup({ store });
    stage.push(ev('a'));
    stage.push(ev('b', T0, { app: 'user' }));
    await expect(stage.snapshot()).rejects.toThrow('down');
    fail = false;
    await stage.snapshot();
    await stage.snapshot();
    expect(saves).toBe(4);
    expect((await inner.loadMiners()).map((m) => m.app).sort()).toStrictEqual(['cart', 'user']);
  });
});
