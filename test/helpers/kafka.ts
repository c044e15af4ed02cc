// Kafka helpers for integration tests and benchmarks on the local broker: topic and group names
// unique to one run, topics made with the partitions (and size limit) a test needs, buses of
// their own, and removal of everything the run made, so the broker's disk does not grow run after run.

import { Kafka, logLevel, type Admin } from 'kafkajs';
import { createKafkaBus, keyOnPartition, type Bus, type KafkaBusOptions } from '../../src/compute/bus/index.js';

export const KAFKA_BROKERS = (process.env.LOGFED_TEST_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/**
 * One sentinel record per partition of a `partitions`-partition topic, produced after the records
 * a test waits for: a consumer has read everything before them only once it has seen all of them,
 * since Kafka orders records within a partition, not across partitions.
 */
export function sentinelPerPartition(partitions: number): { key: string; value: string }[] {
  return Array.from({ length: partitions }, (_, p) => ({ key: keyOnPartition('sentinel-', p, partitions), value: `sentinel-${p}` }));
}

export interface KafkaTestRun {
  /** A topic name unique to this run (not yet created). */
  topic(name: string): string;
  group(name: string): string;
  /** Creates topics with `partitions` each; `maxMessageBytes` raises the topic's message size limit. */
  create(topics: string[], opts?: { partitions?: number; maxMessageBytes?: number }): Promise<void>;
  /** A Kafka bus of its own (as another process would have), closed by cleanup. */
  bus(name: string, opts?: Partial<KafkaBusOptions>): Bus;
  /** Closes the buses and deletes every topic this run named. */
  cleanup(): Promise<void>;
}

export function kafkaTestRun(label: string): KafkaTestRun {
  const run = `${label}-${Date.now().toString(36)}-${process.pid}`;
  const named: string[] = [];
  const buses: Bus[] = [];
  let admin: Admin | undefined;
  const connected = async () => {
    if (!admin) {
      admin = new Kafka({ brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
      try {
        await admin.connect();
      } catch (err) {
        admin = undefined;
        throw new Error(`Kafka at ${KAFKA_BROKERS.join(',')} does not answer (${(err as Error).message}); run \`npm run services\``);
      }
    }
    return admin;
  };
  return {
    topic(name) {
      const topic = `logfed-test-${name}-${run}`;
      named.push(topic);
      return topic;
    },
    group: (name) => `logfed-test-${name}-${run}`,
    async create(topics, opts = {}) {
      const a = await connected();
      const configEntries = opts.maxMessageBytes ? [{ name: 'max.message.bytes', value: String(opts.maxMessageBytes) }] : [];
      await a.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: opts.partitions ?? 3, configEntries })), waitForLeaders: true });
    },
    bus(name, opts = {}) {
      // Short fetch waits and heartbeats keep tests quick to see records and rebalances.
      const bus = createKafkaBus({ brokers: KAFKA_BROKERS, clientId: `logfed-test-${name}-${run}`, maxWaitMs: 100, heartbeatIntervalMs: 1_000, ...opts });
      buses.push(bus);
      return bus;
    },
    async cleanup() {
      for (const bus of buses.splice(0)) await bus.close();
      const a = await connected();
      const existing = new Set(await a.listTopics());
      const mine = named.filter((t) => existing.has(t));
      if (mine.length > 0) await a.deleteTopics({ topics: mine }).catch(() => undefined);
      await a.disconnect();
      admin = undefined;
    },
  };
}
