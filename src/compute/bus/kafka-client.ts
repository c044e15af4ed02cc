// Builds the one kafkajs client a Kafka bus uses (and its producer, on either thread), with kafkajs's own logger routed into pino at
// warn, so broker trouble shows up in Logfed's structured logs and nowhere else.

import { Kafka, logLevel, type LogEntry, type Producer } from 'kafkajs';
import { log as rootLog } from '../../observe/logger.js';
import type { KafkaBusConfig } from './config.js';
import { kafkaPartitioner } from './kafka-partitioner.js';

const log = rootLog.child({ component: 'bus', bus: 'kafka' });

// While a broker is down kafkajs logs every reconnection attempt; one line per kind of trouble
// per window is enough to see it, and the count says how often it repeated.
const REPEAT_WINDOW_MS = 10_000;

function logCreator() {
  const lastSeen = new Map<string, { at: number; repeats: number }>();
  return ({ namespace, level, log: entry }: LogEntry) => {
    if (level > logLevel.WARN) return;
    const { message, timestamp: _ts, logger: _logger, stack: _stack, retryCount: _rc, retryTime: _rt, ...fields } = entry as LogEntry['log'] & Record<string, unknown>;
    const key = `${namespace}\u0000${message}`;
    const now = Date.now();
    const seen = lastSeen.get(key);
    if (seen && now - seen.at < REPEAT_WINDOW_MS) {
      seen.repeats++;
      return;
    }
    lastSeen.set(key, { at: now, repeats: 0 });
    if (lastSeen.size > 200) lastSeen.delete(lastSeen.keys().next().value!);
    // kafkajs says "error" for what Logfed retries and reports through its own errors: a warning.
    log.warn({ kafkajs: namespace, ...fields, repeatedSinceLast: seen?.repeats ?? 0 }, message);
  };
}

export function createKafkaClient(config: KafkaBusConfig): Kafka {
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    retry: { retries: config.retries },
    logLevel: logLevel.WARN,
    logCreator,
  });
}

/** The bus's producer, built alike on the bus's thread and on its produce thread. */
export function createBusProducer(kafka: Kafka, config: KafkaBusConfig): Producer {
  return kafka.producer({ createPartitioner: kafkaPartitioner, allowAutoTopicCreation: config.autoCreateTopics });
}
