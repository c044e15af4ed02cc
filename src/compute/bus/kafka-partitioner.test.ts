import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaPartitioner } from './kafka-partitioner.js';

const metadata = (count: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: count }, (_, i) => ({ partitionId: i, leader: leaderless.includes(i) ? -1 : 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));

describe('kafkaPartitioner', () => {
  it('puts every key where kafkajs’s DefaultPartitioner does, as a string or as bytes', () => {
    const ours = kafkaPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const count of [1, 2, 3, 7, 12]) {
      const partitionMetadata = metadata(count);
      // More keys than the hash cache holds, so a cleared cache is exercised too; each is asked twice.
      for (let i = 0; i < 12_000; i++) {
        const key = i % 3 === 0 ? `shop/prod/app-${i}/app.log` : `order-${i * 7919}-é`;
        const expected = theirs({ topic: 't', partitionMetadata, message: { key, value: 'v' } });
        expect(ours({ topic: 't', partitionMetadata, message: { key, value: 'v' } })).toBe(expected);
        expect(ours({ topic: 't', partitionMetadata, message: { key: Buffer.from(key), value: 'v' } })).toBe(expected);
        if (i % 1000 === 0) expect(ours({ topic: 't', partitionMetadata, message: { key, value: 'v' } })).toBe(expected);
      }
    }
  });

  it('keeps an explicit partition', () => {
    const pick = kafkaPartitioner();
    expect(pick({ topic: 't', partitionMetadata: metadata(3), message: { key: 'k', value: 'v', partition: 2 } })).toBe(2);
    expect(pick({ topic: 't', partitionMetadata: metadata(3), message: { value: 'v', partition: 0 } })).toBe(0);
  });

  it('goes round-robin without a key, over the partitions that have a leader', () => {
    const pick = kafkaPartitioner();
    const partitionMetadata = metadata(4, [1]);
    const picks = Array.from({ length: 9 }, () => pick({ topic: 't', partitionMetadata, message: { value: 'v' } }));
    expect(new Set(picks)).toEqual(new Set([0, 2, 3]));
    for (let i = 1; i < picks.length; i++) expect(picks[i]).not.toBe(picks[i - 1]);
  });
});
