// Runs the shared AffinityStore contract on the in-memory store; replicas share one state.

import { describe, expect, it } from 'vitest';
import { defineAffinityStoreContract } from '../../test/affinity-contract/index.js';
import { createMemoryAffinityState, createMemoryAffinityStore } from './memory-store.js';

defineAffinityStoreContract('memory', async () => {
  const state = createMemoryAffinityState();
  return {
    open: (options) => createMemoryAffinityStore({ ...options, state }),
    cleanup: async () => undefined,
  };
});

describe('memory affinity store options', () => {
  it('names an unknown or wrong option with what came', () => {
    expect(() => createMemoryAffinityStore({ halfLife: 5 } as never)).toThrow(/memory affinity store\.halfLife: unknown option/);
    expect(() => createMemoryAffinityStore({ halfLifeMs: -1 })).toThrow(/halfLifeMs: expected a number > 0 \(Infinity allowed\), got -1/);
  });

  it('forgets a row left untouched for twenty half-lives', async () => {
    let clock = 0;
    const state = createMemoryAffinityState();
    const store = createMemoryAffinityStore({ halfLifeMs: 10, now: () => clock, state });
    await store.incrementUserApp('ann', { domain: 'shop', app: 'a' }, 2 ** 30);
    clock = 200;
    expect(await store.userAppScores('ann', [{ domain: 'shop', app: 'a' }])).toStrictEqual([2 ** 10]);
    clock = 201;
    expect(await store.userAppScores('ann', [{ domain: 'shop', app: 'a' }])).toStrictEqual([0]);
    expect(state.rows.size).toBe(0);
  });
});
