import { describe, expect, it } from 'vitest';
import { definePatternStoreContract } from '../../test/patterns-contract/index.js';
import { createMemoryPatternData, createMemoryPatternStore } from './memory-store.js';

definePatternStoreContract('memory', async ({ maxSamples }) => {
  const data = createMemoryPatternData();
  return {
    store: createMemoryPatternStore({ maxSamples, data }),
    reopen: async () => createMemoryPatternStore({ maxSamples, data }),
    cleanup: async () => undefined,
  };
});

describe('memory pattern store specifics', () => {
  it('refuses a sample cap out of range, naming the option', () => {
    expect(() => createMemoryPatternStore({ maxSamples: 0 })).toThrow(/maxSamples.*got 0/);
  });

  it('hands out copies, so a caller cannot change what it holds', async () => {
    const store = createMemoryPatternStore();
    await store.write({
      merges: [],
      deltas: [{ domain: 'd', app: 'a', patternId: 'p', template: 't', topPatternId: 't', count: 1, firstSeen: 1, lastSeen: 1, samples: ['s'], buckets: [] }],
    });
    const got = await store.get('d', 'a', 'p');
    got!.samples.push('changed');
    got!.count = 99;
    expect(await store.get('d', 'a', 'p')).toMatchObject({ count: 1, samples: ['s'] });
  });
});
