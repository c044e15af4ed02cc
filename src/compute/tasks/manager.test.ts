import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBus, DEAD_LETTER_HEADERS, type Bus } from '../bus/index.js';
import { collector, waitFor } from '../bus/testing.js';
import { pseudonymiser } from '../stages/mask.js';
import { logbackLine, ruleFolder, TEST_MASK_SECRET, testCompute, testRules, writeRules, type TestCompute } from './testing.js';

const T0 = Date.parse('2026-11-21T02:15:00Z');
const phone = pseudonymiser({ secret: TEST_MASK_SECRET })('phone', '13812345678');

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function setup(tasks: Parameters<typeof testCompute>[2] = [{ id: 't1', topics: ['in'], rules: ['t.*'], outputTopic: 'out', startFrom: 'earliest', advanceMs: 20 }]) {
  const bus: Bus = createMemoryBus();
  await bus.ensureTopics([{ topic: 'in', partitions: 1 }]);
  const dir = ruleFolder(testRules('t'));
  const c: TestCompute & { bus: Bus; dir: string } = { ...testCompute(bus, dir, tasks), bus, dir };
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => bus.close(), () => c.manager.close());
  return c;
}

const produce = (bus: Bus, lines: (string | Buffer)[], key = 'k') => bus.produce('in', lines.map((value) => ({ key, value })));

describe('compute task on the in-process bus', () => {
  it('parses, joins and masks lines into the tail and the output topic, and dead-letters bad records with the reason', async () => {
    const { bus, manager, tailed } = await setup();
    await manager.start();
    const out = collector();
    await bus.subscribe({ groupId: 'reader', topics: ['out'], fromBeginning: true, eachBatch: out.eachBatch });
    const dlq = collector();
    await bus.subscribe({ groupId: 'dlq-reader', topics: ['logfed-task-t1-dlq'], fromBeginning: true, eachBatch: dlq.eachBatch });

    await produce(bus, [
      logbackLine(T0, 'sms sent to 13812345678'),
      logbackLine(T0 + 1, 'payment failed', 'ERROR'),
      'java.lang.IllegalStateException: boom',
      '\tat c.e.Pay.run(Pay.java:1)',
      Buffer.from([0x00, 0x01, 0x02, 0xff]),
      logbackLine(T0 + 2, 'last'),
    ]);
    // On a stream of its own: after an event it would be taken for a continuation line.
    await produce(bus, ['no layout here at all'], 'other-file');
    await waitFor(() => tailed.length >= 3 && out.records.length >= 3 && dlq.records.length >= 2, 'three events and two dead letters');

    expect(tailed.map((e) => e.message)).toEqual([`sms sent to ${phone}`, 'payment failed\njava.lang.IllegalStateException: boom\n\tat c.e.Pay.run(Pay.java:1)', 'last']);
    expect(tailed[0]).toMatchObject({ ts: T0, domain: 'shop', app: 'order-service', level: 'INFO', traceId: '7f3a9c2e1b4d5a60' });
    expect(out.values().map((v) => JSON.parse(v).message)).toEqual(tailed.map((e) => e.message));
    expect(out.records[0]!.key).toBe('shop/prod/order-service/app.log');

    const reasons = dlq.records.map((r) => r.headers[DEAD_LETTER_HEADERS.reason]);
    expect(reasons[0]).toMatch(/^binary data: NUL byte/);
    expect(reasons[1]).toBe('unrecognised data type (tried t.app)');
    expect(dlq.records[0]!.value).toEqual(Buffer.from([0x00, 0x01, 0x02, 0xff]));
    expect(dlq.records[1]!.headers[DEAD_LETTER_HEADERS.topic]).toBe('in');

    const health = await manager.get('t1')!.health();
    expect(health).toMatchObject({ state: 'RUNNING', records: 7, events: 3, deadLetters: 2, totalLag: 0 });
    const rules = manager.get('t1')!.rules();
    expect(rules.find((r) => r.id === 't.parse')).toMatchObject({ processed: 3, emitted: 3, failed: 0, running: true });
  });

  it('swaps a new rule version in between batches, and keeps the old one running when the new one does not validate', async () => {
    const { bus, dir, manager, tailed } = await setup();
    await manager.start();
    await produce(bus, [logbackLine(T0, 'one')]);
    await waitFor(() => tailed.length === 1, 'the first event');
    expect(tailed[0]!.app).toBe('order-service');

    writeRules(dir, testRules('t', { parseVersion: 2, defaults: { domain: 'shop', env: 'prod', app: 'cart-service', file: 'app.log' } }));
    const applied = await manager.reloadRules('t1');
    expect(applied).toMatchObject({ applied: true, changed: true, issues: [] });
    await produce(bus, [logbackLine(T0 + 1, 'two')]);
    await waitFor(() => tailed.length === 2, 'an event under version 2');
    expect(tailed[1]!.app).toBe('cart-service');

    const bad = testRules('t', { parseVersion: 3 });
    (bad[1] as { parser: unknown }).parser = { type: 'logback', layout: 'x' };
    writeRules(dir, bad);
    const refused = await manager.reloadRules('t1');
    expect(refused).toMatchObject({ applied: false, changed: false });
    expect(refused.issues).toEqual([{ path: 'rules.json#rules[1].parser.layout', message: 'unknown key' }]);
    await produce(bus, [logbackLine(T0 + 2, 'three')]);
    await waitFor(() => tailed.length === 3, 'an event after the refused reload');
    expect(tailed[2]!.app).toBe('cart-service');
    const parse = manager.get('t1')!.rules().find((r) => r.id === 't.parse')!;
    expect(parse).toMatchObject({ version: 2, processed: 3, rejected: { where: 'rules.json#rules[1]' } });
    expect(parse.rejected!.issues[0]!.path).toBe('rules.json#rules[1].parser.layout');
  });

  it('refuses an upsert that is invalid or would break the task, and swaps a valid one in', async () => {
    const { bus, manager, tailed } = await setup();
    await manager.start();
    await expect(manager.upsertRule({ id: 't.pii', kind: 'mask', version: 2, online: true, detect: ['phone', 'fax'] })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { issues: [{ path: 'detect[1]', message: 'expected one of phone|idCard|email|token|card, got "fax"' }] },
    });
    const breaking = manager.upsertRule({ id: 't.parse', kind: 'parse', version: 2, online: true, dataType: 't.nope', parser: { type: 'logback' } });
    await expect(breaking).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(breaking).rejects.toThrow(/tasks\[id=t1\]\.rules\[id=t\.parse\]\.dataType: unknown data type "t\.nope"/);
    await expect(manager.upsertRule({ id: 't.pii', kind: 'mask', version: 1, online: true, detect: ['email'] })).rejects.toMatchObject({ code: 'CONFLICT' });

    const saved = await manager.upsertRule({ id: 't.pii', kind: 'mask', version: 2, online: true, detect: ['email'] });
    expect(saved).toMatchObject({ id: 't.pii', version: 2 });
    expect(saved.refreshedAt).toBe(manager.get('t1')!.lastReload!.at);
    await produce(bus, [logbackLine(T0, 'call 13812345678 or a@example.com')]);
    await waitFor(() => tailed.length === 1, 'an event under the new mask rule');
    expect(tailed[0]!.message).toMatch(/^call 13812345678 or <email:[0-9a-f]{8}>$/);

    await manager.setRuleOnline('t.pii', false);
    await produce(bus, [logbackLine(T0 + 1, 'write to a@example.com')]);
    await waitFor(() => tailed.length === 2, 'an event with masking off');
    expect(tailed[1]!.message).toBe('write to a@example.com');
    expect(manager.get('t1')!.rules().find((r) => r.id === 't.pii')).toMatchObject({ online: false, version: 2 });
    await expect(manager.setRuleOnline('t.app', false)).rejects.toThrow(/unknown data type "t\.app"/);
  });

  it('leaves a held multi-line event uncommitted on stop, and joins it whole from the committed offset on start', async () => {
    const { bus, manager, tailed } = await setup([{ id: 't1', topics: ['in'], rules: ['t.*'], startFrom: 'earliest', advanceMs: 60_000 }]);
    await manager.start();
    await produce(bus, [logbackLine(T0, 'held until stop')]);
    await waitFor(async () => (await manager.get('t1')!.health()).records === 1, 'the record to be read');
    expect(tailed).toEqual([]);
    await manager.stopTask('t1');
    expect(tailed).toEqual([]);
    expect(manager.get('t1')!.state).toBe('STOPPED');

    await produce(bus, [logbackLine(T0 + 1, 'while stopped')]);
    await manager.startTask('t1');
    await produce(bus, [logbackLine(T0 + 2, 'after restart')]);
    await waitFor(() => tailed.length === 2, 'the held line and the line produced while stopped');
    // Read again from the offset the held event kept uncommitted: once each, none lost.
    expect(tailed.map((e) => e.message)).toEqual(['held until stop', 'while stopped']);
    expect((await manager.get('t1')!.health()).records).toBe(4);
  });

  it('leaves a task whose rules do not load FAILED with the reason, and the others running', async () => {
    const { manager } = await setup([
      { id: 'ok', topics: ['in'], rules: ['t.*'] },
      { id: 'broken', topics: ['in'], rules: ['t.parse', 'missing'] },
    ]);
    await manager.start();
    expect(manager.get('ok')!.state).toBe('RUNNING');
    const broken = manager.get('broken')!;
    expect(broken.state).toBe('FAILED');
    expect(broken.lastError).toMatch(/unknown data type "t\.app"/);
    expect(broken.lastReload!.issues.map((i) => i.message)).toContain('rule "missing" is not in the rule store');
  });
});
