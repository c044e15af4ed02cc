// Enrichment inside a running task on the real broker, from a dimension table in the real
// MariaDB: events of the app type become events of an owned type carrying the owning team, and a
// new version of the dimension rule swapped in while the task runs reads the table again.

import { rmSync } from 'node:fs';
import type { Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus } from '../../src/compute/bus/index.js';
import { collector, waitFor } from '../../src/compute/bus/testing.js';
import { createMysqlDimensionLoader } from '../../src/compute/stages/dimension-mysql.js';
import { logbackLine, ruleFolder, testCompute, testRules } from '../../src/compute/tasks/testing.js';
import { kafkaTestRun } from '../helpers/kafka.js';
import { connectTestMysql, newTablePrefix } from '../helpers/mysql.js';

const kafka = kafkaTestRun('enrich');
const table = `${newTablePrefix()}owners`;
const T0 = Date.parse('2026-11-21T02:15:00Z');
let pool: Pool;
let bus: Bus;
let dir: string;

beforeAll(async () => {
  pool = await connectTestMysql(4);
  await pool.query(`CREATE TABLE \`${table}\` (logger VARCHAR(200) PRIMARY KEY, team VARCHAR(50) NOT NULL)`);
  await pool.query(`INSERT INTO \`${table}\` VALUES ('c.e.shop.OrderController', 'orders'), ('c.e.pay.PaymentClient', 'payments')`);
  bus = kafka.bus('client');
});
afterAll(async () => {
  await kafka.cleanup();
  await pool?.query(`DROP TABLE IF EXISTS \`${table}\``);
  await pool?.end();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const dimension = (version: number) => ({ id: 't.owners', kind: 'dimension', version, online: true, sql: `SELECT logger, team FROM \`${table}\`` });
const owned = [
  { id: 't.owned', kind: 'dataType', version: 1, online: true, fields: ['logger', 'team'] },
  {
    id: 't.add-owner',
    kind: 'process',
    version: 1,
    online: true,
    from: 't.app',
    to: 't.owned',
    steps: [{ op: 'enrich', dimension: 't.owners', match: [{ kind: 'equals', column: 'logger', field: 'logger' }], set: { team: 'team' }, defaults: { team: 'unowned' } }],
  },
];

describe('enrichment from a MariaDB dimension table in a running task', () => {
  it('adds the owning team to each event, and re-reads the table when the dimension rule changes', async () => {
    const input = kafka.topic('enrich-in');
    const out = kafka.topic('enrich-out');
    await kafka.create([input], { partitions: 1 });
    dir = ruleFolder(testRules('t', { extra: [dimension(1), ...owned] }));
    const { manager } = testCompute(bus, dir, [{ id: 'enrich', topics: [input], rules: ['t.*'], outputTopic: out, startFrom: 'earliest', groupId: kafka.group('enrich') }], {
      compile: { loadDimension: createMysqlDimensionLoader(pool) },
    });
    try {
      await manager.start();
      const got = collector();
      const sub = await bus.subscribe({ groupId: kafka.group('reader'), topics: [out], fromBeginning: true, eachBatch: got.eachBatch });
      const ownedEvents = () => got.values().map((v) => JSON.parse(v)).filter((e) => e.fields._type === 't.owned');

      await bus.produce(input, [
        { key: 'a', value: logbackLine(T0, 'order 1 created', 'INFO', 'c.e.shop.OrderController') },
        { key: 'b', value: logbackLine(T0 + 1, 'charge sent', 'INFO', 'c.e.pay.PaymentClient') },
        { key: 'c', value: logbackLine(T0 + 2, 'stock low', 'WARN', 'c.e.ship.Tracker') },
      ]);
      await waitFor(() => ownedEvents().length >= 3, 'three enriched events', 60_000);
      const team = (message: string) => ownedEvents().find((e) => e.message === message)?.fields.team;
      expect(team('order 1 created')).toBe('orders');
      expect(team('charge sent')).toBe('payments');
      expect(team('stock low')).toBe('unowned');
      // The app-type events go out as they were, beside the owned ones.
      expect(got.values().map((v) => JSON.parse(v).fields._type).filter((t) => t === 't.app')).toHaveLength(3);

      await pool.query(`INSERT INTO \`${table}\` VALUES ('c.e.ship.Tracker', 'shipping')`);
      await manager.upsertRule(dimension(2));
      await bus.produce(input, [{ key: 'c', value: logbackLine(T0 + 3, 'stock refilled', 'INFO', 'c.e.ship.Tracker') }]);
      await waitFor(() => team('stock refilled') !== undefined, 'an event enriched from the reloaded table', 60_000);
      expect(team('stock refilled')).toBe('shipping');

      const rules = manager.get('enrich')!.rules();
      expect(rules.find((r) => r.id === 't.add-owner')).toMatchObject({ processed: 4, emitted: 4, failed: 0 });
      expect(rules.find((r) => r.id === 't.owners')).toMatchObject({ version: 2 });
      await sub.stop();
    } finally {
      await manager.close();
    }
  }, 120_000);
});
