// Redis helpers for tests and benchmarks that keep their keys under a prefix of their own: list
// them, and delete them afterwards, without touching anything else on a shared server.

import type { Redis } from 'ioredis';

/** Every key under `prefix`, sorted (SCAN, so a large server is not blocked). */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

export async function dropPrefix(client: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix);
  for (let i = 0; i < keys.length; i += 1000) await client.del(...keys.slice(i, i + 1000));
}
