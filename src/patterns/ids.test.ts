import { describe, expect, it } from 'vitest';
import { decodePatternId, encodePatternId } from './ids.js';

describe('pattern ids', () => {
  it('round-trips any domain and app, and reads plain names as they are', () => {
    expect(encodePatternId({ domain: 'shop', app: 'cart', patternId: 'p0f2' })).toBe('shop/cart/p0f2');
    const odd = { domain: 'a/b', app: 'ç %', patternId: 'p1' };
    expect(decodePatternId(encodePatternId(odd))).toStrictEqual(odd);
    expect(() => decodePatternId('shop/cart')).toThrow(/domain\/app\/patternId/);
    expect(() => decodePatternId('shop//p1')).toThrow(/domain\/app\/patternId/);
    expect(() => decodePatternId('%E0%A4%A/x/p')).toThrow(/domain\/app\/patternId/);
  });
});
