// The contract every TopologyStore keeps, run by each implementation from a short test file
// (memory: src/topology/memory-store.test.ts, MySQL: test/integration/topology-mysql.test.ts).
// Each test gets a fresh, empty store, so the cases do not depend on one another.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogfedError } from '../../src/errors/index.js';
import type { GatewayMapping, Logstore, TopologyStore } from '../../src/topology/types.js';

export type CreateTopologyStore = () => Promise<{ store: TopologyStore; cleanup(): Promise<void> }>;

const envStore = (over: Partial<Logstore> = {}): Logstore => ({
  id: 'shop-prod',
  domain: 'shop',
  layout: 'env',
  env: 'prod',
  backend: 'sls-main',
  location: { project: 'shop', logstore: 'prod' },
  ...over,
});
const appStore = (app: string, over: Partial<Logstore> = {}): Logstore =>
  envStore({ id: `shop-prod-${app}`, layout: 'app', app, ...over });
const fileStore = (app: string, file: string, over: Partial<Logstore> = {}): Logstore =>
  envStore({ id: `shop-prod-${app}-${file}`, layout: 'file', app, file, ...over });

async function rejection(promise: Promise<unknown>): Promise<LogfedError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err === undefined) throw new Error('expected the call to fail, but it succeeded');
  return err as LogfedError;
}

export function defineTopologyStoreContract(name: string, create: CreateTopologyStore): void {
  describe(`TopologyStore contract: ${name}`, () => {
    let store: TopologyStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await create());
      await store.upsertDomain({ name: 'shop', description: 'storefront' });
      await store.upsertDomain({ name: 'pay' });
    });
    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    describe('domains', () => {
      it('lists domains by name and gets them in the order asked, undefined for unknown', async () => {
        await store.upsertDomain({ name: 'ads' });
        expect(await store.listDomains()).toStrictEqual([{ name: 'ads' }, { name: 'pay' }, { name: 'shop', description: 'storefront' }]);
        expect(await store.getDomains(['shop', 'nope', 'pay', 'shop', 'Not A Name'])).toStrictEqual([
          { name: 'shop', description: 'storefront' },
          undefined,
          { name: 'pay' },
          { name: 'shop', description: 'storefront' },
          undefined,
        ]);
        expect(await store.getDomains([])).toStrictEqual([]);
      });

      it('upsert replaces the description, and dropping it round-trips as absent', async () => {
        expect(await store.upsertDomain({ name: 'shop', description: 'the shop ✓' })).toStrictEqual({ name: 'shop', description: 'the shop ✓' });
        expect(await store.getDomains(['shop'])).toStrictEqual([{ name: 'shop', description: 'the shop ✓' }]);
        await store.upsertDomain({ name: 'shop' });
        expect(await store.getDomains(['shop'])).toStrictEqual([{ name: 'shop' }]);
      });

      it('refuses a bad name, saying what was expected and what came', async () => {
        const err = await rejection(store.upsertDomain({ name: 'Shop Front' }));
        expect(err.code).toBe('BAD_USER_INPUT');
        expect(err.message).toContain('domain.name');
        expect(err.message).toContain('^[a-z0-9][a-z0-9._-]{0,63}$');
        expect(err.message).toContain('"Shop Front"');
        expect(await store.listDomains()).toHaveLength(2);
      });

      it('deleteDomain cascades to logstores, apps and gateway mappings, and says false when unknown', async () => {
        await store.upsertLogstore(envStore());
        await store.upsertLogstore(envStore({ id: 'pay-prod', domain: 'pay' }));
        await store.addAppFiles('shop', 'cart', ['app.log']);
        await store.addAppFiles('pay', 'ledger', ['app.log']);
        await store.addGatewayMapping({ fromDomain: 'shop', fromTraceId: 't1', toDomain: 'pay', toTraceId: 'p1' });
        await store.upsertDomain({ name: 'ads' });
        await store.addGatewayMapping({ fromDomain: 'pay', fromTraceId: 'p1', toDomain: 'ads', toTraceId: 'a1' });

        expect(await store.deleteDomain('shop')).toBe(true);
        expect(await store.deleteDomain('shop')).toBe(false);
        expect(await store.deleteDomain('never')).toBe(false);
        expect((await store.listDomains()).map((d) => d.name)).toStrictEqual(['ads', 'pay']);
        expect((await store.listLogstores()).map((ls) => ls.id)).toStrictEqual(['pay-prod']);
        expect(await store.listApps('shop')).toStrictEqual([]);
        expect(await store.listApps('pay')).toStrictEqual([{ domain: 'pay', name: 'ledger', files: ['app.log'] }]);
        expect(await store.gatewayMappingsByTrace('t1')).toStrictEqual([]);
        expect(await store.gatewayMappingsByTrace('p1')).toHaveLength(1);

        // A domain created again under the same name starts empty.
        await store.upsertDomain({ name: 'shop' });
        expect(await store.listApps('shop')).toStrictEqual([]);
        expect(await store.listLogstores({ domains: ['shop'] })).toStrictEqual([]);
      });
    });

    describe('logstores', () => {
      it('round-trips every field exactly: location JSON, time bounds, flags, sensitive fields', async () => {
        const full = fileStore('cart', 'error.log', {
          location: { glob: '/var/log/shop/**/error.log', nested: { n: 1.5, big: 2 ** 52, list: [true, null, 'é ✓'] }, empty: {} },
          minTs: 1_700_000_000_123,
          maxTs: 1_800_000_000_456,
          active: false,
          sensitiveFields: ['phone', 'id_card'],
        });
        expect(await store.upsertLogstore(full)).toStrictEqual(full);
        expect(await store.getLogstore(full.id)).toStrictEqual(full);
        expect(await store.listLogstores()).toStrictEqual([full]);

        const bare = envStore({ minTs: 0, maxTs: 0, active: true, sensitiveFields: [] });
        await store.upsertLogstore(bare);
        expect(await store.getLogstore(bare.id)).toStrictEqual(bare);
        const minimal = envStore({ id: 'shop-daily', env: 'daily' });
        await store.upsertLogstore(minimal);
        expect(await store.getLogstore('shop-daily')).toStrictEqual(minimal);
      });

      it('does not share state with the objects it was given or returned', async () => {
        const ls = envStore({ location: { tags: ['a'] } });
        await store.upsertLogstore(ls);
        (ls.location.tags as string[]).push('changed');
        const got = (await store.getLogstore(ls.id))!;
        (got.location.tags as string[]).push('again');
        expect((await store.getLogstore(ls.id))!.location).toStrictEqual({ tags: ['a'] });
      });

      it('upserts by id, lists in (domain, env, app, file) order and filters by domains', async () => {
        await store.upsertLogstore(fileStore('cart', 'app.log'));
        await store.upsertLogstore(appStore('cart'));
        await store.upsertLogstore(envStore());
        await store.upsertLogstore(envStore({ id: 'pay-daily', domain: 'pay', env: 'daily' }));
        await store.upsertLogstore(envStore({ id: 'shop-daily', env: 'daily' }));
        expect((await store.listLogstores()).map((ls) => ls.id)).toStrictEqual([
          'pay-daily',
          'shop-daily',
          'shop-prod',
          'shop-prod-cart',
          'shop-prod-cart-app.log',
        ]);
        expect((await store.listLogstores({ domains: ['pay'] })).map((ls) => ls.id)).toStrictEqual(['pay-daily']);
        expect((await store.listLogstores({ domains: ['pay', 'nope', 'pay'] })).map((ls) => ls.id)).toStrictEqual(['pay-daily']);
        expect(await store.listLogstores({ domains: [] })).toStrictEqual([]);

        // Replacing by id may move the logstore to another key and drop optional fields.
        const moved = appStore('cart', { env: 'pre', backend: 'files', location: { glob: '*.log' } });
        await store.upsertLogstore(appStore('cart', { minTs: 5, active: true, sensitiveFields: ['x'] }));
        expect(await store.upsertLogstore(moved)).toStrictEqual(moved);
        expect(await store.getLogstore('shop-prod-cart')).toStrictEqual(moved);
        expect(await store.listLogstores({ domains: ['shop'] })).toHaveLength(4);
      });

      it('refuses two logstores on the same (domain, env, app, file) key with CONFLICT', async () => {
        await store.upsertLogstore(appStore('cart'));
        const err = await rejection(store.upsertLogstore(appStore('cart', { id: 'other' })));
        expect(err.code).toBe('CONFLICT');
        expect(err.message).toContain('"other"');
        expect(err.message).toContain('"shop-prod-cart"');
        expect(await store.getLogstore('other')).toBeUndefined();

        // Moving an existing logstore onto a taken key is refused too, and changes nothing.
        await store.upsertLogstore(appStore('ledger'));
        const moveErr = await rejection(store.upsertLogstore(appStore('cart', { id: 'shop-prod-ledger' })));
        expect(moveErr.code).toBe('CONFLICT');
        expect((await store.getLogstore('shop-prod-ledger'))!.app).toBe('ledger');

        // Other layouts on the same env are different keys.
        await store.upsertLogstore(envStore());
        await store.upsertLogstore(fileStore('cart', 'app.log'));
        await store.upsertLogstore(fileStore('cart', 'error.log'));
        expect(await store.listLogstores()).toHaveLength(5);
      });

      it('refuses a logstore of an unknown domain', async () => {
        const err = await rejection(store.upsertLogstore(envStore({ id: 'x', domain: 'ghost' })));
        expect(err.code).toBe('BAD_USER_INPUT');
        expect(err.message).toContain('logstore.domain');
        expect(err.message).toContain('"ghost"');
        expect(await store.getLogstore('x')).toBeUndefined();
      });

      it.each<[string, Partial<Logstore> | Record<string, unknown>, string]>([
        ['bad layout', { layout: 'host' }, 'logstore.layout'],
        ['app on env layout', { app: 'cart' }, 'logstore.app'],
        ['missing app on app layout', { layout: 'app' }, 'logstore.app'],
        ['file on app layout', { layout: 'app', app: 'cart', file: 'a.log' }, 'logstore.file'],
        ['missing file on file layout', { layout: 'file', app: 'cart' }, 'logstore.file'],
        ['empty backend', { backend: '' }, 'logstore.backend'],
        ['array location', { location: ['x'] }, 'logstore.location'],
        ['minTs after maxTs', { minTs: 10, maxTs: 9 }, 'logstore.minTs'],
        ['unknown key', { shard: 3 }, 'logstore.shard'],
      ])('refuses %s, naming the field', async (_, over, field) => {
        const err = await rejection(store.upsertLogstore({ ...envStore(), ...over } as Logstore));
        expect(err.code).toBe('BAD_USER_INPUT');
        expect(err.message).toContain(field);
        expect(await store.listLogstores()).toStrictEqual([]);
      });

      it('deletes by id and says whether it existed', async () => {
        await store.upsertLogstore(envStore());
        expect(await store.deleteLogstore('shop-prod')).toBe(true);
        expect(await store.deleteLogstore('shop-prod')).toBe(false);
        expect(await store.getLogstore('shop-prod')).toBeUndefined();
        expect(await store.getLogstore('no such id ✗')).toBeUndefined();
      });
    });

    describe('apps', () => {
      it('adds apps and files idempotently (structure back-fill), listed by name with sorted files', async () => {
        await store.addAppFiles('shop', 'cart', ['error.log', 'app.log']);
        await store.addAppFiles('shop', 'cart', ['app.log', 'gc.log', 'gc.log']);
        await store.addAppFiles('shop', 'basket', []);
        await store.addAppFiles('shop', 'basket', []);
        await store.addAppFiles('pay', 'cart', ['pay.log']);
        expect(await store.listApps('shop')).toStrictEqual([
          { domain: 'shop', name: 'basket', files: [] },
          { domain: 'shop', name: 'cart', files: ['app.log', 'error.log', 'gc.log'] },
        ]);
        expect(await store.listApps('pay')).toStrictEqual([{ domain: 'pay', name: 'cart', files: ['pay.log'] }]);
        expect(await store.listApps('nope')).toStrictEqual([]);
      });

      it('refuses an unknown domain and bad app or file names', async () => {
        const unknown = await rejection(store.addAppFiles('ghost', 'cart', []));
        expect(unknown.code).toBe('BAD_USER_INPUT');
        expect(unknown.message).toContain('"ghost"');
        const badFile = await rejection(store.addAppFiles('shop', 'cart', ['ok.log', 'Bad File.log']));
        expect(badFile.code).toBe('BAD_USER_INPUT');
        expect(badFile.message).toContain('app.files[1]');
        const badApp = await rejection(store.addAppFiles('shop', '', []));
        expect(badApp.message).toContain('app.name');
        expect(await store.listApps('shop')).toStrictEqual([]);
      });
    });

    describe('gateway mappings', () => {
      const hop = (over: Partial<GatewayMapping> = {}): GatewayMapping => ({
        fromDomain: 'shop',
        fromTraceId: '0b1c2d3e',
        toDomain: 'pay',
        toTraceId: 'PAY-77',
        ...over,
      });

      beforeEach(async () => {
        await store.upsertDomain({ name: 'bank' });
      });

      it('finds a mapping from both sides, and by trace id alone', async () => {
        const a = hop({ ts: 1_700_000_000_000 });
        const b = hop({ fromDomain: 'pay', fromTraceId: 'PAY-77', toDomain: 'bank', toTraceId: 'B/9' });
        await store.addGatewayMapping(a);
        await store.addGatewayMapping(b);

        expect(await store.gatewayMappingsFor('shop', '0b1c2d3e')).toStrictEqual([a]);
        expect(await store.gatewayMappingsFor('pay', 'PAY-77')).toStrictEqual([b, a]);
        expect(await store.gatewayMappingsFor('bank', 'B/9')).toStrictEqual([b]);
        expect(await store.gatewayMappingsFor('bank', 'PAY-77')).toStrictEqual([]);
        expect(await store.gatewayMappingsByTrace('PAY-77')).toStrictEqual([b, a]);
        expect(await store.gatewayMappingsByTrace('B/9')).toStrictEqual([b]);
        expect(await store.gatewayMappingsByTrace('pay-77')).toStrictEqual([]);
        expect(await store.gatewayMappingsByTrace('with space')).toStrictEqual([]);
      });

      it('re-adding is idempotent and keeps the first time, learning one only when it had none', async () => {
        await store.addGatewayMapping(hop({ ts: 100 }));
        await store.addGatewayMapping(hop({ ts: 200 }));
        await store.addGatewayMapping(hop());
        expect(await store.gatewayMappingsByTrace('PAY-77')).toStrictEqual([hop({ ts: 100 })]);

        const other = hop({ toTraceId: 'PAY-78' });
        await store.addGatewayMapping(other);
        await store.addGatewayMapping(hop({ toTraceId: 'PAY-78', ts: 300 }));
        expect(await store.gatewayMappingsByTrace('PAY-78')).toStrictEqual([hop({ toTraceId: 'PAY-78', ts: 300 })]);
      });

      it('deletes one mapping and says whether it existed', async () => {
        await store.addGatewayMapping(hop());
        await store.addGatewayMapping(hop({ toDomain: 'bank' }));
        expect(await store.deleteGatewayMapping(hop())).toBe(true);
        expect(await store.deleteGatewayMapping(hop())).toBe(false);
        expect(await store.gatewayMappingsFor('shop', '0b1c2d3e')).toStrictEqual([hop({ toDomain: 'bank' })]);
      });

      it('refuses unknown domains, bad trace ids and a mapping onto itself', async () => {
        const unknown = await rejection(store.addGatewayMapping(hop({ toDomain: 'ghost' })));
        expect(unknown.code).toBe('BAD_USER_INPUT');
        expect(unknown.message).toContain('gatewayMapping.toDomain');
        expect(unknown.message).toContain('"ghost"');
        const badTrace = await rejection(store.addGatewayMapping(hop({ fromTraceId: 'a b' })));
        expect(badTrace.message).toContain('gatewayMapping.fromTraceId');
        const self = await rejection(store.addGatewayMapping(hop({ toDomain: 'shop', toTraceId: '0b1c2d3e' })));
        expect(self.code).toBe('BAD_USER_INPUT');
        expect(await store.gatewayMappingsByTrace('0b1c2d3e')).toStrictEqual([]);
      });
    });
  });
}
