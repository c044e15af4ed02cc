// The records of a scale-out task's repartition topic: metric partials keyed by (rule, key), so all
// partials of one key meet on one partition, and per input partition a marker ("closed through T")
// sent to every partition. JSON values; a record that does not decode is refused with the reason.

import { badInput } from '../../errors/index.js';
import type { MetricPartial } from '../metrics/aggregator.js';
import { keyOnPartition } from '../bus/partitioner.js';
import type { BusMessage } from '../bus/types.js';

export type RepartitionRecord =
  | { kind: 'partial'; source: string; partial: MetricPartial }
  | { kind: 'marker'; source: string; watermark: number };

/** An input partition as phase two knows it. */
export const sourceName = (topic: string, partition: number) => `${topic}/${partition}`;

export function partialMessage(source: string, partial: MetricPartial): BusMessage {
  return { key: `${partial.ruleId}\u0000${partial.keyId}`, value: JSON.stringify({ kind: 'partial', source, partial }) };
}

/** One marker for each partition, through a key that lands on it. */
export function markerMessages(source: string, watermark: number, keys: readonly string[]): BusMessage[] {
  const value = JSON.stringify({ kind: 'marker', source, watermark });
  return keys.map((key) => ({ key, value }));
}

/** Keys that Kafka's partitioner places on partitions 0 .. count-1, in that order. */
export function markerKeys(count: number): string[] {
  return Array.from({ length: count }, (_, p) => keyOnPartition(`marker-${p}-`, p, count));
}

export function decodeRepartition(value: Buffer): RepartitionRecord {
  let v: unknown;
  try {
    v = JSON.parse(value.toString('utf8'));
  } catch (err) {
    throw badInput(`repartition record: expected JSON, got ${JSON.stringify(value.toString('utf8').slice(0, 80))} (${(err as Error).message})`);
  }
  const r = v as Record<string, unknown> | null;
  if (r === null || typeof r !== 'object' || typeof r.source !== 'string') throw badInput(`repartition record: expected an object with a string "source", got ${JSON.stringify(v)?.slice(0, 120)}`);
  if (r.kind === 'marker') {
    if (typeof r.watermark !== 'number' || !Number.isFinite(r.watermark)) throw badInput(`repartition marker of ${r.source}: expected a finite number "watermark", got ${JSON.stringify(r.watermark)}`);
    return { kind: 'marker', source: r.source, watermark: r.watermark };
  }
  if (r.kind === 'partial') {
    const p = r.partial as Record<string, unknown> | null;
    const ok = p !== null && typeof p === 'object' && typeof p.ruleId === 'string' && typeof p.windowStart === 'number' && typeof p.keyId === 'string' && typeof p.key === 'object' && p.key !== null && Array.isArray(p.accs);
    if (!ok) throw badInput(`repartition partial of ${r.source}: expected { ruleId, windowStart, keyId, key, accs }, got ${JSON.stringify(p)?.slice(0, 120)}`);
    return { kind: 'partial', source: r.source, partial: p as unknown as MetricPartial };
  }
  throw badInput(`repartition record of ${r.source}: expected kind "partial" or "marker", got ${JSON.stringify(r.kind)}`);
}
