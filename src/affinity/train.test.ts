import { describe, expect, it } from 'vitest';
import { affinityMetrics } from './metrics.js';
import { createMemoryAffinityStore } from './memory-store.js';
import type { AffinityStore, AppRef } from './store.js';
import { appsToPair, MAX_PAIRED_APPS, trainFromQuery } from './train.js';

const app = (name: string, domain = 'shop'): AppRef => ({ domain, app: name });
const fresh = () => createMemoryAffinityStore({ halfLifeMs: Infinity });

describe('trainFromQuery', () => {
  it('adds 5 to user→app for each app a query names, and learns no pairs from its results', async () => {
    const store = fresh();
    const outcome = await trainFromQuery(store, {
      user: 'ann',
      namedApps: [app('order'), app('cart'), app('order')],
      resultApps: [app('order'), app('gw', 'pay')],
    });
    expect(outcome).toBe('applied');
    expect(await store.userAppScores('ann', [app('order'), app('cart'), app('gw', 'pay')])).toStrictEqual([5, 5, 0]);
    expect(await store.appPairScores(app('order'), [app('gw', 'pay')])).toStrictEqual([0]);
  });

  it('for a keyword query adds 1 to user→app per distinct result app and 1 to every pair found together', async () => {
    const store = fresh();
    const rows = [app('order'), app('gw', 'pay'), app('order'), app('stock'), app('order')];
    await trainFromQuery(store, { user: 'ann', namedApps: [], resultApps: rows });
    await trainFromQuery(store, { user: 'ann', namedApps: [], resultApps: [app('order'), app('stock')] });
    expect(await store.userAppScores('ann', [app('order'), app('gw', 'pay'), app('stock')])).toStrictEqual([2, 1, 2]);
    expect(await store.appPairScores(app('order'), [app('gw', 'pay'), app('stock')])).toStrictEqual([1, 2]);
    expect(await store.appPairScores(app('stock'), [app('gw', 'pay'), app('order')])).toStrictEqual([1, 2]);
  });

  it('trains only the app↔app network for an anonymous keyword query', async () => {
    const store = fresh();
    expect(await trainFromQuery(store, { namedApps: [], resultApps: [app('a'), app('b')] })).toBe('applied');
    expect(await store.appPairScores(app('a'), [app('b')])).toStrictEqual([1]);
    expect(await trainFromQuery(store, { namedApps: [app('a')], resultApps: [] })).toBe('skipped');
  });

  it('skips a keyword query that found nothing, and pairs nothing from a single app', async () => {
    const store = fresh();
    expect(await trainFromQuery(store, { user: 'ann', namedApps: [], resultApps: [] })).toBe('skipped');
    expect(await trainFromQuery(store, { user: 'ann', namedApps: [], resultApps: [app('a'), app('a')] })).toBe('applied');
    expect(await store.userAppScores('ann', [app('a')])).toStrictEqual([1]);
    expect((await store.appNeighbours([app('a')], 5))[0]).toStrictEqual({ total: 0, top: [] });
  });

  it('pairs at most MAX_PAIRED_APPS apps of one result set, the most frequent, but credits the user with all', async () => {
    const store = fresh();
    const many = Array.from({ length: MAX_PAIRED_APPS + 10 }, (_, i) => app(`a${String(i).padStart(2, '0')}`));
    const rare = many[0];
    const rows = [...many, ...many.slice(1)]; // every app twice except a00
    await trainFromQuery(store, { user: 'ann', namedApps: [], resultApps: rows });
    expect((await store.userAppScores('ann', [rare]))[0]).toBe(1);
    const [rareRow, paired] = await store.appNeighbours([rare, many[1]], 100);
    expect(rareRow.total).toBe(0);
    expect(paired.total).toBe(MAX_PAIRED_APPS - 1);
  });

  it('resolves and counts a failure instead of throwing into the caller', async () => {
    const failures = async () => (await affinityMetrics.trainings().get()).values.find((v) => v.labels.outcome === 'failed')?.value ?? 0;
    const before = await failures();
    const broken = {
      ...fresh(),
      incrementUserApps: () => Promise.reject(new Error('disk on fire')),
      incrementAppPairs: () => {
        throw new Error('synchronous');
      },
    } as AffinityStore;
    expect(await trainFromQuery(broken, { user: 'ann', namedApps: [app('a')], resultApps: [] })).toBe('failed');
    expect(await trainFromQuery(broken, { namedApps: [], resultApps: [app('a'), app('b')] })).toBe('failed');
    expect(await trainFromQuery(fresh(), null as never)).toBe('failed');
    expect(await failures()).toBe(before + 3);
  });

  it('reports writes the store dropped', async () => {
    const dropping = { ...fresh(), incrementUserApps: async () => false } as AffinityStore;
    expect(await trainFromQuery(dropping, { user: 'ann', namedApps: [app('a')], resultApps: [] })).toBe('dropped');
  });
});

describe('appsToPair', () => {
  it('keeps the most frequent apps, ties in order of first appearance', () => {
    const rows = [app('c'), app('a'), app('b'), app('a'), app('d'), app('b'), app('e', 'pay')];
    expect(appsToPair(rows, 3)).toStrictEqual([app('a'), app('b'), app('c')]);
    expect(appsToPair(rows, 10).map((r) => r.app)).toStrictEqual(['a', 'b', 'c', 'd', 'e']);
    expect(appsToPair(rows, 10)[4]).toStrictEqual(app('e', 'pay'));
  });
});
