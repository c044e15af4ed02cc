// The scanner's ledger on Redis, shared by gateway replicas: each replica adds the counts it
// saw, and whichever holds the scan lock reads the sum. Per window a hash of counts and one of
// first samples (both expiring once the baseline no longer needs them); one hash of the
// fingerprints each app has shown; the last scanned window; and a capped sorted set of findings.

import type { Redis } from 'ioredis';
import { redisError } from '../store/redis.js';
import { matchesFinding } from './ledger.js';
import { entryKey, type AppFingerprint, type CountEntry, type ExceptionFinding, type ExceptionLedger } from './types.js';

export interface RedisLedgerOptions {
  /** Prepended to every key; replicas that scan together use the same one. */
  keyPrefix: string;
  /** How long a window's counts live: the baseline windows plus some slack, in ms. */
  windowTtlMs: number;
  /** How long an app's known fingerprints live after the last one was learned. */
  rememberMs?: number;
  maxFindings?: number;
}

export function createRedisLedger(client: Redis, opts: RedisLedgerOptions): ExceptionLedger {
  const p = opts.keyPrefix;
  const rememberMs = opts.rememberMs ?? 90 * 24 * 3600_000;
  const maxFindings = opts.maxFindings ?? 1000;
  const countsKey = (w: number) => `${p}w:${w}`;
  const metaKey = (w: number) => `${p}m:${w}`;
  const seenKey = `${p}seen`;
  const lastKey = `${p}last`;
  const findingsKey = `${p}findings`;

  async function guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw redisError(client, err);
    }
  }

  return {
    record: (window, entries) =>
      guard(async () => {
        if (entries.length === 0) return;
        const tx = client.multi();
        for (const e of entries) {
          const field = entryKey(e);
          tx.hincrby(countsKey(window), field, e.count);
          tx.hsetnx(metaKey(window), field, JSON.stringify({ type: e.type, sample: e.sample }));
        }
        tx.pexpire(countsKey(window), opts.windowTtlMs);
        tx.pexpire(metaKey(window), opts.windowTtlMs);
        await tx.exec();
      }),

    read: (window) =>
      guard(async () => {
        const [counts, meta] = await Promise.all([client.hgetall(countsKey(window)), client.hgetall(metaKey(window))]);
        return Object.entries(counts).map(([field, n]) => {
          const [domain = '', app = '', fingerprint = ''] = field.split('\u0000');
          const m = meta[field] ? (JSON.parse(meta[field]) as { type: string; sample: string }) : { type: '', sample: '' };
          return { domain, app, fingerprint, count: Number(n), type: m.type, sample: m.sample } satisfies CountEntry;
        });
      }),

    known: (entries: readonly AppFingerprint[]) =>
      guard(async () => {
        if (entries.length === 0) return [];
        const found = await client.hmget(seenKey, ...entries.map(entryKey));
        return found.map((v) => v !== null);
      }),

    learn: (entries) =>
      guard(async () => {
        if (entries.length === 0) return;
        await client.multi().hset(seenKey, Object.fromEntries(entries.map((e) => [entryKey(e), '1']))).pexpire(seenKey, rememberMs).exec();
      }),

    lastScanned: () =>
      guard(async () => {
        const v = await client.get(lastKey);
        return v === null ? undefined : Number(v);
      }),

    markScanned: (window) =>
      guard(async () => {
        await client.set(lastKey, String(window));
      }),

    addFindings: (list) =>
      guard(async () => {
        if (list.length === 0) return;
        const tx = client.multi();
        for (const f of list) tx.zadd(findingsKey, f.windowEnd, JSON.stringify(f));
        tx.zremrangebyrank(findingsKey, 0, -(maxFindings + 1));
        await tx.exec();
      }),

    findings: (q) =>
      guard(async () => {
        const raw = await client.zrevrangebyscore(findingsKey, '+inf', q.since ?? '-inf');
        const out: ExceptionFinding[] = [];
        for (const member of raw) {
          const f = JSON.parse(member) as ExceptionFinding;
          if (matchesFinding(f, q)) out.push(f);
          if (out.length >= q.limit) break;
        }
        return out;
      }),
  };
}
