// The persisted-query allow-list: when enabled, only documents in the manifest run, on both
// transports. A client sends either the document (its SHA-256 must be listed) or only the hash
// (`extensions.persistedQuery.sha256Hash`, as Apollo clients do), and the listed document runs.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GraphQLError } from 'graphql';
import { LogfedError } from '../../errors/index.js';

export interface PersistedPayload {
  query?: unknown;
  extensions?: unknown;
}

export type Resolved = { query: string } | { error: GraphQLError };

export interface PersistedQueries {
  readonly size: number;
  /** The document to run for a request, or the error to answer with. */
  resolve(payload: PersistedPayload): Resolved;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Reads a manifest: `{ "<hash>": "<document>" }` or `{ format: "apollo-persisted-query-manifest", operations: [{ id, body }] }`. */
export function loadPersistedQueries(path: string): PersistedQueries {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new LogfedError('BAD_CONFIG', `limits.persistedQueries.manifest: cannot read ${path} as JSON (${(err as Error).message})`, { cause: err });
  }
  const entries: Array<[string, unknown]> =
    raw && typeof raw === 'object' && Array.isArray((raw as { operations?: unknown }).operations)
      ? (raw as { operations: Array<{ id?: unknown; body?: unknown }> }).operations.map((o) => [String(o.id), o.body])
      : Object.entries((raw ?? {}) as Record<string, unknown>);
  const documents = new Map<string, string>();
  for (const [hash, body] of entries) {
    if (typeof body !== 'string' || sha256(body) !== hash) {
      throw new LogfedError('BAD_CONFIG', `limits.persistedQueries.manifest ${path}: entry ${hash.slice(0, 16)}… is not the SHA-256 of its document`);
    }
    documents.set(hash, body);
  }
  return createPersistedQueries(documents);
}

export function createPersistedQueries(documents: ReadonlyMap<string, string>): PersistedQueries {
  const refuse = (code: string, message: string) => ({ error: new GraphQLError(message, { extensions: { code } }) });
  return {
    size: documents.size,
    resolve({ query, extensions }) {
      const hash = hashOf(extensions);
      if (typeof query === 'string' && query.trim() !== '') {
        const own = sha256(query);
        if (hash !== undefined && hash !== own) return refuse('BAD_USER_INPUT', 'the persisted query hash does not match the document sent');
        return documents.has(own) ? { query } : refuse('PERSISTED_QUERY_NOT_ALLOWED', 'only persisted queries may run on this gateway; this document is not in its allow-list');
      }
      if (hash === undefined) return refuse('BAD_USER_INPUT', 'send a query or extensions.persistedQuery.sha256Hash');
      const known = documents.get(hash);
      return known === undefined ? refuse('PERSISTED_QUERY_NOT_FOUND', `no persisted query has hash ${hash.slice(0, 64)}`) : { query: known };
    },
  };
}

function hashOf(extensions: unknown): string | undefined {
  const pq = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery;
  return typeof pq?.sha256Hash === 'string' ? pq.sha256Hash.toLowerCase() : undefined;
}
