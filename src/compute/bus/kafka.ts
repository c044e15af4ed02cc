// The bus on a real Kafka cluster (kafkajs 2): one producer shared by every produce call (on a
// thread of its own unless produceThread is off), one consumer per subscription, one admin for
// topics, lag and health. Connections open on first use and reopen after a failure, so a broker
// restart is survived without rebuilding the bus.

import type { Admin, Producer } from 'kafkajs';
import { LogfedError } from '../../errors/index.js';
import { kafkaBusSchema, parseBusConfig, type KafkaBusOptions } from './config.js';
import { createBusProducer, createKafkaClient } from './kafka-client.js';
import { subscribeKafka } from './kafka-consumer.js';
import { kafkaError } from './kafka-errors.js';
import { createProduceThread, type ProduceThreadObserver } from './kafka-produce-thread.js';
import { sendInSlices } from './kafka-send.js';
import { busMetrics } from './metrics.js';
import type { Bus, BusHealth, BusMessage, BusSubscription, SubscribeOptions, TopicSpec } from './types.js';
import { checkSubscribe, checkTopic, checkTopicSpecs, closedBus } from './validate.js';
import { withTimeout } from '../../util/timeout.js';

/** What a caller may watch of the bus's internals without changing them. */
export interface KafkaBusObservers {
  produceThread?: ProduceThreadObserver;
}

export function createKafkaBus(options: KafkaBusOptions, observers: KafkaBusObservers = {}): Bus {
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
  const producer = lazily<Producer>(() => createBusProducer(kafka, config));
  const admin = lazily<Admin>(() => kafka.admin());
  const thread = config.produceThread ? createProduceThread(config, observers.produceThread) : null;

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
        if (thread) await thread.produce(topic, messages);
        else await sendInSlices(await producer.get(), topic, messages);
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
      await Promise.allSettled([producer.opened()?.disconnect(), admin.opened()?.disconnect(), thread?.close()]);
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
