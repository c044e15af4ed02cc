// The bus on a real Kafka cluster (kafkajs 2): one producer shared by every produce call, one
// consumer per subscription, one admin for topics, lag and health. Connections open on first use
// and reopen after a failure, so a broker restart is survived without rebuilding the bus.

import { Partitioners, type Admin, type Producer } from 'kafkajs';
import { LogfedError } from '../../errors/index.js';
import { kafkaBusSchema, parseBusConfig, type KafkaBusOptions } from './config.js';
import { createKafkaClient } from './kafka-client.js';
import { subscribeKafka } from './kafka-consumer.js';
import { kafkaError } from './kafka-errors.js';
import { busMetrics } from './metrics.js';
import type { Bus, BusHealth, BusMessage, BusSubscription, SubscribeOptions, TopicSpec } from './types.js';
import { checkSubscribe, checkTopic, checkTopicSpecs, closedBus } from './validate.js';
import { withTimeout } from '../../util/timeout.js';

export function createKafkaBus(options: KafkaBusOptions): Bus {
  const config = parseBusConfig(kafkaBusSchema, { kind: 'kafka', ...options });
  const kafka = createKafkaClient(config);
  const subscriptions = new Set<BusSubscription>();
  const errorCtx = (action: string, topic?: string) => ({ brokers: config.brokers, action, topic });
  let closed = false;

  /** Connects once and shares the connection; a failed connect is forgotten so the next call retries. */
  function lazily<T extends { connect(): Promise<void> }>(make: () => T): { get(): Promise<T>; opened(): T | null } {
    let ready: Promise<T> | null = null;
    let client: T | null = null;
    return {
      get() {
        ready ??= (async () => {
          const c = make();
          await c.connect();
          client = c;
          return c;
        })().catch((err) => {
          ready = null;
          throw err;
        });
        return ready;
      },
      opened: () => client,
    };
  }
  const producer = lazily<Producer>(() =>
    kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: config.autoCreateTopics }),
  );
  const admin = lazily<Admin>(() => kafka.admin());

  const usable = () => {
    if (closed) throw closedBus('kafka');
  };

  return {
    kind: 'kafka',

    async produce(topic: string, messages: BusMessage[]): Promise<void> {
      usable();
      checkTopic(topic);
      if (messages.length === 0) return;
      try {
        const p = await producer.get();
        for (const slice of slices(messages)) {
          await p.send({
            topic,
            messages: slice.map((m) => ({ key: m.key ?? null, value: m.value, headers: m.headers })),
          });
        }
      } catch (err) {
        busMetrics.produceFailed.inc({ bus: 'kafka', topic }, messages.length);
        throw kafkaError(err, errorCtx(`produce to ${topic}`, topic));
      }
      busMetrics.produced.inc({ bus: 'kafka', topic }, messages.length);
    },

    async ensureTopics(specs: TopicSpec[]): Promise<void> {
      usable();
      checkTopicSpecs(specs);
      if (specs.length === 0) return;
      const names = specs.map((s) => s.topic).join(',');
      try {
        const a = await admin.get();
        const existing = new Set(await a.listTopics());
        const missing = specs.filter((s) => !existing.has(s.topic));
        if (missing.length > 0) {
          await a.createTopics({
            topics: missing.map((s) => ({ topic: s.topic, numPartitions: s.partitions ?? config.partitions })),
            waitForLeaders: true,
          });
        }
        // A topic that exists with fewer partitions than asked for is grown, never shrunk.
        const present = specs.filter((s) => existing.has(s.topic) && s.partitions !== undefined);
        if (present.length > 0) {
          const { topics } = await a.fetchTopicMetadata({ topics: present.map((s) => s.topic) });
          const grow = present.flatMap((s) => {
            const have = topics.find((t) => t.name === s.topic)?.partitions.length ?? 0;
            return have < s.partitions! ? [{ topic: s.topic, count: s.partitions! }] : [];
          });
          if (grow.length > 0) await a.createPartitions({ topicPartitions: grow, validateOnly: false });
        }
      } catch (err) {
        throw kafkaError(err, errorCtx(`ensure topics ${names}`, names));
      }
    },

    async subscribe(opts: SubscribeOptions): Promise<BusSubscription> {
      usable();
      checkSubscribe(opts.groupId, opts.topics);
      if (!config.autoCreateTopics) await requireTopics(opts.topics);
      const sub = await subscribeKafka(
        { kafka, config, admin: () => admin.get(), onStopped: (s) => subscriptions.delete(s) },
        opts,
      );
      subscriptions.add(sub);
      return sub;
    },

    async health(): Promise<BusHealth> {
      if (closed) return { ok: false, detail: 'kafka bus closed' };
      try {
        const cluster = await withTimeout(
          admin.get().then((a) => a.describeCluster()),
          config.connectionTimeoutMs + 2_000,
          `Kafka at ${config.brokers.join(',')} did not answer a metadata request in time: start it with \`npm run services\`, or fix the bus brokers setting`,
        );
        return { ok: true, detail: `kafka at ${config.brokers.join(',')}: ${cluster.brokers.length} broker(s), controller ${cluster.controller}` };
      } catch (err) {
        return { ok: false, detail: kafkaError(err, errorCtx('health check')).message };
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...subscriptions].map((s) => s.stop()));
      await Promise.allSettled([producer.opened()?.disconnect(), admin.opened()?.disconnect()]);
    },
  };

  async function requireTopics(topics: readonly string[]): Promise<void> {
    let existing: Set<string>;
    try {
      existing = new Set(await (await admin.get()).listTopics());
    } catch (err) {
      throw kafkaError(err, errorCtx('subscribe', topics.join(',')));
    }
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      const list = missing.map((t) => `{ topic: '${t}' }`).join(', ');
      throw new LogfedError('NOT_FOUND', `cannot subscribe: ${missing.join(', ')} not found on Kafka at ${config.brokers.join(',')}: create it with bus.ensureTopics([${list}]) or set autoCreateTopics`);
    }
  }
}

/**
 * kafkajs sends a call's messages for one partition as one record batch, and the broker refuses a
 * batch over its message.max.bytes (1 MB by default) whole: a large call goes in slices, in order.
 */
const SLICE_BYTES = 512 * 1024;

function* slices(messages: BusMessage[]): Generator<BusMessage[]> {
  let slice: BusMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    let size = 64 + (typeof m.value === 'string' ? Buffer.byteLength(m.value) : m.value.length) + (m.key ? Buffer.byteLength(m.key) : 0);
    for (const [name, value] of Object.entries(m.headers ?? {})) size += name.length + Buffer.byteLength(value);
    if (slice.length > 0 && bytes + size > SLICE_BYTES) {
      yield slice;
      slice = [];
      bytes = 0;
    }
    slice.push(m);
    bytes += size;
  }
  if (slice.length > 0) yield slice;
}
