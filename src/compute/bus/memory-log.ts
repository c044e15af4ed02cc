// The in-process bus's storage: topics made of partition logs with Kafka-like offsets (they
// only grow; old records fall off the front past the retention). Used by memory.ts.

import { LogfedError } from '../../errors/index.js';
import { createPartitioner } from './partitioner.js';
import type { BusMessage, BusRecord, TopicSpec } from './types.js';
import { checkTopic, toBuffer } from './validate.js';

export class PartitionLog {
  /** Offset of records[0]; moves forward when retention drops old records. */
  start = 0;
  private records: BusRecord[] = [];

  constructor(private readonly retention: number) {}

  get end(): number {
    return this.start + this.records.length;
  }

  append(record: Omit<BusRecord, 'offset'>): void {
    this.records.push({ ...record, offset: String(this.end) });
    // Trim in chunks so a full log does not shift its array on every append.
    const excess = this.records.length - this.retention;
    if (excess > Math.max(1, this.retention / 10)) {
      this.records.splice(0, excess);
      this.start += excess;
    }
  }

  read(from: number, max: number): BusRecord[] {
    const i = Math.max(0, from - this.start);
    return this.records.slice(i, i + max);
  }
}

export type StoreChange = 'append' | 'layout';

export interface TopicStoreOptions {
  partitions: number;
  autoCreateTopics: boolean;
  retention: number;
}

export class TopicStore {
  private readonly topics = new Map<string, PartitionLog[]>();
  private readonly listeners = new Set<(topic: string, change: StoreChange) => void>();
  private readonly pick = createPartitioner();

  constructor(private readonly opts: TopicStoreOptions) {}

  /** Creates the topic or grows it to `partitions`; returns whether anything changed. */
  ensure(spec: TopicSpec): boolean {
    const want = spec.partitions ?? this.opts.partitions;
    const logs = this.topics.get(spec.topic) ?? [];
    if (logs.length >= want) return false;
    while (logs.length < want) logs.push(new PartitionLog(this.opts.retention));
    this.topics.set(spec.topic, logs);
    this.emit(spec.topic, 'layout');
    return true;
  }

  has(topic: string): boolean {
    return this.topics.has(topic);
  }

  /** The topic's partitions; a missing topic is created only when auto-creation is on. */
  partitions(topic: string): PartitionLog[] {
    const logs = this.topics.get(topic);
    if (logs) return logs;
    checkTopic(topic);
    if (!this.opts.autoCreateTopics) {
      throw new LogfedError('NOT_FOUND', `topic ${topic} does not exist on the memory bus: create it with bus.ensureTopics([{ topic: '${topic}' }]) or set autoCreateTopics`);
    }
    this.ensure({ topic });
    return this.topics.get(topic)!;
  }

  append(topic: string, messages: BusMessage[]): void {
    const logs = this.partitions(topic);
    const now = Date.now();
    for (const m of messages) {
      const partition = this.pick(m.key, logs.length);
      logs[partition]!.append({
        topic,
        partition,
        key: m.key ?? null,
        value: toBuffer(m.value),
        headers: { ...m.headers },
        timestamp: now,
      });
    }
    if (messages.length > 0) this.emit(topic, 'append');
  }

  /** Called on every append ('append') and every new or grown topic ('layout'); returns the unsubscribe function. */
  onChange(fn: (topic: string, change: StoreChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(topic: string, change: StoreChange): void {
    for (const fn of this.listeners) fn(topic, change);
  }
}
