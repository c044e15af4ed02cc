import { describe, expect, it } from 'vitest';
import { ProbeCache } from './probe-cache.js';

describe('ProbeCache', () => {
  it('finds an entry by its probe and the caller’s check, among entries that share the probe', () => {
    const cache = new ProbeCache<{ id: string }>(4);
    cache.add('3|a|c', { id: 'abc' });
    cache.add('3|a|c', { id: 'axc' });
    expect(cache.find('3|a|c', (e) => e.id === 'axc')).toEqual({ id: 'axc' });
    expect(cache.find('3|a|c', (e) => e.id === 'ayc')).toBeUndefined();
    expect(cache.find('2|a|c', () => true)).toBeUndefined();
  });

  it('drops everything once it holds `kept` entries, then fills again', () => {
    const cache = new ProbeCache<number>(2);
    cache.add('a', 1);
    cache.add('b', 2);
    cache.add('c', 3);
    expect(cache.find('a', () => true)).toBeUndefined();
    expect(cache.find('b', () => true)).toBeUndefined();
    expect(cache.find('c', () => true)).toBe(3);
  });
});
