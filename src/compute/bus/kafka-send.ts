// Writes one produce call's records with a kafkajs producer, in slices and in order. Used on the
// bus's own thread (kafka.ts) and on its produce thread (kafka-produce-worker.ts) alike.

import type { Message, Producer } from 'kafkajs';
import type { BusMessage } from './types.js';

/**
 * kafkajs sends a call's messages for one partition as one record batch, and the broker refuses a
 * batch over its message.max.bytes (1 MB by default) whole: a large call goes in slices, in order,
 * each acknowledged before the next is sent. kafkajs also groups a call's messages by partition
 * in time quadratic in their count, so a slice holds at most SLICE_MESSAGES of them.
 */
export const SLICE_BYTES = 512 * 1024;
export const SLICE_MESSAGES = 500;

export function* slices(messages: readonly BusMessage[]): Generator<BusMessage[]> {
  let slice: BusMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    let size = 64 + (typeof m.value === 'string' ? Buffer.byteLength(m.value) : m.value.length) + (m.key ? m.key.length * 3 : 0);
    if (m.headers) for (const name in m.headers) size += name.length + Buffer.byteLength(m.headers[name]!);
    if (slice.length > 0 && (bytes + size > SLICE_BYTES || slice.length >= SLICE_MESSAGES)) {
      yield slice;
      slice = [];
      bytes = 0;
    }
    slice.push(m);
    bytes += size;
  }
  if (slice.length > 0) yield slice;
}

const toKafka = (m: BusMessage): Message => ({ key: m.key ?? null, value: m.value, headers: m.headers });

/** Sends every record of one call; rejects with kafkajs's error at the first slice that fails. */
export async function sendInSlices(producer: Producer, topic: string, messages: readonly BusMessage[]): Promise<void> {
  for (const slice of slices(messages)) await producer.send({ topic, messages: slice.map(toKafka) });
}
