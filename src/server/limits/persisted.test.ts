import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPersistedQueries, loadPersistedQueries, sha256 } from './persisted.js';

const Q = '{ health { status } }';

describe('persisted queries', () => {
  const pq = createPersistedQueries(new Map([[sha256(Q), Q]]));
  const code = (r: ReturnType<typeof pq.resolve>) => ('error' in r ? r.error.extensions.code : 'ok');

  it('runs a listed document, sent whole or by hash', () => {
    expect(pq.resolve({ query: Q })).toEqual({ query: Q });
    expect(pq.resolve({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(Q) } } })).toEqual({ query: Q });
  });

  it('refuses any other document, an unknown hash and a hash that does not match', () => {
    expect(code(pq.resolve({ query: '{ health { embedded } }' }))).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    expect(code(pq.resolve({ extensions: { persistedQuery: { sha256Hash: sha256('x') } } }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(code(pq.resolve({ query: Q, extensions: { persistedQuery: { sha256Hash: sha256('x') } } }))).toBe('BAD_USER_INPUT');
    expect(code(pq.resolve({}))).toBe('BAD_USER_INPUT');
  });

  it('loads both manifest formats and refuses an entry whose hash is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logfed-pq-'));
    const plain = join(dir, 'plain.json');
    writeFileSync(plain, JSON.stringify({ [sha256(Q)]: Q }));
    expect(loadPersistedQueries(plain).size).toBe(1);
    const apollo = join(dir, 'apollo.json');
    writeFileSync(apollo, JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: sha256(Q), body: Q, name: 'H', type: 'query' }] }));
    expect(loadPersistedQueries(apollo).resolve({ query: Q })).toEqual({ query: Q });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ [sha256('other')]: Q }));
    expect(() => loadPersistedQueries(bad)).toThrow(/not the SHA-256/);
  });
});
