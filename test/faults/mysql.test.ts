// MySQL goes away under a running gateway (through a proxy this test cuts; the shared MariaDB
// stays up): searches and topology reads are served from the last good topology reads, admin
// mutations fail with a clear SERVICE_UNAVAILABLE, /healthz says DEGRADED; once MySQL is back
// mutations work again and reads see them, with nothing restarted.

import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/server.js';
import { eventually, health } from './helpers.js';
import { startTcpProxy, type TcpProxy } from './proxy.js';

const database = `logfed_faults_${process.pid}_${Date.now().toString(36)}`;
let proxy: TcpProxy;
let gw: TestGateway;

async function admin(sql: string): Promise<void> {
  const conn = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  try {
    await conn.query(sql);
  } finally {
    await conn.end();
  }
}

beforeAll(async () => {
  await admin(`CREATE DATABASE \`${database}\``);
  proxy = await startTcpProxy({ host: '127.0.0.1', port: 3306 });
  gw = await startTestGateway((c) => ({ ...c, mysql: { url: `mysql://root@127.0.0.1:${proxy.port}/${database}` }, patterns: { enabled: false } }));
}, 120_000);
afterAll(async () => {
  await gw?.stop();
  await proxy?.close();
  await admin(`DROP DATABASE IF EXISTS \`${database}\``);
});

const SEARCH = '{ logs(query: { domains: ["shop"], apps: ["cart-service"] }, first: 5, strategy: ALL) { edges { node { domain app } } } }';
const DOMAINS = '{ domains { name } }';

describe('MySQL down', () => {
  it('serves the cached topology, fails mutations clearly, and recovers by itself', async () => {
    // Warm the reads the cache will serve.
    expect((await gw.gql(SEARCH)).data.logs.edges.length).toBeGreaterThan(0);
    expect((await gw.gql(DOMAINS)).data.domains.map((d: any) => d.name).sort()).toEqual(['pay', 'shop']);
    try {
      await proxy.cut();
      const down = await eventually(() => health(gw.url), (h) => h.services.mysql === 'DOWN', 'health reporting MySQL down');
      expect(down.status).toBe('DEGRADED');

      const res = await gw.gql(SEARCH);
      expect(res.errors).toBeUndefined();
      expect(res.data.logs.edges.length).toBeGreaterThan(0);
      expect(res.data.logs.edges.every((e: any) => e.node.app === 'cart-service')).toBe(true);
      expect((await gw.gql(DOMAINS)).data.domains.map((d: any) => d.name).sort()).toEqual(['pay', 'shop']);

      const write = await gw.gql('mutation { upsertDomain(input: { name: "ops" }) { name } }');
      expect(write.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(write.errors?.[0]?.message).toMatch(/upsertDomain failed: the topology store \(MySQL\) is unavailable, so the change was not saved/);
    } finally {
      await proxy.restore();
    }
    await eventually(() => health(gw.url), (h) => h.status === 'OK' && h.services.mysql === 'OK', 'health back to OK');
    await eventually(() => gw.gql('mutation { upsertDomain(input: { name: "ops" }) { name } }'), (r) => r.data?.upsertDomain?.name === 'ops', 'a mutation succeeding again');
    const after = await eventually(() => gw.gql(DOMAINS), (r) => r.data?.domains?.some((d: any) => d.name === 'ops'), 'reads seeing the new domain');
    expect(after.data.domains.map((d: any) => d.name).sort()).toEqual(['ops', 'pay', 'shop']);
  }, 120_000);
});
