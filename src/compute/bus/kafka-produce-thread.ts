// Hands a Kafka bus's produce calls to a worker thread (kafka-produce-worker.ts), so kafkajs's
// per-record encoding runs beside the consumer and the pipeline instead of between them. A call
// resolves when its records are acknowledged, exactly as on the bus's own producer; a thread that
// dies fails the calls in hand and is started again by the next one.

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LogfedError, type ErrorCode } from '../../errors/index.js';
import type { KafkaBusConfig } from './config.js';
import { pack, transferables } from './kafka-pack.js';
import type { FromProduceThread, ToProduceThread } from './kafka-produce-worker.js';
import type { BusMessage } from './types.js';

export interface ProduceThread {
  produce(topic: string, messages: readonly BusMessage[]): Promise<void>;
  /** Waits for the calls in hand, disconnects the thread's producer and ends the thread. */
  close(): Promise<void>;
}

export interface ProduceThreadObserver {
  /** Called with each worker as it starts (the first call's, then each replacement), e.g. to watch its resources. */
  onWorker?: (worker: Worker) => void;
}

const CLOSE_TIMEOUT_MS = 10_000;

/**
 * The worker's entry. Run from TypeScript source (tsx, vitest), a worker thread does not inherit
 * the loader that compiles it, so the entry registers tsx first and then imports the module.
 */
function startWorker(config: KafkaBusConfig): Worker {
  const url = new URL(`./kafka-produce-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: config });
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = `import(${JSON.stringify(tsx)}).then((api) => (api.register(), import(${JSON.stringify(url.href)})))`;
  return new Worker(entry, { eval: true, workerData: config });
}

export function createProduceThread(config: KafkaBusConfig, observer: ProduceThreadObserver = {}): ProduceThread {
  let worker: Worker | null = null;
  let nextId = 0;
  const pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  const running = (): Worker => {
    if (worker) return worker;
    const w = startWorker(config);
    w.unref();
    w.on('message', ({ id, error }: FromProduceThread) => {
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      if (pending.size === 0) w.unref();
      if (error) p.reject(new LogfedError(error.code as ErrorCode, error.message, { retriable: error.retriable, details: error.details }));
      else p.resolve();
    });
    const gone = (why: string) => {
      if (worker !== w) return;
      worker = null;
      failAll(new LogfedError('BACKEND_ERROR', `the Kafka produce thread ${why}; the records in hand were not acknowledged and are sent again with their batch`, { retriable: true }));
    };
    w.on('error', (err) => gone(`failed: ${err.message}`));
    w.on('exit', (code) => gone(`exited (code ${code})`));
    worker = w;
    observer.onWorker?.(w);
    return w;
  };

  return {
    produce(topic, messages) {
      const w = running();
      const id = nextId++;
      const packed = pack(messages);
      return new Promise<void>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        // Kept alive while calls are in hand, as a socket with a request in flight would be.
        if (pending.size === 1) w.ref();
        w.postMessage({ type: 'produce', id, topic, packed } satisfies ToProduceThread, transferables(packed));
      });
    },

    async close() {
      const w = worker;
      if (!w) return;
      worker = null;
      w.ref();
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.postMessage({ type: 'close' } satisfies ToProduceThread);
      const timer = setTimeout(() => void w.terminate(), CLOSE_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
      failAll(new LogfedError('BACKEND_ERROR', 'the Kafka bus closed before these records were acknowledged', { retriable: true }));
    },
  };
}
