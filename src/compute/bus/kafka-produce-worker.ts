// The produce thread of a Kafka bus: its own kafkajs producer, which partitions, encodes and
// checksums the records the bus's thread hands it (about half the CPU a record costs a task), so
// that work runs on another core. Each call is answered once kafkajs has its acknowledgement, or
// with the error it failed with, already mapped to Logfed's codes. Started by kafka-produce-thread.ts.

import { parentPort, workerData } from 'node:worker_threads';
import type { Producer } from 'kafkajs';
import type { KafkaBusConfig } from './config.js';
import { createBusProducer, createKafkaClient } from './kafka-client.js';
import { kafkaError } from './kafka-errors.js';
import { unpack, type PackedMessages } from './kafka-pack.js';
import { sendInSlices } from './kafka-send.js';

export type ToProduceThread = { type: 'produce'; id: number; topic: string; packed: PackedMessages } | { type: 'close' };
export type FromProduceThread = { id: number; error?: { code: string; message: string; retriable: boolean; details?: Record<string, unknown> } };

const port = parentPort!;
const config = workerData as KafkaBusConfig;
const kafka = createKafkaClient(config);
let producer: Promise<Producer> | null = null;
const inFlight = new Set<Promise<void>>();

/** Connects on first use; a failed connect is forgotten so the next call retries. */
function connected(): Promise<Producer> {
  producer ??= (async () => {
    const p = createBusProducer(kafka, config);
    await p.connect();
    return p;
  })().catch((err) => {
    producer = null;
    throw err;
  });
  return producer;
}

async function produce(id: number, topic: string, packed: PackedMessages): Promise<void> {
  try {
    await sendInSlices(await connected(), topic, unpack(packed));
    port.postMessage({ id } satisfies FromProduceThread);
  } catch (err) {
    const e = kafkaError(err, { brokers: config.brokers, action: `produce to ${topic}`, topic });
    port.postMessage({ id, error: { code: e.code, message: e.message, retriable: e.retriable, details: e.details } } satisfies FromProduceThread);
  }
}

port.on('message', (msg: ToProduceThread) => {
  if (msg.type === 'produce') {
    const call = produce(msg.id, msg.topic, msg.packed);
    inFlight.add(call);
    void call.finally(() => inFlight.delete(call));
    return;
  }
  // Close: answer what is in hand, then leave the broker; the thread ends when its port closes.
  void (async () => {
    await Promise.allSettled(inFlight);
    await (producer ? producer.then((p) => p.disconnect()).catch(() => undefined) : undefined);
    port.close();
  })();
});
