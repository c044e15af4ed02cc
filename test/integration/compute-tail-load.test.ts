// The live tail under load from a task on the real broker: a subscriber that never reads while
// 20,000 events go by holds the core back not at all (the task handles every record) nor the
// subscriber beside it (which receives every event); when it reads again it is told how many it missed.

import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/compute/bus/testing.js';
import { logbackLine, ruleFolder, testCompute, testRules } from '../../src/compute/tasks/testing.js';
import { TailHub } from '../../src/pubsub/tail-hub.js';
import { kafkaTestRun } from '../helpers/kafka.js';

const kafka = kafkaTestRun('tail-load');
const T0 = Date.parse('2026-11-21T02:15:00Z');
afterAll(() => kafka.cleanup());

describe('a slow tail subscriber under load', () => {
  it('is dropped from, with counts, while the task and a fast subscriber get everything', async () => {
    const input = kafka.topic('load-in');
    await kafka.create([input], { partitions: 3 });
    const dir = ruleFolder(testRules('t'));
    const bus = kafka.bus('client');
    const hub = new TailHub();
    const { manager } = testCompute(bus, dir, [{ id: 'load', topics: [input], rules: ['t.*'], startFrom: 'earliest', groupId: kafka.group('load') }], {
      tail: (events) => {
        for (const e of events) hub.publish(e);
      },
    });
    const slow = hub.subscribe(undefined, 50);
    const fast = hub.subscribe(undefined, 100_000);
    const fastSeen: string[] = [];
    const draining = (async () => {
      for await (const e of fast) fastSeen.push(e.message);
    })();
    try {
      await manager.start();
      const N = 20_000;
      for (let from = 0; from < N; from += 2_000) {
        await bus.produce(
          input,
          Array.from({ length: 2_000 }, (_, j) => ({ key: `file-${(from + j) % 12}`, value: logbackLine(T0 + from + j, `load ${from + j}`) })),
        );
      }
      await waitFor(async () => (await manager.get('load')!.health()).records === N && fastSeen.length === N, `the task and the fast subscriber to see all ${N}`, 120_000);
      expect(new Set(fastSeen).size).toBe(N);

      const first = (await slow.next()).value!;
      expect(first.dropped).toBeGreaterThan(0);
      let received = 1;
      let reported = first.dropped;
      while (received + reported < N) {
        const next = (await slow.next()).value!;
        received++;
        reported += next.dropped;
      }
      expect(received).toBe(50);
      expect(reported).toBe(N - 50);
      expect(slow.droppedTotal).toBe(N - 50);
    } finally {
      hub.close();
      await draining;
      await manager.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
