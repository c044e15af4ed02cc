// The scan lock: one replica scans a window. On Redis it is SET NX PX with a random token;
// renewing and releasing compare the token first (in one script), so a replica whose lease
// expired can never extend or delete the lease another replica took since. Without Redis the
// single process takes an in-process lease, which only keeps its own scans from overlapping.

import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisError } from '../store/redis.js';

export interface LockLease {
  readonly token: string;
  /** Extends the lease; false when it was lost (expired and maybe taken by another). */
  renew(): Promise<boolean>;
  /** Gives the lease up; false when it was no longer held. */
  release(): Promise<boolean>;
}

export interface ScanLock {
  /** A lease, or undefined when another holder has it. */
  acquire(): Promise<LockLease | undefined>;
  readonly ttlMs: number;
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export function createRedisLock(client: Redis, opts: { key: string; ttlMs: number }): ScanLock {
  const { key, ttlMs } = opts;
  const call = async (script: string, ...args: Array<string | number>) => {
    try {
      return Number(await client.eval(script, 1, key, ...args)) === 1;
    } catch (err) {
      throw redisError(client, err);
    }
  };
  return {
    ttlMs,
    async acquire() {
      const token = randomUUID();
      let ok: string | null;
      try {
        ok = await client.set(key, token, 'PX', ttlMs, 'NX');
      } catch (err) {
        throw redisError(client, err);
      }
      if (ok !== 'OK') return undefined;
      return { token, renew: () => call(RENEW, token, ttlMs), release: () => call(RELEASE, token) };
    },
  };
}

export function createMemoryLock(ttlMs = 60_000): ScanLock {
  let holder: string | undefined;
  return {
    ttlMs,
    async acquire() {
      if (holder !== undefined) return undefined;
      const token = randomUUID();
      holder = token;
      return {
        token,
        renew: async () => holder === token,
        release: async () => {
          if (holder !== token) return false;
          holder = undefined;
          return true;
        },
      };
    },
  };
}
