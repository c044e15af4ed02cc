// Fans processed events out to live-tail subscribers in this process, and through relays to other
// gateway replicas (redis-fanout.ts). Each subscriber has a bounded queue: when it falls behind,
// its oldest queued events are dropped and counted, and the next event it receives says how many
// it missed, so a slow client never slows the core or others.

import type { LogEvent } from '../core/event.js';
import { counter, gauge } from '../observe/metrics.js';

export type TailItem = LogEvent & { dropped: number };

export interface TailSubscription extends AsyncIterableIterator<TailItem> {
  /** Events dropped for this subscriber so far. */
  readonly droppedTotal: number;
}

const published = counter('logfed_tail_published_total', 'Events published to live-tail subscribers');
const droppedCounter = counter('logfed_tail_dropped_total', 'Events dropped for slow live-tail subscribers');
const subscribers = gauge('logfed_tail_subscribers', 'Open live-tail subscriptions');

class Subscriber implements TailSubscription {
  private queue: LogEvent[] = [];
  private pendingDrops = 0;
  droppedTotal = 0;
  private waiting?: (r: IteratorResult<TailItem>) => void;
  private done = false;

  constructor(
    readonly match: (e: LogEvent) => boolean,
    private readonly capacity: number,
    private readonly onClose: (s: Subscriber) => void,
  ) {}

  offer(event: LogEvent): void {
    if (this.done || !this.match(event)) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: this.item(event), done: false });
      return;
    }
    if (this.queue.length >= this.capacity) {
      this.queue.shift();
      this.pendingDrops++;
      this.droppedTotal++;
      droppedCounter.inc();
    }
    this.queue.push(event);
  }

  private item(event: LogEvent): TailItem {
    const dropped = this.pendingDrops;
    this.pendingDrops = 0;
    return { ...event, dropped };
  }

  next(): Promise<IteratorResult<TailItem>> {
    const event = this.queue.shift();
    if (event) return Promise.resolve({ value: this.item(event), done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<TailItem>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err?: unknown): Promise<IteratorResult<TailItem>> {
    this.end();
    return Promise.reject(err);
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    this.queue = [];
    this.onClose(this);
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

export class TailHub {
  private subs = new Set<Subscriber>();
  private relays: Array<(event: LogEvent) => void> = [];
  private preparers: Array<(event: LogEvent) => LogEvent> = [];

  constructor(private readonly capacity = 1_000) {}

  /**
   * An event of this process: through the preparing stages (pattern mining), then to local
   * subscribers and to the relays (other gateway replicas), which so receive it prepared.
   */
  publish(event: LogEvent): void {
    for (const prepare of this.preparers) event = prepare(event);
    this.deliver(event);
    for (const relay of this.relays) relay(event);
  }

  /**
   * Runs `prepare` on every event published here before anyone sees it, so what it adds (a
   * pattern id) reaches subscribers. Events received from other replicas were prepared there.
   */
  prepareWith(prepare: (event: LogEvent) => LogEvent): () => void {
    this.preparers.push(prepare);
    return () => {
      this.preparers = this.preparers.filter((p) => p !== prepare);
    };
  }

  /** An event another replica published (and already prepared): to local subscribers only. */
  receive(event: LogEvent): void {
    this.deliver(event);
  }

  /** Hands every event published here to `relay` too, until the returned function is called. */
  relayTo(relay: (event: LogEvent) => void): () => void {
    this.relays.push(relay);
    return () => {
      this.relays = this.relays.filter((r) => r !== relay);
    };
  }

  private deliver(event: LogEvent): void {
    published.inc();
    for (const s of this.subs) s.offer(event);
  }

  subscribe(match: (e: LogEvent) => boolean = () => true, capacity = this.capacity): TailSubscription {
    const sub = new Subscriber(match, capacity, (s) => {
      this.subs.delete(s);
      subscribers.set(this.subs.size);
    });
    this.subs.add(sub);
    subscribers.set(this.subs.size);
    return sub;
  }

  get size(): number {
    return this.subs.size;
  }

  /** Completes every subscription (shutdown). */
  close(): void {
    for (const s of [...this.subs]) s.end();
  }
}
