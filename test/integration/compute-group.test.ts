// Two compute instances (each with its own Kafka client, as two processes would have) run the same
// task in one consumer group on the real broker: they share the topic's partitions, and together
// they turn every record into exactly one event.

import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { collector, waitFor } from '../../src/compute/bus/testing.js';
import { logbackLine, ruleFolder, testCompute, testRules } from '../../src/compute/tasks/testing.js';
import { kafkaTestRun } from '../helpers/kafka.js';

const kafka = kafkaTestRun('group');
const T0 = Date.parse('2026-11-21T02:15:00Z');
const dirs: string[] = [];
const newBus = (name: string) => kafka.bus(name, { sessionTimeoutMs: 10_000 });

afterAll(async () => {
  await kafka.cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('two compute instances in one consumer group', () => {
  it('share the partitions and together process every record once', async () => {
    const input = kafka.topic('shared-in');
    const out = kafka.topic('shared-out');
    await kafka.create([input], { partitions: 3 });
    const dir = ruleFolder(testRules('t'));
    dirs.push(dir);
    const task = { id: 'shared', topics: [input], rules: ['t.*'], outputTopic: out, startFrom: 'earliest' as const, groupId: kafka.group('shared') };
    const one = testCompute(newBus('one'), dir, [task]);
    const two = testCompute(newBus('two'), dir, [task]);
    try {
      await one.manager.start();
      await two.manager.start();
      const owned = async () => [...(await one.manager.get('shared')!.health()).assignment, ...(await two.manager.get('shared')!.health()).assignment];
      await waitFor(async () => {
        const [a, b] = [(await one.manager.get('shared')!.health()).assignment, (await two.manager.get('shared')!.health()).assignment];
        return a.length > 0 && b.length > 0 && a.length + b.length === 3;
      }, 'both instances to own partitions', 60_000);
      expect((await owned()).map((tp) => tp.partition).sort()).toEqual([0, 1, 2]);

      const N = 300;
      const reader = newBus('reader');
      const got = collector();
      const sub = await reader.subscribe({ groupId: kafka.group('reader'), topics: [out], fromBeginning: true, eachBatch: got.eachBatch });
      await reader.produce(
        input,
        Array.from({ length: N }, (_, i) => ({ key: `file-${i % 30}`, value: logbackLine(T0 + i, `record ${i}`) })),
      );
      await waitFor(() => got.records.length >= N, `${N} events`, 60_000);
      const ids = got.values().map((v) => Number(/^record (\d+)$/.exec(JSON.parse(v).message)![1]));
      expect(ids).toHaveLength(N);
      expect(new Set(ids).size).toBe(N);

      const [a, b] = [await one.manager.get('shared')!.health(), await two.manager.get('shared')!.health()];
      expect(a.records).toBeGreaterThan(0);
      expect(b.records).toBeGreaterThan(0);
      expect(a.records + b.records).toBe(N);
      expect(one.tailed.length + two.tailed.length).toBe(N);
      await waitFor(async () => (await one.manager.get('shared')!.health()).totalLag === 0, 'the group to have committed everything', 60_000);
      await sub.stop();
    } finally {
      await Promise.all([one.manager.close(), two.manager.close()]);
    }
  }, 180_000);
});
