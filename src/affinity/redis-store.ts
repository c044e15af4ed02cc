// The affinity store on Redis, shared by every gateway replica: each row of scores is a sorted
// set plus a hash (epoch, total) under a configurable prefix, written by one Lua script per row
// (redis-scripts.ts) and read in one pipeline per call. When Redis is down, reads reject at once
// (or after a short timeout) so the ranker falls back to the default order, and writes are
// dropped and counted: no caller ever waits on a dead connection.

import type { ChainableCommander, Redis } from 'ioredis';
import { LogfedError, toLogfedError } from '../errors/index.js';
import { DEFAULT_HALF_LIFE_MS, growth, MAX_EXPONENT, PRUNE_BELOW, rowTtlMs } from './decay.js';
import { affinityMetrics } from './metrics.js';
import { checkAmount, checkCount, checkOptions, rules } from './options.js';
import { ADD_TO_ROW } from './redis-scripts.js';
import { appKey, distinctKeys, parseAppKey, type AffinityStore, type AppRef, type Neighbours, type ScoredApp } from './store.js';
import { warnThrottled } from './warn.js';

export interface RedisAffinityStoreOptions {
  /** Prepended to every key; replicas that share scores use the same one. Default `logfed:affinity:`. */
  keyPrefix?: string;
  /** Time for a score to halve; Infinity keeps scores forever. Default 30 days. */
  halfLifeMs?: number;
  /** Clock (epoch ms); injectable for tests. Replicas' clocks only need to agree to well within a half-life. */
  now?: () => number;
  /** A read still unanswered after this rejects, so ranking can fall back. Default 100 ms. */
  readTimeoutMs?: number;
  /** A write still unanswered after this is counted as dropped (it may still land). Default 1000 ms. */
  writeTimeoutMs?: number;
}

const SCRIPT = 'logfedAffinityAddToRow';
type ScriptPipeline = ChainableCommander & { [SCRIPT](scores: string, meta: string, ...args: Array<string | number>): ChainableCommander };

// A client in these states has lost its server: waiting on it would only queue the command.
const DOWN = new Set(['reconnecting', 'close', 'end']);

/**
 * A scored app as Redis gives it: its AppRef is parsed from the key when first asked for. Ranking
 * reads only the key and the score of the ~1,800 apps a query reads, so most are never parsed.
 */
class ReadApp implements ScoredApp {
  private ref?: AppRef;
  constructor(
    readonly key: string,
    readonly score: number,
  ) {}
  get app(): AppRef {
    return (this.ref ??= parseAppKey(this.key));
  }
}

export function createRedisAffinityStore(client: Redis, options: RedisAffinityStoreOptions = {}): AffinityStore {
  checkOptions('redis affinity store', options, {
    keyPrefix: rules.string,
    halfLifeMs: rules.positive,
    now: rules.clock,
    readTimeoutMs: rules.finitePositive,
    writeTimeoutMs: rules.finitePositive,
  });
  const prefix = options.keyPrefix ?? 'logfed:affinity:';
  const halfLifeMs = options.halfLifeMs ?? DEFAULT_HALF_LIFE_MS;
  const now = options.now ?? Date.now;
  const readTimeoutMs = options.readTimeoutMs ?? 100;
  const writeTimeoutMs = options.writeTimeoutMs ?? 1000;
  const halfArg = Number.isFinite(halfLifeMs) ? halfLifeMs : 0;
  const ttlArg = rowTtlMs(halfLifeMs);
  client.defineCommand(SCRIPT, { numberOfKeys: 2, lua: ADD_TO_ROW });

  // Scores and meta live in separate namespaces, so no user or app name can make one row's key
  // collide with another row's.
  const userKeys = (user: string) => [`${prefix}us:${user}`, `${prefix}um:${user}`] as const;
  const appKeys = (key: string) => [`${prefix}as:${key}`, `${prefix}am:${key}`] as const;

  function guarded<T>(op: string, timeoutMs: number, run: () => Promise<T>): Promise<T> {
    if (DOWN.has(client.status)) {
      return Promise.reject(new LogfedError('SERVICE_UNAVAILABLE', `affinity store: redis is not connected (${client.status})`, { details: { op } }));
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new LogfedError('TIMEOUT', `affinity store: redis did not answer ${op} within ${timeoutMs} ms`, { details: { op } })),
        timeoutMs,
      );
      run().then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(toLogfedError(err, 'SERVICE_UNAVAILABLE'));
        },
      );
    });
  }

  async function exec(pipeline: ChainableCommander): Promise<unknown[]> {
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
  }

  const read = <T>(op: string, run: () => Promise<T>) => guarded(op, readTimeoutMs, run);

  async function write(op: string, rows: Array<readonly [string, string, readonly string[]]>, by: number): Promise<boolean> {
    checkAmount(by);
    if (rows.length === 0) return true;
    const at = now();
    try {
      await guarded(op, writeTimeoutMs, () => {
        const pipeline = client.pipeline() as ScriptPipeline;
        for (const [scores, meta, members] of rows) pipeline[SCRIPT](scores, meta, at, halfArg, MAX_EXPONENT, PRUNE_BELOW, ttlArg, by, ...members);
        return exec(pipeline);
      });
      return true;
    } catch (err) {
      affinityMetrics.droppedWrites().inc({ store: 'redis' }, rows.length);
      warnThrottled({ err, op, rows: rows.length }, 'affinity writes dropped: redis did not take them');
      return false;
    }
  }

  // meta = [epoch, total] as Redis returns them; no epoch means the row does not exist.
  const divisor = (epoch: string | null, at: number) => (epoch === null ? Infinity : growth(Number(epoch), at, halfLifeMs));

  async function scoresOf(keys: readonly [string, string], members: readonly AppRef[]): Promise<number[]> {
    if (members.length === 0) return [];
    return read('scores', async () => {
      const at = now();
      const [meta, values] = (await exec(
        client
          .pipeline()
          .hmget(keys[1], 'epoch')
          .zmscore(keys[0], ...members.map(appKey)),
      )) as [[string | null], Array<string | null>];
      const g = divisor(meta[0], at);
      return values.map((v) => (v === null ? 0 : Number(v) / g));
    });
  }

  async function topOf(rows: ReadonlyArray<readonly [string, string]>, n: number): Promise<Neighbours[]> {
    checkCount(n);
    if (rows.length === 0) return [];
    return read('top', async () => {
      const at = now();
      const pipeline = client.pipeline();
      for (const [scores, meta] of rows) {
        pipeline.hmget(meta, 'epoch', 'total');
        if (n > 0) pipeline.zrevrange(scores, 0, n - 1, 'WITHSCORES');
      }
      const results = await exec(pipeline);
      const step = n > 0 ? 2 : 1;
      return rows.map((_, i) => {
        const [epoch, total] = results[i * step] as [string | null, string | null];
        const flat = n > 0 ? (results[i * step + 1] as string[]) : [];
        const g = divisor(epoch, at);
        const top: ScoredApp[] = [];
        for (let j = 0; j < flat.length; j += 2) top.push(new ReadApp(flat[j]!, Number(flat[j + 1]) / g));
        return { total: total === null ? 0 : Number(total) / g, top };
      });
    });
  }

  const store: AffinityStore = {
    incrementUserApp: (user, app, by) => store.incrementUserApps(user, [app], by),
    async incrementUserApps(user, apps, by) {
      const members = distinctKeys(apps);
      return write('incrementUserApps', members.length ? [[...userKeys(user), members]] : [], by);
    },
    incrementAppPair: (a, b, by) => store.incrementAppPairs([a, b], by),
    async incrementAppPairs(apps, by) {
      const keys = distinctKeys(apps);
      const rows = keys.length < 2 ? [] : keys.map((key) => [...appKeys(key), keys.filter((k) => k !== key)] as const);
      return write('incrementAppPairs', rows, by);
    },
    async topUserApps(user, n) {
      const [row] = await topOf([userKeys(user)], n);
      return row.top;
    },
    userAppScores: (user, apps) => scoresOf(userKeys(user), apps),
    appNeighbours: (apps, n) => topOf(apps.map((a) => appKeys(appKey(a))), n),
    appPairScores: (a, bs) => scoresOf(appKeys(appKey(a)), bs),
  };
  return store;
}
