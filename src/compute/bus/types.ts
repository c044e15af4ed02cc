// The message bus contract the compute core is written against: raw logs come in through
// `subscribe`, metrics, alerts, patterns and dead letters go out through `produce`. Two
// implementations keep the same semantics: Kafka (kafka.ts) and an in-process bus (memory.ts).

export interface BusMessage {
  /** Records with one key always land in one partition (Kafka's murmur2 partitioner). */
  key?: string | null;
  value: Buffer | string;
  headers?: Record<string, string>;
}

export interface BusRecord {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit, so they travel as decimal strings. */
  offset: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  /** Epoch milliseconds when the record was produced. */
  timestamp: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicSpec {
  topic: string;
  /** Defaults to the bus's default (3). A topic with fewer partitions is grown, never shrunk. */
  partitions?: number;
}

export interface OffsetCommit extends TopicPartition {
  /** The next offset to read, as Kafka does: after handling offset 41, commit '42'. */
  offset: string;
}

export interface BatchContext {
  /**
   * Commits exactly these offsets for the group. With `autoCommit: false` nothing else is ever
   * committed, so a member restarted in the same group resumes from here. Rejects (retriable)
   * when the member no longer owns a partition; its new owner replays from the last commit.
   */
  commit(offsets: OffsetCommit[]): Promise<void>;
  /** Tells the group this member is alive during a long batch. */
  heartbeat(): Promise<void>;
}

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts: the oldest record, or only new ones (default). */
  fromBeginning?: boolean;
  /**
   * Called with the records of ONE partition, in offset order, one batch at a time per member.
   * A rejection is counted and logged, and the records are delivered again after a backoff.
   */
  eachBatch(records: BusRecord[], ctx: BatchContext): Promise<void>;
  /** Default true: commit the batch's next offset after eachBatch resolves. */
  autoCommit?: boolean;
  /**
   * Kafka: batches of up to this many partitions in hand at once (default 1), so one partition's
   * writes can overlap another's processing; eachBatch must then be safe to run concurrently.
   * The in-process bus hands one batch at a time.
   */
  concurrency?: number;
  /** Partitions this member received in a rebalance. */
  onAssign?(partitions: TopicPartition[]): void;
  /**
   * Partitions this member lost in a rebalance: drop the state held for them. Whatever was not
   * committed is delivered again to their new owner.
   */
  onRevoke?(partitions: TopicPartition[]): void;
}

export interface PartitionLag extends TopicPartition {
  lag: number;
}

export interface BusSubscription {
  /** Finishes the batch in hand, leaves the group (its partitions move to the other members). */
  stop(): Promise<void>;
  assignment(): TopicPartition[];
  /** Per partition of the subscribed topics: log end minus the group's committed offset. */
  lag(): Promise<PartitionLag[]>;
}

export interface BusHealth {
  ok: boolean;
  detail: string;
}

export interface Bus {
  readonly kind: 'memory' | 'kafka';
  produce(topic: string, messages: BusMessage[]): Promise<void>;
  ensureTopics(specs: TopicSpec[]): Promise<void>;
  subscribe(opts: SubscribeOptions): Promise<BusSubscription>;
  health(): Promise<BusHealth>;
  /** Stops every subscription and releases connections; the bus is unusable afterwards. */
  close(): Promise<void>;
}

