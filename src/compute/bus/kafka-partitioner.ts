// The partitioner the Kafka bus hands its kafkajs producer. kafkajs's DefaultPartitioner hashes
// each key with murmur2 on an emulated 64-bit Long, a few µs per record and the costliest single
// step of producing; this one picks the same partitions with 32-bit integer arithmetic.

import type { ICustomPartitioner } from 'kafkajs';
import { murmur2 } from './partitioner.js';

/** Keys seen recently and their hash; a task writes few distinct keys (domain/env/app/file). */
const MAX_CACHED_KEYS = 10_000;

/**
 * As kafkajs's DefaultPartitioner (Java's): an explicit partition wins, a key goes to
 * murmur2(key) mod the partition count, and records without a key go round-robin over the
 * partitions that have a leader, starting at a random one.
 */
export const kafkaPartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  const hashes = new Map<string, number>();
  const hashOf = (key: string | Buffer): number => {
    if (typeof key !== 'string') return murmur2(key) & 0x7fffffff;
    let h = hashes.get(key);
    if (h === undefined) {
      if (hashes.size >= MAX_CACHED_KEYS) hashes.clear();
      hashes.set(key, (h = murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff));
    }
    return h;
  };
  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const count = partitionMetadata.length;
    if (message.key !== null && message.key !== undefined) return hashOf(message.key) % count;
    const next = ((counters.get(topic) ?? Math.floor(Math.random() * 0x7fffffff)) + 1) & 0x7fffffff;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    return available.length > 0 ? available[next % available.length]!.partitionId : next % count;
  };
};
