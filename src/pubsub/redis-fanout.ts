// Shares live-tail events between gateway replicas through Redis pub/sub: each replica sends the
// events published on its hub to one channel in batches, and hands the batches of other replicas
// to its local subscribers (its own come back too and are skipped by origin). While Redis is down
// or backed up the tail stays local and the events that were not shared are counted; ioredis
// reconnects and resubscribes by itself.

import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LogEvent } from '../core/event.js';
import { log as rootLog } from '../observe/logger.js';
import { counter } from '../observe/metrics.js';
import type { TailConfig } from './config.js';
import type { TailHub } from './tail-hub.js';

const log = rootLog.child({ component: 'tail-fanout' });

const sentCounter = counter('logfed_tail_fanout_sent_total', 'Live events sent to other gateway replicas through Redis');
const receivedCounter = counter('logfed_tail_fanout_received_total', 'Live events received from other gateway replicas through Redis');
const localOnlyCounter = counter('logfed_tail_fanout_local_only_total', 'Live events not shared with other replicas because Redis was unreachable or backed up');
const badCounter = counter('logfed_tail_fanout_bad_messages_total', 'Messages on the tail channel that could not be read');

/** A batch larger than this is sent at once, so one message stays a reasonable size for Redis. */
const MAX_BATCH_BYTES = 1_000_000;
/** Publishes waiting for Redis at most; past it the tail stays local rather than queueing without bound. */
const MAX_IN_FLIGHT = 32;

export interface TailFanoutStats {
  sent: number;
  received: number;
  localOnly: number;
  badMessages: number;
}

export interface TailFanout {
  /** This replica's id on the channel. */
  readonly origin: string;
  stats(): TailFanoutStats;
  close(): Promise<void>;
}

export type TailFanoutOptions = Pick<TailConfig, 'channel' | 'flushMs' | 'maxBatch'> & {
  /** The replica's client: it publishes with it, and subscribes on a duplicate of it. */
  redis: Redis;
};

export async function startTailFanout(hub: TailHub, opts: TailFanoutOptions): Promise<TailFanout> {
  const origin = randomUUID();
  const header = `{"o":${JSON.stringify(origin)},"e":[`;
  const stats: TailFanoutStats = { sent: 0, received: 0, localOnly: 0, badMessages: 0 };
  // Subscribed again by hand on each reconnection: ioredis's own resubscribe leaves its promise
  // unhandled, so a connection lost again during it would end the process (unhandled rejection).
  const subscriber = opts.redis.duplicate({ autoResubscribe: false });
  let subscribed = false;
  let down = false;
  subscriber.on('error', (err: Error) => {
    if (!down) log.warn({ err, channel: opts.channel }, 'tail channel unreachable; live events stay on this replica until Redis returns');
    down = true;
  });
  subscriber.on('ready', () => {
    if (down) log.info({ channel: opts.channel }, 'tail channel reachable again');
    down = false;
    if (subscribed) {
      subscriber.subscribe(opts.channel).catch((err: Error) => log.warn({ err, channel: opts.channel }, 'subscribing to the tail channel again failed; the next reconnection tries again'));
    }
  });
  subscriber.on('message', (channel: string, text: string) => {
    if (channel !== opts.channel) return;
    let batch: { o?: unknown; e?: unknown };
    try {
      batch = JSON.parse(text) as typeof batch;
    } catch {
      stats.badMessages++;
      badCounter.inc();
      return;
    }
    if (batch.o === origin) return;
    if (!Array.isArray(batch.e)) {
      stats.badMessages++;
      badCounter.inc();
      return;
    }
    for (const event of batch.e as LogEvent[]) hub.receive(event);
    stats.received += batch.e.length;
    receivedCounter.inc(batch.e.length);
  });
  await subscriber.subscribe(opts.channel);
  subscribed = true;

  let parts: string[] = [];
  let bytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let inFlight = 0;

  const stayLocal = (n: number) => {
    stats.localOnly += n;
    localOnlyCounter.inc(n);
  };

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (parts.length === 0) return;
    const n = parts.length;
    const message = `${header}${parts.join(',')}]}`;
    parts = [];
    bytes = 0;
    // Checked before sending, so nothing queues in the client while Redis is away.
    if (opts.redis.status !== 'ready' || inFlight >= MAX_IN_FLIGHT) return stayLocal(n);
    inFlight++;
    opts.redis
      .publish(opts.channel, message)
      .then(() => {
        stats.sent += n;
        sentCounter.inc(n);
      })
      .catch(() => stayLocal(n))
      .finally(() => inFlight--);
  };

  const unrelay = hub.relayTo((event) => {
    let json: string;
    try {
      json = JSON.stringify(event);
    } catch {
      // A field JSON cannot hold (a BigInt, a cycle): the event stays on this replica.
      return stayLocal(1);
    }
    parts.push(json);
    bytes += json.length;
    if (parts.length >= opts.maxBatch || bytes >= MAX_BATCH_BYTES) flush();
    else timer ??= setTimeout(flush, opts.flushMs);
  });

  return {
    origin,
    stats: () => ({ ...stats }),
    async close() {
      unrelay();
      flush();
      subscriber.disconnect();
    },
  };
}
