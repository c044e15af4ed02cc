import { afterEach, describe, expect, it } from 'vitest';
import { LogfedError } from '../../errors/index.js';
import { registry } from '../../observe/metrics.js';
import { deadLetter, DEAD_LETTER_HEADERS } from './dead-letter.js';
import { createBus } from './index.js';
import { createMemoryBus } from './memory.js';
import { partitionForKey } from './partitioner.js';
import { collector, waitFor } from './testing.js';
import type { Bus, BusSubscription } from './types.js';

let bus: Bus;
afterEach(async () => {
  await bus?.close();
});

const messages = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `${prefix}${i}` }));

async function consumedCount(topic: string, group: string): Promise<number> {
  const metric = await registry.getSingleMetric('logfed_bus_consumed_total')!.get();
  return metric.values.filter((v) => v.labels.topic === topic && v.labels.group === group).reduce((a, v) => a + v.value, 0);
}

describe('memory bus: topics and partitioning', () => {
  it('places keyed records where Kafka would, in offset order, with headers', async () => {
    bus = createMemoryBus();
    await bus.ensureTopics([{ topic: 'logs', partitions: 4 }]);
    const got = collector();
    await bus.subscribe({ groupId: 'g', topics: ['logs'], fromBeginning: true, eachBatch: got.eachBatch });
    await bus.produce('logs', [...messages(20), { key: 'k3', value: Buffer.from('again'), headers: { h: 'v' } }]);
    await waitFor(() => got.records.length === 21, '21 records');
    for (const r of got.records) expect(r.partition).toBe(partitionForKey(r.key!, 4));
    const k3 = got.records.filter((r) => r.key === 'k3');
    expect(k3.map((r) => r.value.toString())).toEqual(['m3', 'again']);
    expect(Number(k3[1]!.offset)).toBeGreaterThan(Number(k3[0]!.offset));
    expect(k3[1]!.headers).toEqual({ h: 'v' });
  });

  it('spreads unkeyed records round-robin', async () => {
    bus = createMemoryBus();
    await bus.ensureTopics([{ topic: 't', partitions: 3 }]);
    const got = collector();
    await bus.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true, eachBatch: got.eachBatch });
    await bus.produce('t', Array.from({ length: 9 }, (_, i) => ({ value: String(i) })));
    await waitFor(() => got.records.length === 9, '9 records');
    const perPartition = [0, 1, 2].map((p) => got.records.filter((r) => r.partition === p).length);
    expect(perPartition).toEqual([3, 3, 3]);
  });

  it('refuses a topic nobody created, naming the fix; creates it when auto-creation is on', async () => {
    bus = createMemoryBus();
    const err = await bus.produce('nope', messages(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LogfedError);
    expect((err as LogfedError).code).toBe('NOT_FOUND');
    expect((err as LogfedError).message).toContain('ensureTopics');
    await expect(bus.subscribe({ groupId: 'g', topics: ['nope'], eachBatch: async () => undefined })).rejects.toThrow(/ensureTopics/);
    await bus.close();
    bus = createMemoryBus({ autoCreateTopics: true });
    await bus.produce('auto', messages(1));
  });

  it('rejects bad settings naming the field and echoing the value', () => {
    expect(() => createMemoryBus({ partitions: 0 })).toThrow(/bus\.partitions: .*\(got 0\)/);
    expect(() => createBus({ kind: 'memory', partiton: 3 } as never)).toThrow(/partiton/);
    expect(() => createBus({ kind: 'kafka', brokers: ['localhost'] })).toThrow(/bus\.brokers\.0: expected host:port/);
  });
});

describe('memory bus: consumer groups', () => {
  it('shares partitions between the members of a group; each record reaches exactly one', async () => {
    bus = createMemoryBus();
    await bus.ensureTopics([{ topic: 'shared', partitions: 3 }]);
    const a = collector();
    const b = collector();
    const subA = await bus.subscribe({ groupId: 'g', topics: ['shared'], eachBatch: a.eachBatch });
    const subB = await bus.subscribe({ groupId: 'g', topics: ['shared'], eachBatch: b.eachBatch });
    const owned = [...subA.assignment(), ...subB.assignment()].map((tp) => tp.partition).sort();
    expect(owned).toEqual([0, 1, 2]);
    expect(subA.assignment().length).toBeGreaterThan(0);
    expect(subB.assignment().length).toBeGreaterThan(0);

    await bus.produce('shared', messages(60));
    await waitFor(() => a.records.length + b.records.length >= 60, '60 records across the group');
    const all = [...a.values(), ...b.values()].sort();
    expect(all).toEqual(messages(60).map((m) => m.value).sort());
    for (const r of a.records) expect(subA.assignment().map((tp) => tp.partition)).toContain(r.partition);
  });

  it('moves a leaving member’s partitions to the rest, and tells both through the hooks', async () => {
    bus = createMemoryBus();
    await bus.ensureTopics([{ topic: 'moves', partitions: 3 }]);
    const revokedFromA: number[] = [];
    const assignedToB: number[] = [];
    const a = collector();
    const b = collector();
    const subA = await bus.subscribe({ groupId: 'g', topics: ['moves'], eachBatch: a.eachBatch, onRevoke: (tps) => revokedFromA.push(...tps.map((t) => t.partition)) });
    const subB = await bus.subscribe({ groupId: 'g', topics: ['moves'], eachBatch: b.eachBatch, onAssign: (tps) => assignedToB.push(...tps.map((t) => t.partition)) });
    expect(revokedFromA.sort()).toEqual(subB.assignment().map((t) => t.partition));
    await subA.stop();
    expect(subB.assignment().map((t) => t.partition)).toEqual([0, 1, 2]);
    expect(assignedToB.sort()).toEqual([0, 1, 2]);
    await bus.produce('moves', messages(30));
    await waitFor(() => b.records.length === 30, 'all 30 records at the remaining member');
    expect(a.records).toHaveLength(0);
  });

  it('gives every group its own copy of the stream', async () => {
    bus = createMemoryBus();
    await bus.ensureTopics([{ topic: 'fan' }]);
    const one = collector();
    const two = collector();
    await bus.subscribe({ groupId: 'one', topics: ['fan'], eachBatch: one.eachBatch });
    await bus.subscribe({ groupId: 'two', topics: ['fan'], eachBatch: two.eachBatch });
    await bus.produce('fan', messages(10));
    await waitFor(() => one.records.length === 10 && two.records.length === 10, 'both groups to see 10 records');
  });

  it('starts a new group at the end unless fromBeginning', async () => {
    bus = createMemoryBus();
    await bus.ensureTopics([{ topic: 'old' }]);
    await bus.produce('old', messages(5, 'old'));
    const latest = collector();
    const earliest = collector();
    await bus.subscribe({ groupId: 'latest', topics: ['old'], eachBatch: latest.eachBatch });
    await bus.subscribe({ groupId: 'earliest', topics: ['old'], fromBeginning: true, eachBatch: earliest.eachBatch });
    await bus.produce('old', [{ value: 'new' }]);
    await waitFor(() => earliest.records.length === 6 && latest.records.length === 1, 'old and new records');
    expect(latest.values()).toEqual(['new']);
  });
});

describe('memory bus: offsets', () => {
  it('commits only what ctx.commit says when autoCommit is off, and a new member resumes there', async () => {
    bus = createMemoryBus();
    await bus.ensureTopics([{ topic: 'manual', partitions: 1 }]);
    await bus.produce('manual', messages(10));
    const first = collector(async (records, ctx) => {
      // Hold back everything from offset 4 on, as an open window would.
      const done = records.filter((r) => Number(r.offset) < 4);
      if (done.length > 0) await ctx.commit([{ topic: 'manual', partition: 0, offset: String(Number(done.at(-1)!.offset) + 1) }]);
    });
    const sub = await bus.subscribe({ groupId: 'windows', topics: ['manual'], fromBeginning: true, autoCommit: false, eachBatch: first.eachBatch });
    await waitFor(() => first.records.length === 10, 'the first member to read all 10');
    expect(await sub.lag()).toEqual([{ topic: 'manual', partition: 0, lag: 6 }]);
    await sub.stop();

    const second = collector();
    await bus.subscribe({ groupId: 'windows', topics: ['manual'], fromBeginning: true, eachBatch: second.eachBatch });
    await waitFor(() => second.records.length === 6, 'the resumed member to read 6');
    expect(second.records.map((r) => r.offset)).toEqual(['4', '5', '6', '7', '8', '9']);
  });

  it('commits after each batch by default, so a restart continues after the last batch', async () => {
    bus = createMemoryBus();
    await bus.ensureTopics([{ topic: 'auto', partitions: 1 }]);
    const first = collector();
    const sub = await bus.subscribe({ groupId: 'g', topics: ['auto'], eachBatch: first.eachBatch });
    await bus.produce('auto', messages(3));
    await waitFor(() => first.records.length === 3, '3 records');
    await sub.stop();
    await bus.produce('auto', messages(2, 'later'));
    const second = collector();
    const again = await bus.subscribe({ groupId: 'g', topics: ['auto'], eachBatch: second.eachBatch });
    await waitFor(() => second.records.length === 2, '2 later records');
    expect(second.values()).toEqual(['later0', 'later1']);
    await waitFor(async () => (await again.lag())[0]!.lag === 0, 'lag to reach 0');
  });

  it('delivers a failed batch again and counts the failure', async () => {
    bus = createMemoryBus();
    await bus.ensureTopics([{ topic: 'flaky', partitions: 1 }]);
    let calls = 0;
    const got = collector(async () => {
      calls++;
      if (calls === 1) throw new Error('transient');
    });
    await bus.subscribe({ groupId: 'flaky-group', topics: ['flaky'], eachBatch: got.eachBatch });
    await bus.produce('flaky', messages(3));
    await waitFor(() => got.records.length === 3, 'the batch to be delivered again');
    expect(got.values()).toEqual(['m0', 'm1', 'm2']);
    expect(calls).toBe(2);
    expect(await consumedCount('flaky', 'flaky-group')).toBe(3);
  });

  it('refuses a commit for a partition the member does not own', async () => {
    bus = createMemoryBus();
    await bus.ensureTopics([{ topic: 'own', partitions: 1 }, { topic: 'other', partitions: 1 }]);
    const got = collector();
    await bus.subscribe({ groupId: 'g', topics: ['own'], fromBeginning: true, autoCommit: false, eachBatch: got.eachBatch });
    await bus.produce('own', messages(1));
    await waitFor(() => got.records.length === 1, 'one record');
    const err = await got.lastContext()!.commit([{ topic: 'other', partition: 0, offset: '1' }]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CONFLICT', retriable: true });
    await expect(got.lastContext()!.commit([{ topic: 'own', partition: 0, offset: '-1' }])).rejects.toThrow(/commit\[0\]\.offset/);
  });

  it('drops the oldest records past the retention and resumes from the oldest kept', async () => {
    bus = createMemoryBus({ retention: 10 });
    await bus.ensureTopics([{ topic: 'short', partitions: 1 }]);
    await bus.produce('short', messages(50));
    const got = collector();
    await bus.subscribe({ groupId: 'late', topics: ['short'], fromBeginning: true, eachBatch: got.eachBatch });
    await waitFor(() => got.records.at(-1)?.offset === '49', 'the newest record');
    expect(got.records.length).toBeLessThanOrEqual(11);
    expect(Number(got.records[0]!.offset)).toBeGreaterThan(0);
  });
});

describe('memory bus: dead letters and lifecycle', () => {
  it('dead-letters the original bytes with the reason and the source position', async () => {
    bus = createMemoryBus();
    await bus.ensureTopics([{ topic: 'in', partitions: 1 }, { topic: 'in.dlq', partitions: 1 }]);
    const dead = collector();
    await bus.subscribe({ groupId: 'dlq-reader', topics: ['in.dlq'], fromBeginning: true, eachBatch: dead.eachBatch });
    const raw = Buffer.from([0xff, 0x00, 0x7b]);
    await bus.subscribe({
      groupId: 'parser',
      topics: ['in'],
      fromBeginning: true,
      eachBatch: async (records) => {
        for (const r of records) await deadLetter(bus, 'in.dlq', r, 'not JSON');
      },
    });
    await bus.produce('in', [{ key: 'k', value: raw, headers: { origin: 'agent' } }]);
    await waitFor(() => dead.records.length === 1, 'one dead letter');
    const r = dead.records[0]!;
    expect(r.value.equals(raw)).toBe(true);
    expect(r.key).toBe('k');
    expect(r.headers).toEqual({
      origin: 'agent',
      [DEAD_LETTER_HEADERS.reason]: 'not JSON',
      [DEAD_LETTER_HEADERS.topic]: 'in',
      [DEAD_LETTER_HEADERS.partition]: '0',
      [DEAD_LETTER_HEADERS.offset]: '0',
    });
  });

  it('stops every subscription on close and refuses use afterwards', async () => {
    bus = createMemoryBus();
    await bus.ensureTopics([{ topic: 'c' }]);
    const sub: BusSubscription = await bus.subscribe({ groupId: 'g', topics: ['c'], eachBatch: async () => undefined });
    expect((await bus.health()).ok).toBe(true);
    await bus.close();
    expect(sub.assignment()).toEqual([]);
    expect((await bus.health()).ok).toBe(false);
    await expect(bus.produce('c', messages(1))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
