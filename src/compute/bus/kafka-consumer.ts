// One Kafka subscription: a kafkajs consumer in a consumer group, feeding per-partition batches to
// the subscriber. With autoCommit off, only ctx.commit writes offsets, so a member restarted in
// the same group resumes exactly where its owner last committed. Built by kafka.ts.

import type { Admin, Consumer, EachBatchPayload, IHeaders, KafkaMessage, Kafka } from 'kafkajs';
import { LogfedError, badInput } from '../../errors/index.js';
import { log as rootLog } from '../../observe/logger.js';
import type { KafkaBusConfig } from './config.js';
import { kafkaError } from './kafka-errors.js';
import { busMetrics } from './metrics.js';
import type { BatchContext, BusRecord, BusSubscription, OffsetCommit, PartitionLag, SubscribeOptions, TopicPartition } from './types.js';
import { announceAssignment, byTopicPartition } from './assignment.js';
import { checkCommits } from './validate.js';

const log = rootLog.child({ component: 'bus', bus: 'kafka' });

export interface KafkaSubscribeDeps {
  kafka: Kafka;
  config: KafkaBusConfig;
  admin(): Promise<Admin>;
  onStopped(sub: BusSubscription): void;
}

export async function subscribeKafka(deps: KafkaSubscribeDeps, opts: SubscribeOptions): Promise<BusSubscription> {
  const { kafka, config } = deps;
  const { groupId, topics } = opts;
  const fromBeginning = opts.fromBeginning ?? false;
  const concurrency = opts.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw badInput(`subscribe.concurrency: expected an integer from 1 to 64, got ${JSON.stringify(opts.concurrency)}`);
  }
  const ctxFor = (action: string) => ({ brokers: config.brokers, action: `${action} (group ${groupId})`, topic: topics.join(',') });
  const consumer: Consumer = kafka.consumer({
    groupId,
    sessionTimeout: config.sessionTimeoutMs,
    heartbeatInterval: config.heartbeatIntervalMs,
    maxWaitTimeInMs: config.maxWaitMs,
    // Fewer, larger fetches: kafkajs fetches again only once every batch of the last fetch is handled.
    maxBytesPerPartition: config.maxBytesPerPartition,
    maxBytes: Math.max(10 * 1024 * 1024, 4 * config.maxBytesPerPartition),
    allowAutoTopicCreation: config.autoCreateTopics,
    // A failing handler must not end the subscription: kafkajs restarts the member, which then
    // resumes from the committed offset and delivers the batch again.
    retry: { retries: config.retries, restartOnFailure: async () => true },
  });

  let assignment: TopicPartition[] = [];
  let joinError: unknown = null;
  const setAssignment = (next: TopicPartition[]) => {
    const before = assignment;
    assignment = next;
    announceAssignment(opts, before, next);
  };
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const next = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
    setAssignment(next.sort(byTopicPartition));
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    joinError = payload.error;
    log.warn({ err: payload.error, group: groupId, restart: payload.restart }, payload.restart ? 'consumer crashed; restarting it' : 'consumer crashed and stopped');
    if (!payload.restart) setAssignment([]);
  });

  const eachBatch = async ({ batch, heartbeat, commitOffsetsIfNecessary, resolveOffset, isRunning, isStale }: EachBatchPayload) => {
    // Nothing to hand on (only control records): move past them.
    if (batch.messages.length === 0) return resolveOffset(batch.lastOffset());
    const labels = { bus: 'kafka', topic: batch.topic, group: groupId };
    const ctx: BatchContext = {
      commit: async (offsets: OffsetCommit[]) => {
        checkCommits(offsets);
        if (stopped) throw new LogfedError('CONFLICT', `cannot commit for group ${groupId}: the subscription is stopped`, { retriable: false });
        // Straight to the group coordinator, under this member's generation: a commit for a
        // group that has moved on is refused instead of overwriting the new owner's progress.
        try {
          await commitOffsetsIfNecessary({ topics: groupByTopic(offsets) });
        } catch (err) {
          throw kafkaError(err, ctxFor('commit offsets'));
        }
      },
      heartbeat: () => heartbeat(),
    };
    // A fetch brings up to maxBytesPerPartition of one partition; it is handed on in pieces of at
    // most maxBatchSize records, so the writes of one piece overlap the processing of the next
    // (of this partition's or another's) instead of all waiting for the whole fetch.
    for (let from = 0; from < batch.messages.length; from += config.maxBatchSize) {
      if (from > 0 && (!isRunning() || isStale())) return;
      const records = batch.messages.slice(from, from + config.maxBatchSize).map((m) => toRecord(batch.topic, batch.partition, m));
      try {
        await opts.eachBatch(records, ctx);
      } catch (err) {
        busMetrics.consumeFailed.inc(labels, records.length);
        log.warn({ err, topic: batch.topic, partition: batch.partition, offset: records[0]!.offset, group: groupId }, 'batch handler failed; delivering the batch again');
        // kafkajs stops the consumer for good on an error it deems not retriable (a LogfedError with
        // retriable: false, a TypeError); the contract is "delivered again", so it is told to retry.
        throw Object.assign(new Error(`batch handler failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err }), { retriable: true });
      }
      busMetrics.consumed.inc(labels, records.length);
      // Offsets are resolved here, piece by piece, and not by kafkajs at the end of the fetch: a
      // member stopped between pieces must not commit (autoCommit) or skip the pieces not handled.
      resolveOffset(records[records.length - 1]!.offset);
      await heartbeat();
    }
  };

  let stopped = false;
  let stopping: Promise<void> | null = null;
  const subscription: BusSubscription = {
    stop() {
      stopping ??= (async () => {
        stopped = true;
        try {
          await consumer.disconnect();
        } finally {
          setAssignment([]);
          deps.onStopped(subscription);
        }
      })();
      return stopping;
    },
    assignment: () => assignment.map((tp) => ({ ...tp })),
    lag: () => groupLag(deps, opts, fromBeginning).catch((err) => Promise.reject(kafkaError(err, ctxFor('read lag')))),
  };

  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning });
    await consumer.run({ autoCommit: opts.autoCommit !== false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: concurrency, eachBatch });
  } catch (err) {
    await consumer.disconnect().catch(() => undefined);
    throw kafkaError(err, ctxFor('subscribe'));
  }
  // kafkajs reports a failed first join through its crash event rather than from run().
  if (joinError !== null && assignment.length === 0) {
    await consumer.disconnect().catch(() => undefined);
    throw kafkaError(joinError, ctxFor('join consumer group'));
  }
  return subscription;
}

function toRecord(topic: string, partition: number, m: KafkaMessage): BusRecord {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key === null ? null : m.key.toString('utf8'),
    value: m.value ?? Buffer.alloc(0),
    headers: headersOf(m.headers),
    timestamp: Number(m.timestamp),
  };
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    // Kafka allows a header name to repeat; Logfed's headers are single-valued, the first wins.
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value !== undefined) out[name] = value.toString();
  }
  return out;
}

function groupByTopic(offsets: OffsetCommit[]) {
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const o of offsets) {
    const list = byTopic.get(o.topic) ?? [];
    list.push({ partition: o.partition, offset: o.offset });
    byTopic.set(o.topic, list);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

async function groupLag(deps: KafkaSubscribeDeps, opts: SubscribeOptions, fromBeginning: boolean): Promise<PartitionLag[]> {
  const admin = await deps.admin();
  const committed = await admin.fetchOffsets({ groupId: opts.groupId, topics: [...opts.topics] });
  const out: PartitionLag[] = [];
  for (const { topic, partitions } of committed) {
    const ends = await admin.fetchTopicOffsets(topic);
    for (const end of ends) {
      const high = Number(end.high);
      const low = Number(end.low);
      const c = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
      const from = c >= 0 ? Math.max(c, low) : fromBeginning ? low : high;
      out.push({ topic, partition: end.partition, lag: Math.max(0, high - from) });
    }
  }
  return out.sort(byTopicPartition);
}
