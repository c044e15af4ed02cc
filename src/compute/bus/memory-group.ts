// Consumer groups of the in-process bus: which member owns which partition, and the group's
// committed offsets. A rebalance waits for every member's batch in hand, as Kafka's eager
// protocol does, then restarts each partition from its committed offset. Used by memory.ts.

import { LogfedError } from '../../errors/index.js';
import type { TopicStore } from './memory-log.js';
import type { OffsetCommit, PartitionLag, TopicPartition } from './types.js';
import { byTopicPartition } from './assignment.js';

export const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export interface GroupMember {
  readonly topics: readonly string[];
  readonly fromBeginning: boolean;
  /** Resolves once the member has no batch in hand. */
  idle(): Promise<void>;
  /** The member's new partitions, each with the offset to read next. */
  assign(next: Map<string, { tp: TopicPartition; position: number }>): void;
}

export class MemoryGroup {
  private readonly members: GroupMember[] = [];
  private readonly committed = new Map<string, number>();
  private readonly owner = new Map<string, GroupMember>();
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    readonly groupId: string,
    private readonly store: TopicStore,
  ) {}

  /** True while a rebalance is queued or running: members start no new batch until it settles. */
  get rebalancing(): boolean {
    return this.pending > 0;
  }

  settled(): Promise<void> {
    return this.chain;
  }

  subscribes(topic: string): boolean {
    return this.members.some((m) => m.topics.includes(topic));
  }

  join(member: GroupMember): Promise<void> {
    this.members.push(member);
    return this.rebalance();
  }

  leave(member: GroupMember): Promise<void> {
    const i = this.members.indexOf(member);
    if (i < 0) return this.chain;
    this.members.splice(i, 1);
    for (const [key, m] of this.owner) if (m === member) this.owner.delete(key);
    return this.rebalance();
  }

  rebalance(): Promise<void> {
    this.pending++;
    const run = this.chain.then(() => this.reassign()).finally(() => this.pending--);
    this.chain = run.catch(() => undefined);
    return run;
  }

  commit(member: GroupMember, offsets: OffsetCommit[]): void {
    for (const o of offsets) {
      if (this.owner.get(tpKey(o.topic, o.partition)) !== member) {
        throw new LogfedError(
          'CONFLICT',
          `cannot commit ${o.topic}/${o.partition} for group ${this.groupId}: the partition is no longer assigned to this member; its new owner replays from the last commit`,
          { retriable: true },
        );
      }
    }
    for (const o of offsets) this.committed.set(tpKey(o.topic, o.partition), Number(o.offset));
  }

  lag(topics: readonly string[], fromBeginning: boolean): PartitionLag[] {
    const out: PartitionLag[] = [];
    for (const topic of topics) {
      if (!this.store.has(topic)) continue;
      this.store.partitions(topic).forEach((log, partition) => {
        const committed = this.committed.get(tpKey(topic, partition));
        const from = committed ?? (fromBeginning ? log.start : log.end);
        out.push({ topic, partition, lag: Math.max(0, log.end - Math.max(from, log.start)) });
      });
    }
    return out.sort(byTopicPartition);
  }

  private async reassign(): Promise<void> {
    await Promise.all(this.members.map((m) => m.idle()));
    const plan = new Map<GroupMember, Map<string, { tp: TopicPartition; position: number }>>(this.members.map((m) => [m, new Map()]));
    const topics = [...new Set(this.members.flatMap((m) => m.topics))].filter((t) => this.store.has(t)).sort();
    // Round-robin over all partitions of all topics, as kafkajs's default assigner does.
    let turn = 0;
    for (const topic of topics) {
      const eligible = this.members.filter((m) => m.topics.includes(topic));
      this.store.partitions(topic).forEach((log, partition) => {
        const member = eligible[turn++ % eligible.length]!;
        const committed = this.committed.get(tpKey(topic, partition));
        const position = Math.max(log.start, committed ?? (member.fromBeginning ? log.start : log.end));
        plan.get(member)!.set(tpKey(topic, partition), { tp: { topic, partition }, position });
      });
    }
    this.owner.clear();
    for (const [member, next] of plan) {
      for (const key of next.keys()) this.owner.set(key, member);
      member.assign(next);
    }
  }
}
