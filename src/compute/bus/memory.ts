// The embedded bus: topics, partitions, consumer groups and committed offsets inside the process,
// with Kafka's semantics where they matter (key partitioning, one owner per partition in a group,
// resume from the committed offset). `npm start` without Kafka runs the compute core on it.

import { log as rootLog } from '../../observe/logger.js';
import { memoryBusSchema, parseBusConfig, type MemoryBusConfig, type MemoryBusOptions } from './config.js';
import { MemoryGroup, type GroupMember } from './memory-group.js';
import { TopicStore } from './memory-log.js';
import { busMetrics } from './metrics.js';
import type { BatchContext, Bus, BusMessage, BusRecord, BusSubscription, OffsetCommit, SubscribeOptions, TopicPartition, TopicSpec } from './types.js';
import { announceAssignment, byTopicPartition } from './assignment.js';
import { checkCommits, checkSubscribe, checkTopic, checkTopicSpecs, closedBus } from './validate.js';

const log = rootLog.child({ component: 'bus', bus: 'memory' });
const BACKOFF_MS = { first: 100, max: 5_000 };

export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const config = parseBusConfig(memoryBusSchema, { kind: 'memory', ...options });
  const store = new TopicStore(config);
  const groups = new Map<string, MemoryGroup>();
  const subscriptions = new Set<MemberLoop>();
  let closed = false;

  store.onChange((topic, change) => {
    if (change === 'layout') {
      for (const g of groups.values()) if (g.subscribes(topic)) void g.rebalance();
    }
    for (const s of subscriptions) if (s.topics.includes(topic)) s.wake();
  });

  return {
    kind: 'memory',

    async produce(topic: string, messages: BusMessage[]): Promise<void> {
      if (closed) throw closedBus('memory');
      checkTopic(topic);
      try {
        store.append(topic, messages);
      } catch (err) {
        busMetrics.produceFailed.inc({ bus: 'memory', topic }, messages.length);
        throw err;
      }
      busMetrics.produced.inc({ bus: 'memory', topic }, messages.length);
    },

    async ensureTopics(specs: TopicSpec[]): Promise<void> {
      if (closed) throw closedBus('memory');
      checkTopicSpecs(specs);
      for (const spec of specs) store.ensure(spec);
    },

    async subscribe(opts: SubscribeOptions): Promise<BusSubscription> {
      if (closed) throw closedBus('memory');
      checkSubscribe(opts.groupId, opts.topics);
      for (const topic of opts.topics) store.partitions(topic); // missing topic: NOT_FOUND, as on Kafka
      let group = groups.get(opts.groupId);
      if (!group) groups.set(opts.groupId, (group = new MemoryGroup(opts.groupId, store)));
      // The group outlives its members: its committed offsets are where a restarted member resumes.
      const member = new MemberLoop(opts, group, store, config, () => subscriptions.delete(member));
      subscriptions.add(member);
      await group.join(member);
      member.start();
      return {
        stop: () => member.stop(),
        assignment: () => member.assignment(),
        lag: async () => group.lag(opts.topics, opts.fromBeginning ?? false),
      };
    },

    async health() {
      return closed ? { ok: false, detail: 'memory bus closed' } : { ok: true, detail: `memory bus: ${subscriptions.size} subscription(s), state lives in this process` };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.stop()));
    },
  };
}

/** One subscriber: owns some partitions of its group and feeds their records to eachBatch. */
class MemberLoop implements GroupMember {
  readonly topics: readonly string[];
  readonly fromBeginning: boolean;
  private positions = new Map<string, { tp: TopicPartition; position: number }>();
  private running = false;
  private stopping: Promise<void> | null = null;
  private loopDone: Promise<void> = Promise.resolve();
  private inFlight: Promise<void> | null = null;
  private failures = 0;
  private turn = 0;
  private signal: (() => void) | null = null;
  private signalled = false;

  constructor(
    private readonly opts: SubscribeOptions,
    private readonly group: MemoryGroup,
    private readonly store: TopicStore,
    private readonly config: MemoryBusConfig,
    private readonly onStopped: () => void,
  ) {
    this.topics = [...opts.topics];
    this.fromBeginning = opts.fromBeginning ?? false;
  }

  assignment(): TopicPartition[] {
    return [...this.positions.values()].map((p) => ({ ...p.tp })).sort(byTopicPartition);
  }

  idle(): Promise<void> {
    return this.inFlight ?? Promise.resolve();
  }

  assign(next: Map<string, { tp: TopicPartition; position: number }>): void {
    const before = this.assignment();
    this.positions = next;
    announceAssignment(this.opts, before, this.assignment());
    this.wake();
  }

  start(): void {
    this.running = true;
    this.loopDone = this.loop();
  }

  wake(): void {
    const resolve = this.signal;
    this.signal = null;
    if (resolve) resolve();
    else this.signalled = true;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.running = false;
      this.wake();
      await this.loopDone;
      await this.group.leave(this);
      this.positions = new Map();
      this.onStopped();
    })();
    return this.stopping;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (this.group.rebalancing) {
        await this.group.settled();
        continue;
      }
      const next = this.nextBatch();
      if (!next) {
        await this.sleep();
        continue;
      }
      this.inFlight = this.deliver(next.key, next.records);
      await this.inFlight;
      this.inFlight = null;
    }
  }

  /** Picks partitions in turn so a busy one cannot starve the others. */
  private nextBatch() {
    const entries = [...this.positions.entries()];
    for (let i = 0; i < entries.length; i++) {
      const [key, state] = entries[(this.turn + i) % entries.length]!;
      const logs = this.store.partitions(state.tp.topic);
      const partitionLog = logs[state.tp.partition]!;
      if (state.position < partitionLog.start) state.position = partitionLog.start;
      if (state.position >= partitionLog.end) continue;
      this.turn = (this.turn + i + 1) % entries.length;
      return { key, records: partitionLog.read(state.position, this.config.maxBatchSize) };
    }
    return null;
  }

  private async deliver(key: string, records: BusRecord[]): Promise<void> {
    const first = records[0]!;
    const labels = { bus: 'memory', topic: first.topic, group: this.opts.groupId };
    const ctx: BatchContext = {
      commit: async (offsets: OffsetCommit[]) => {
        checkCommits(offsets);
        this.group.commit(this, offsets);
      },
      heartbeat: async () => undefined,
    };
    try {
      await this.opts.eachBatch(records, ctx);
      const state = this.positions.get(key);
      const next = Number(records[records.length - 1]!.offset) + 1;
      // A rebalance cannot run while this batch is in hand, so the partition is still ours.
      if (state) state.position = next;
      if (this.opts.autoCommit !== false) this.group.commit(this, [{ topic: first.topic, partition: first.partition, offset: String(next) }]);
      busMetrics.consumed.inc(labels, records.length);
      this.failures = 0;
    } catch (err) {
      busMetrics.consumeFailed.inc(labels, records.length);
      this.failures++;
      const delay = Math.min(BACKOFF_MS.max, BACKOFF_MS.first * 2 ** (this.failures - 1));
      log.warn({ err, topic: first.topic, partition: first.partition, offset: first.offset, group: this.opts.groupId, retryInMs: delay }, 'batch handler failed; delivering the batch again');
      await this.backoff(delay);
    }
  }

  /** Waits out a failure; new records must not cut it short, or a poison batch would spin. */
  private async backoff(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (this.running && Date.now() < until) await this.sleep(until - Date.now());
  }

  private sleep(ms?: number): Promise<void> {
    if (this.signalled || !this.running) {
      this.signalled = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.wake(), ms);
      this.signal = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  }
}
