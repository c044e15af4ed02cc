// Builds the one kafkajs client a Kafka bus uses, with kafkajs's own logger routed into pino at
// warn, so broker trouble shows up in Logfed's structured logs and nowhere else.

import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { log as rootLog } from '../../observe/logger.js';
import type { KafkaBusConfig } from './config.js';

const log = rootLog.child({ component: 'bus', bus: 'kafka' });

function logCreator() {
  return ({ namespace, level, log: entry }: LogEntry) => {
    const { message, timestamp: _ts, logger: _logger, ...fields } = entry;
    const target = { kafkajs: namespace, ...fields };
    if (level === logLevel.ERROR) log.error(target, message);
    else if (level === logLevel.WARN) log.warn(target, message);
    else log.debug(target, message);
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
