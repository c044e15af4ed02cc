// Kafka's default partitioner (murmur2 of the key, modulo the partition count; round-robin
// without a key), so the in-process bus places a keyed record where a real broker would.

/** Java-compatible murmur2, as in org.apache.kafka.common.utils.Utils#murmur2. */
export function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & ~3;
  const rest = length % 4;
  if (rest === 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) {
    h ^= data[tail]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's default partitioner picks for a key. */
export function partitionForKey(key: string, partitions: number): number {
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}

/** The first key `${prefix}0`, `${prefix}1`, ... that Kafka's partitioner places on `partition` of `partitions`. */
export function keyOnPartition(prefix: string, partition: number, partitions: number): string {
  if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) throw new RangeError(`no partition ${partition} among ${partitions}`);
  for (let i = 0; ; i++) if (partitionForKey(`${prefix}${i}`, partitions) === partition) return `${prefix}${i}`;
}

/** A partitioner for one bus: keyed records hash, unkeyed ones go round-robin. */
export function createPartitioner(): (key: string | null | undefined, partitions: number) => number {
  let next = 0;
  return (key, partitions) => {
    if (key !== null && key !== undefined) return partitionForKey(key, partitions);
    const p = next % partitions;
    next = (next + 1) % 0x7fffffff;
    return p;
  };
}
