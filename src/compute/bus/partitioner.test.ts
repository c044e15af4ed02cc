import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createPartitioner, keyOnPartition, murmur2, partitionForKey } from './partitioner.js';

describe('partitioner', () => {
  it('computes Java murmur2 (values from Kafka’s own Utils tests)', () => {
    const cases: Record<string, number> = {
      '21': -973932308,
      foobar: -790332482,
      'a-little-bit-long-string': -985981536,
      'a-little-bit-longer-string': -1486304829,
      lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8: -58897971,
      abc: 479470107,
    };
    for (const [key, hash] of Object.entries(cases)) expect(murmur2(Buffer.from(key))).toBe(hash);
  });

  it('picks the partition kafkajs’s default partitioner picks for every key', () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    for (const count of [1, 2, 3, 7, 12]) {
      const partitionMetadata = Array.from({ length: count }, (_, i) => ({ partitionId: i, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
      for (let i = 0; i < 300; i++) {
        const key = `order-${i * 7919}-é`;
        expect(partitionForKey(key, count)).toBe(kafkajs({ topic: 't', partitionMetadata, message: { key, value: 'v' } }));
      }
    }
  });

  it('goes round-robin without a key', () => {
    const pick = createPartitioner();
    expect([null, undefined, null, null].map((k) => pick(k, 3))).toEqual([0, 1, 2, 0]);
  });

  it('finds, for each partition, the first key of a prefix that lands on it, and refuses a partition that is not there', () => {
    for (const count of [1, 3, 7]) {
      for (let p = 0; p < count; p++) {
        const key = keyOnPartition('k', p, count);
        expect(key).toMatch(/^k\d+$/);
        expect(partitionForKey(key, count)).toBe(p);
        for (let i = 0; `k${i}` !== key; i++) expect(partitionForKey(`k${i}`, count)).not.toBe(p);
      }
    }
    expect(() => keyOnPartition('k', 3, 3)).toThrow(RangeError);
    expect(() => keyOnPartition('k', -1, 3)).toThrow('no partition -1 among 3');
  });
});
