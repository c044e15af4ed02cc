import { describe, expect, it } from 'vitest';
import { configKeyStore, generateKey, hashKey, keyId, verifyKey, type StoredKey } from './keys.js';

describe('API keys', () => {
  it('mints a key whose id is readable and whose hash is all that is stored', () => {
    const { key, id, hash } = generateKey('ci0001');
    expect(key).toMatch(/^logfed_ci0001_[A-Za-z0-9_-]{43}$/);
    expect(keyId(key)).toBe(id);
    expect(hash).toBe(hashKey(key));
    expect(hash).not.toContain(key.slice(14));
    expect(generateKey('ci0001').key).not.toBe(key);
  });

  it('accepts the exact key only, and refuses expired ones', async () => {
    const { key, id, hash } = generateKey('abc123');
    const stored: StoredKey = { id, hash, user: 'ci', role: 'reader', scope: { domains: ['shop'] } };
    const store = configKeyStore([stored]);
    expect(await verifyKey(store, key)).toEqual(stored);
    const flipped = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(await verifyKey(store, flipped)).toBeUndefined();
    expect(await verifyKey(store, generateKey('zzz999').key)).toBeUndefined();
    expect(await verifyKey(store, 'logfed_short')).toBeUndefined();
    const expired = configKeyStore([{ ...stored, expiresAt: 1000 }]);
    expect(await verifyKey(expired, key, 999)).toBeDefined();
    expect(await verifyKey(expired, key, 1000)).toBeUndefined();
  });

  it('refuses ids that could not be looked up safely', () => {
    expect(() => generateKey('UPPER_case')).toThrow(/key id/);
  });
});
