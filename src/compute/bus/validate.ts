// Input checks both buses share, so code that runs on the in-process bus fails the same way it
// would on Kafka: topic names follow Kafka's rules, offsets are non-negative integers.

import { LogfedError, badInput } from '../../errors/index.js';
import type { OffsetCommit, TopicSpec } from './types.js';

const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export function checkTopic(topic: unknown, field = 'topic'): string {
  if (typeof topic !== 'string' || !TOPIC.test(topic) || topic === '.' || topic === '..') {
    throw badInput(`${field}: expected a Kafka topic name (letters, digits, '.', '_', '-'; at most 249), got ${JSON.stringify(topic)}`);
  }
  return topic;
}

export function checkTopicSpecs(specs: TopicSpec[]): void {
  specs.forEach((spec, i) => {
    checkTopic(spec.topic, `ensureTopics[${i}].topic`);
    const n = spec.partitions;
    if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 1024)) {
      throw badInput(`ensureTopics[${i}].partitions: expected an integer from 1 to 1024, got ${JSON.stringify(n)}`);
    }
  });
}

export function checkCommits(offsets: OffsetCommit[]): void {
  offsets.forEach((o, i) => {
    checkTopic(o.topic, `commit[${i}].topic`);
    if (!Number.isInteger(o.partition) || o.partition < 0) {
      throw badInput(`commit[${i}].partition: expected a non-negative integer, got ${JSON.stringify(o.partition)}`);
    }
    if (typeof o.offset !== 'string' || !/^\d{1,19}$/.test(o.offset)) {
      throw badInput(`commit[${i}].offset: expected the next offset to read as a decimal string, got ${JSON.stringify(o.offset)}`);
    }
  });
}

export function checkSubscribe(groupId: unknown, topics: unknown): void {
  if (typeof groupId !== 'string' || groupId.length === 0) {
    throw badInput(`subscribe.groupId: expected a non-empty string, got ${JSON.stringify(groupId)}`);
  }
  if (!Array.isArray(topics) || topics.length === 0) {
    throw badInput(`subscribe.topics: expected at least one topic, got ${JSON.stringify(topics)}`);
  }
  topics.forEach((t, i) => checkTopic(t, `subscribe.topics[${i}]`));
}

export const closedBus = (kind: string) =>
  new LogfedError('SERVICE_UNAVAILABLE', `the ${kind} bus is closed: build a new one with createBus`, { retriable: false });

export function toBuffer(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}
