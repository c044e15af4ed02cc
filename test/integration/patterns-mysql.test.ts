// Runs the shared PatternStore contract on the MySQL store against the real MariaDB, plus what
// only a shared database shows: two stores flushing the same patterns at once lose no count.
// Every test migrates its own table prefix and drops those tables afterwards.

import type { Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlPatternStore } from '../../src/patterns/mysql-store.js';
import { createPatternStage } from '../../src/patterns/stage.js';
import { dropPrefixedTables, migrate } from '../../src/store/migrate.js';
import { connectTestMysql, newTablePrefix as newPrefix } from '../helpers/mysql.js';
import { definePatternStoreContract } from '../patterns-contract/index.js';

let pool: Pool;
beforeAll(async () => {
  pool = await connectTestMysql();
});
afterAll(async () => {
  await pool?.end();
});

definePatternStoreContract('mysql', async ({ maxSamples }) => {
  const tablePrefix = newPrefix();
  await migrate(pool, { tablePrefix });
  return {
    store: createMysqlPatternStore(pool, { tablePrefix, maxSamples }),
    reopen: async () => createMysqlPatternStore(pool, { tablePrefix, maxSamples }),
    cleanup: async () => {
      await dropPrefixedTables(pool, tablePrefix);
    },
  };
});

describe('mysql pattern store specifics', () => {
  it('loses no count when two stores flush the same patterns concurrently', async () => {
    const tablePrefix = newPrefix();
    await migrate(pool, { tablePrefix });
    try {
      const a = createMysqlPatternStore(pool, { tablePrefix });
      const b = createMysqlPatternStore(pool, { tablePrefix });
      const batch = (n: number) => ({
        merges: [],
        deltas: ['p1', 'p2', 'p3'].map((patternId) => ({
          domain: 'shop',
          app: 'cart',
          patternId,
          template: patternId,
          topPatternId: 't',
          count: n,
          firstSeen: n,
          lastSeen: n,
          samples: [`s${n}`],
          buckets: [[0, n]] as Array<[number, number]>,
        })),
      });
      // Two writers racing on new and existing rows; a writer that loses a deadlock retries, as the stage's next flush would.
      const retrying = async (write: () => Promise<void>) => {
        for (let i = 0; ; i++) {
          try {
            return await write();
          } catch (err) {
            if (i >= 5) throw err;
          }
        }
      };
      await Promise.all([1, 2, 3, 4, 5, 6].map((n) => retrying(() => (n % 2 ? a : b).write(batch(n)))));
      for (const id of ['p1', 'p2', 'p3']) {
        expect((await a.get('shop', 'cart', id))?.count).toBe(21);
        expect(await a.history('shop', 'cart', id, 0, 1)).toStrictEqual([{ ts: 0, count: 21 }]);
      }
    } finally {
      await dropPrefixedTables(pool, tablePrefix);
    }
  });

  it('mines empty, 1 MiB and binary lines into MySQL, and a new stage on the same tables continues from them', async () => {
    const tablePrefix = newPrefix();
    await migrate(pool, { tablePrefix });
    try {
      const ev = (message: string, ts: number) => ({ ts, domain: 'shop', env: 'prod', app: 'cart', file: 'app.log', message });
      const binary = Array.from({ length: 2048 }, (_, i) => String.fromCharCode((i * 7919) % 65536)).join('');
      const first = createPatternStage({ store: createMysqlPatternStore(pool, { tablePrefix }) });
      for (const message of ['', 'x'.repeat(1024 * 1024), binary, '\u0000 nul \ud800 lone', 'payment 1 accepted']) first.push(ev(message, 1));
      const id = first.push(ev('payment 2 accepted', 2)).fields?.pattern as string;
      await first.flush();
      await first.snapshot();

      const store = createMysqlPatternStore(pool, { tablePrefix });
      const second = createPatternStage({ store });
      expect(await second.restore()).toBe(1);
      expect(second.push(ev('payment 3 accepted', 3)).fields?.pattern).toBe(id);
      await second.flush();
      expect(await store.get('shop', 'cart', id)).toMatchObject({ template: 'payment <*> accepted', count: 3, firstSeen: 1, lastSeen: 3 });
      const all = await store.list({ order: 'count', limit: 100 });
      expect(all.reduce((n, r) => n + r.count, 0)).toBe(7);
    } finally {
      await dropPrefixedTables(pool, tablePrefix);
    }
  });

  it('reports a missing table as a backend error with a stable code', async () => {
    const store = createMysqlPatternStore(pool, { tablePrefix: newPrefix() });
    await expect(store.list({ order: 'count', limit: 1 })).rejects.toMatchObject({ code: 'BACKEND_ERROR' });
  });

  it('refuses a table prefix that could break out of an identifier', () => {
    expect(() => createMysqlPatternStore(pool, { tablePrefix: 'x`; DROP TABLE y; --' })).toThrow(/tablePrefix/);
  });
});
