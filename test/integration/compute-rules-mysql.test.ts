// Compute rules kept in the real MariaDB (compute.rules.source: mysql): rules are saved through the
// task manager only when the task would accept them, the task picks them up without a restart,
// a row edited into something invalid is reported by id and field while the previous version
// keeps running, and refreshed_at tells which version a task has loaded.

import type { Pool, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../../src/compute/bus/index.js';
import { waitFor } from '../../src/compute/bus/testing.js';
import { computeConfigSchema, createCompute } from '../../src/compute/tasks/index.js';
import { logbackLine, TEST_MASK_SECRET, testRules } from '../../src/compute/tasks/testing.js';
import type { LogEvent } from '../../src/core/event.js';
import { dropPrefixedTables } from '../../src/store/migrate.js';
import { connectTestMysql, newTablePrefix } from '../helpers/mysql.js';

const prefix = newTablePrefix();
const T0 = Date.parse('2026-11-21T02:15:00Z');
let pool: Pool;

beforeAll(async () => {
  pool = await connectTestMysql(4);
});
afterAll(async () => {
  await dropPrefixedTables(pool, prefix);
  await pool?.end();
});

const row = async (id: string) => (await pool.query<RowDataPacket[]>(`SELECT * FROM \`${prefix}compute_rules\` WHERE id = ?`, [id]))[0][0];

describe('rules in MariaDB', () => {
  it('saves what the task accepts, reloads it live, and keeps the running version when a row goes bad', async () => {
    const bus = createMemoryBus();
    await bus.ensureTopics([{ topic: 'in', partitions: 1 }]);
    const tailed: LogEvent[] = [];
    const config = computeConfigSchema.parse({
      maskSecret: TEST_MASK_SECRET,
      rules: { source: 'mysql', tablePrefix: prefix, refreshSeconds: 0 },
      tasks: [{ id: 'm', topics: ['in'], rules: ['m.*'], startFrom: 'earliest', advanceMs: 20 }],
    });
    const compute = await createCompute(config, { bus, mysql: pool, tail: (events) => tailed.push(...events) });
    try {
      await compute.start();
      expect(compute.get('m')!.state).toBe('FAILED');

      const [type, parse, mask] = testRules('m') as Array<Record<string, unknown>>;
      await expect(compute.upsertRule(parse)).rejects.toThrow(/tasks\[id=m\]\.rules\[id=m\.parse\]\.dataType: unknown data type "m\.app"/);
      expect(await row('m.parse')).toBeUndefined();
      await compute.upsertRule(type);
      await compute.upsertRule(parse);
      await compute.upsertRule(mask);
      expect(await row('m.parse')).toMatchObject({ kind: 'parse', version: 1, online: 1 });

      await compute.startTask('m');
      expect(compute.get('m')!.state).toBe('RUNNING');
      await bus.produce('in', [{ key: 'k', value: logbackLine(T0, 'mail bob@example.com') }]);
      await waitFor(() => tailed.length === 1, 'the first event');
      expect(tailed[0]!.message).toMatch(/^mail <email:[0-9a-f]{8}>$/);
      const loaded = await row('m.parse');
      expect(loaded.refreshed_at).toBeInstanceOf(Date);
      expect(loaded.refreshed_version).toBe(1);
      expect((await compute.store.snapshot()).rules.find((r) => r.id === 'm.parse')!.refreshedAt).toBe(loaded.refreshed_at.getTime());

      await expect(compute.upsertRule({ ...parse, defaults: { app: 'x' } })).rejects.toMatchObject({ code: 'CONFLICT' });
      await compute.upsertRule({ ...parse, version: 2, defaults: { domain: 'shop', env: 'prod', app: 'cart-service', file: 'app.log' } });
      expect((await row('m.parse')).version).toBe(2);
      await bus.produce('in', [{ key: 'k', value: logbackLine(T0 + 1, 'under v2') }]);
      await waitFor(() => tailed.length === 2, 'an event under version 2');
      expect(tailed[1]!.app).toBe('cart-service');

      // Edited by hand into a parse rule with a parser that does not exist.
      await pool.query(`UPDATE \`${prefix}compute_rules\` SET version = 3, body = ? WHERE id = 'm.parse'`, [JSON.stringify({ ...parse, version: 3, parser: { type: 'grok' } })]);
      const reload = await compute.reloadRules('m');
      expect(reload.applied).toBe(false);
      const where = `mysql:${prefix}compute_rules#m.parse`;
      expect(reload.issues).toEqual([{ path: `${where}.parser.type`, message: 'expected one of regex|delimiter|json|logback|plugin, got "grok"' }]);
      await bus.produce('in', [{ key: 'k', value: logbackLine(T0 + 2, 'still v2') }]);
      await waitFor(() => tailed.length === 3, 'an event after the bad row');
      expect(tailed[2]!.app).toBe('cart-service');
      expect(compute.get('m')!.rules().find((r) => r.id === 'm.parse')).toMatchObject({ version: 2, rejected: { version: 3, where } });
      // The row says which version was last loaded: version 3 never was.
      expect(await row('m.parse')).toMatchObject({ version: 3, refreshed_version: 2 });
      expect((await compute.store.snapshot()).rejected.map((r) => r.id)).toEqual(['m.parse']);

      const off = await compute.setRuleOnline('m.pii', false);
      expect(off).toMatchObject({ id: 'm.pii', online: false, version: 1 });
      expect((await row('m.pii')).online).toBe(0);
      await bus.produce('in', [{ key: 'k', value: logbackLine(T0 + 3, 'mail bob@example.com') }]);
      await waitFor(() => tailed.length === 4, 'an event with masking off');
      expect(tailed[3]!.message).toBe('mail bob@example.com');
    } finally {
      await compute.close();
      await bus.close();
    }
  }, 60_000);
});
