// Two-phase metric aggregation for a task run on several instances in one consumer group (its
// `scaleOut` option), as Kafka Streams does with repartition topics. Without it each instance
// writes the rows of what its own input partitions bring, and a key whose events are spread over
// partitions owned by different instances gets one row per instance, of which the store keeps one.
//
// Phase one, on every instance over the input partitions it owns (phase-one.ts): one aggregator per
// rule and input partition, so each partial is identified by (rule, window, key, input partition).
// A partition's windows close by its own event time (the task's watermark once it is idle); their
// partials go to the repartition topic keyed by (rule, key), so all partials of a key meet on one
// partition, and then a marker per input partition ("closed through T") goes to every partition.
// Input offsets are committed only once those are acknowledged, and never past the oldest event an
// open window holds, so a crashed instance's partitions are replayed by their next owner.
//
// Phase two, on the owner of each repartition partition (a member of a second consumer group,
// <group>-repartition; partial-merger.ts): partials are kept per source input partition and a
// partial sent again replaces the one before (replays are idempotent), while one that comes after
// its source's marker passed its window is a replay of a window already sent and is ignored. A
// window closes once every input partition of the topic (read from the broker) has marked it, or
// has been idle for idleTimeoutMs; its rows then go through processed rules and alerts and out as
// a single instance's would. Repartition offsets are committed only up to the oldest partial of an
// open window (and never into the middle of a closed window's partials), so a phase-two crash is
// rebuilt by replay and rewrites the same rows. Alert state is saved per repartition partition
// (each alert under the partition its rows come through) with the results, read back when phase two
// is assigned a partition, before any of its rows is evaluated, and dropped when it is revoked.
//
// Limits: allowed lateness is measured per input partition; composite rules are refused in such a
// task (their groups gather rows of many keys, which phase two spreads over several owners); the
// store's "closed through" is not used to resume, so a window written shortly before a restart may
// be written again, with the same values; a partition whose events are out of order across windows
// and is replayed may send part of a window again, which phase two ignores by its marker, unless
// phase two restarted in between and lost that marker. Markers are repeated every second, so a
// phase two that restarted learns them again without waiting for new input.

import type { LogEvent } from '../../core/event.js';
import { log as rootLog } from '../../observe/logger.js';
import { counter } from '../../observe/metrics.js';
import type { Bus, BusRecord, BusSubscription, OffsetCommit, PartitionLag, TopicPartition } from '../bus/types.js';
import type { MetricStorm } from '../metrics/aggregator.js';
import { createPartialMerger, type MergerRuleStats, type PartialMerger } from '../metrics/partial-merger.js';
import type { MetricRow } from '../metrics/row.js';
import type { MetricRule } from '../metrics/schema.js';
import type { RuleState } from '../results/index.js';
import type { WatermarkTracker } from '../windows/watermark.js';
import { repartitionGroupOf, repartitionTopicOf, type TaskConfig } from './config.js';
import type { BoundMetricPhases, MetricPhases } from './metric-phases.js';
import { CommitTracker } from './commit.js';
import { createPhaseOne, type PhaseOne, type PhaseOneOutput } from './phase-one.js';
import { decodeRepartition, markerKeys, markerMessages, partialMessage, sourceName } from './repartition.js';
import { untilDonePause } from '../../util/retry.js';

const log = rootLog.child({ component: 'compute-scale-out' });
const noop = () => undefined;
/** Markers are sent again this often even when unchanged, so a phase two that restarted relearns them. */
const MARKER_REPEAT_MS = 1_000;
export const repartitionRecords = counter('logfed_task_repartition_records_total', 'Records a scale-out task sent to its repartition topic (partial, marker) or refused from it (refused)', ['task', 'kind']);

export interface ScaleOutDeps {
  bus: Bus;
  clock: () => number;
  /** The task's number for an input partition, as its metric stage knows it. */
  streamOf(topic: string, partition: number): number;
  /** Advances the task's metric stage and writes what it closed; resolves once written. */
  flush(): Promise<void>;
  /** Reads the alert state saved for these repartition partitions. */
  loadStates(parts: number[]): Promise<RuleState[]>;
  /** Adds saved alert states to the metric stage's evaluators. */
  restoreStates(states: RuleState[]): void;
  /** Drops the alerts of these repartition partitions from the metric stage's evaluators. */
  dropParts(parts: number[]): void;
}

export class ScaleOut implements MetricPhases {
  readonly topic: string;
  readonly groupId: string;
  /** Partials and markers sent; repartition records that did not decode. */
  readonly counts = { partialsSent: 0, markersSent: 0, refused: 0 };
  private sub?: BusSubscription;
  private running = false;
  private ready: Promise<void> = Promise.resolve();
  private sources: string[] = [];
  private readonly sourceOf = new Map<number, string>();
  private keys: string[] = [];
  /** Phase two, per repartition partition owned. */
  private readonly mergers = new Map<number, PartialMerger>();
  /** Repartition partitions' commits: never into an open window's partials or a closed window's middle. */
  private readonly commits = new CommitTracker((_stream, _topic, q, next) => this.mergers.get(q)?.commitPoint(Number(next)));
  /** The phase one and rules of the metric stage running now. */
  private phase?: PhaseOne;
  private rules = new Map<string, MetricRule>();
  private watermarks?: WatermarkTracker;
  private publishing: Promise<void> = Promise.resolve();
  /** Per publish in flight, the offsets its closed windows held: input commits stay behind them. */
  private readonly holds = new Set<Map<number, number>>();
  private readonly sent = new Map<number, number>();
  private lastRepeat = Number.NEGATIVE_INFINITY;
  private timer?: NodeJS.Timeout;
  private flushing = false;
  /** Per repartition partition assigned, its alert state being restored; held once it is. */
  private readonly restores = new Map<number, { done: Promise<void> }>();
  private readonly held = new Set<number>();

  constructor(
    private readonly config: TaskConfig,
    private readonly deps: ScaleOutDeps,
  ) {
    this.topic = repartitionTopicOf(config);
    this.groupId = repartitionGroupOf(config);
  }

  /** Joins phase two once the task reads its input: every input partition is known from the broker. */
  async start(input: BusSubscription): Promise<void> {
    let done!: () => void;
    this.ready = new Promise<void>((r) => (done = r));
    this.running = true;
    try {
      const inputs = await input.lag();
      this.sources = inputs.map((tp) => sourceName(tp.topic, tp.partition));
      for (const tp of inputs) this.sourceOf.set(this.deps.streamOf(tp.topic, tp.partition), sourceName(tp.topic, tp.partition));
      await this.deps.bus.ensureTopics([{ topic: this.topic, partitions: this.config.scaleOut?.partitions ?? Math.max(1, inputs.length) }]);
      this.sub = await this.deps.bus.subscribe({
        groupId: this.groupId,
        topics: [this.topic],
        fromBeginning: true,
        autoCommit: false,
        concurrency: this.config.concurrency,
        eachBatch: (records, ctx) => this.handle(records, (offsets) => ctx.commit(offsets)),
        onAssign: (tps) => tps.forEach((tp) => void this.restoreOf(tp.partition)),
        onRevoke: (tps) => this.revokeRepartition(tps),
      });
      this.keys = markerKeys((await this.sub.lag()).length);
    } catch (err) {
      this.running = false;
      throw err;
    } finally {
      done();
    }
    this.timer = setInterval(() => this.tick(), this.config.advanceMs);
    this.timer.unref();
    log.info({ task: this.config.id, topic: this.topic, group: this.groupId, sources: this.sources.length, partitions: this.keys.length }, 'scale-out phase two joined');
  }

  /** Leaves phase two without flushing: what was not committed is replayed, in both phases. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.timer);
    const sub = this.sub;
    this.sub = undefined;
    await sub?.stop().catch((err) => log.warn({ err, task: this.config.id }, 'leaving the repartition group failed'));
    this.mergers.clear();
    this.commits.clear();
    // Their alerts are restored from the store by whoever owns the partitions next, this one included.
    this.deps.dropParts([...this.restores.keys()]);
    this.restores.clear();
    this.held.clear();
    for (const stream of this.sourceOf.keys()) this.phase?.drop(stream);
    this.holds.clear();
    this.sent.clear();
  }

  /** Input partitions this instance lost: their open windows go; the new owner replays them. */
  revokeInput(tps: readonly TopicPartition[]): void {
    for (const tp of tps) {
      const stream = this.deps.streamOf(tp.topic, tp.partition);
      this.phase?.drop(stream);
      this.watermarks?.remove(stream);
      this.sent.delete(stream);
    }
  }

  assignment(): TopicPartition[] {
    return this.sub?.assignment() ?? [];
  }

  lag(): Promise<PartitionLag[]> {
    return this.sub ? this.sub.lag() : Promise.resolve([]);
  }

  bind(rules: readonly MetricRule[], watermarks: WatermarkTracker): BoundMetricPhases {
    const phase = createPhaseOne(rules, { allowedLatenessMs: this.config.allowedLatenessMs }, this.phase);
    const byId = new Map(rules.map((r) => [r.id, r]));
    // The stage that pushes or advances is the one running: from then on phase two reads its rules.
    const use = () => {
      if (this.phase === phase) return;
      this.phase = phase;
      this.rules = byId;
      this.watermarks = watermarks;
    };
    return {
      push: (events: readonly LogEvent[], stream: number, offsets: readonly number[]) => (use(), phase.push(events, stream, offsets)),
      advance: (now: number) => {
        use();
        const before = new Map(watermarks.partitions(now).map((p) => [p.partition, phase.oldestOffset(p.partition)]));
        this.publish(phase.advance(watermarks, now), before, now);
        const rows: MetricRow[] = [];
        const parts: number[] = [];
        const storms: MetricStorm[] = phase.drainStorms();
        for (const [q, m] of this.mergers) {
          const out = m.advance(now);
          for (const r of out.rows) (rows.push(r), parts.push(q));
          for (const s of out.storms) storms.push(s);
        }
        return { rows, parts, storms };
      },
      heldParts: () => [...this.held].sort((a, b) => a - b),
      oldestOffset: (stream: number) => {
        let oldest = phase.oldestOffset(stream);
        for (const h of this.holds) {
          const o = h.get(stream);
          if (o !== undefined && (oldest === undefined || o < oldest)) oldest = o;
        }
        return oldest;
      },
      closedThrough: (ruleId: string) => {
        const all = [...this.mergers.values()].map((m) => m.closedThrough(ruleId));
        return all.length ? Math.min(...all) : Number.NEGATIVE_INFINITY;
      },
      stats: (ruleId: string) => {
        const s = phase.stats(ruleId);
        if (!s) return undefined;
        for (const m of this.mergers.values()) s.series += m.stats()[ruleId]?.series ?? 0;
        return s;
      },
    };
  }

  /** Phase two's counts per rule, summed over the repartition partitions owned. */
  mergeStats(): Record<string, MergerRuleStats> {
    const out: ReturnType<ScaleOut['mergeStats']> = {};
    for (const m of this.mergers.values()) {
      for (const [id, s] of Object.entries(m.stats())) {
        const t = (out[id] ??= { series: 0, accepted: 0, replaced: 0, replayed: 0, late: 0, refused: 0, rows: 0 });
        for (const k of Object.keys(t) as Array<keyof typeof t>) t[k] += s[k];
      }
    }
    return out;
  }

  /** Partials first, then the markers they allow, in one call: each partition sees them in that order. */
  private publish(out: PhaseOneOutput, before: Map<number, number | undefined>, now: number): void {
    const repeat = now - this.lastRepeat >= MARKER_REPEAT_MS;
    if (repeat) this.lastRepeat = now;
    const marks = [...out.marks].filter(([s, wm]) => repeat || wm > (this.sent.get(s) ?? Number.NEGATIVE_INFINITY));
    if (out.partials.length === 0 && marks.length === 0) return;
    for (const [s, wm] of marks) this.sent.set(s, Math.max(wm, this.sent.get(s) ?? wm));
    const hold = new Map<number, number>();
    for (const { stream } of out.partials) {
      const o = before.get(stream);
      if (o !== undefined) hold.set(stream, o);
    }
    this.holds.add(hold);
    const send = async () => {
      await this.ready;
      const source = (stream: number) => this.sourceOf.get(stream) ?? `unknown/${stream}`;
      const messages = [...out.partials.map((p) => partialMessage(source(p.stream), p.partial)), ...marks.flatMap(([s, wm]) => markerMessages(source(s), wm, this.keys))];
      for (let attempt = 0; ; attempt++) {
        if (!this.running) throw new Error(`task ${this.config.id} stopped before its partials were sent`);
        try {
          await this.deps.bus.produce(this.topic, messages);
          break;
        } catch (err) {
          log.warn({ err, task: this.config.id, attempt }, 'sending metric partials to the repartition topic failed; retrying');
          await untilDonePause(attempt);
        }
      }
      this.counts.partialsSent += out.partials.length;
      this.counts.markersSent += messages.length - out.partials.length;
      repartitionRecords.inc({ task: this.config.id, kind: 'partial' }, out.partials.length);
      repartitionRecords.inc({ task: this.config.id, kind: 'marker' }, messages.length - out.partials.length);
      this.holds.delete(hold);
    };
    this.publishing = this.publishing.then(send, send);
    this.publishing.catch(noop);
  }

  private async handle(records: BusRecord[], commit: (offsets: OffsetCommit[]) => Promise<void>): Promise<void> {
    await this.ready;
    const last = records[records.length - 1];
    if (!last) return;
    const q = last.partition;
    // No row of the partition is evaluated before its alerts are back.
    await this.restoreOf(q);
    const now = this.deps.clock();
    const merger = this.mergerOf(q, now);
    for (const r of records) {
      let rec;
      try {
        rec = decodeRepartition(r.value);
      } catch (err) {
        this.counts.refused++;
        repartitionRecords.inc({ task: this.config.id, kind: 'refused' });
        log.warn({ err, task: this.config.id, topic: r.topic, partition: r.partition, offset: r.offset }, 'repartition record refused');
        continue;
      }
      if (rec.kind === 'marker') {
        merger.marker(rec.source, rec.watermark, now);
        continue;
      }
      const got = merger.offer(rec.source, rec.partial, Number(r.offset));
      if (got === 'unknown') log.debug({ task: this.config.id, rule: rec.partial.ruleId }, 'partial of a rule the task does not run');
      if (got === 'refused') log.warn({ task: this.config.id, rule: rec.partial.ruleId, source: rec.source, partition: r.partition, offset: r.offset }, "partial refused: its state does not fit the rule's aggregations");
    }
    const stream = this.commits.streamOf(this.topic, q);
    this.commits.handled(stream, last, commit);
    await this.deps.flush();
    await this.commits.release(stream);
  }

  private mergerOf(q: number, now: number): PartialMerger {
    let m = this.mergers.get(q);
    if (!m) {
      m = createPartialMerger({ sources: this.sources, allowedLatenessMs: this.config.allowedLatenessMs, idleTimeoutMs: this.config.idleTimeoutMs, rule: (id) => this.rules.get(id), now });
      this.mergers.set(q, m);
    }
    return m;
  }

  private revokeRepartition(tps: TopicPartition[]): void {
    this.commits.forget(tps);
    for (const tp of tps) {
      this.mergers.delete(tp.partition);
      this.restores.delete(tp.partition);
      this.held.delete(tp.partition);
    }
    // Its new owner restores them from what was saved; kept here, their absence would resolve them.
    this.deps.dropParts(tps.map((tp) => tp.partition));
  }

  /** The restore of a partition's alert state, started once per assignment (onAssign or its first batch). */
  private restoreOf(q: number): Promise<void> {
    const known = this.restores.get(q);
    if (known) return known.done;
    const entry = { done: Promise.resolve() };
    this.restores.set(q, entry);
    entry.done = this.restore(q, entry);
    return entry.done;
  }

  private async restore(q: number, entry: { done: Promise<void> }): Promise<void> {
    // Revoked (or stopped) while reading: the states belong to the partition's next owner.
    const current = () => this.running && this.restores.get(q) === entry;
    for (let attempt = 0; current(); attempt++) {
      try {
        const states = await this.deps.loadStates([q]);
        if (!current()) return;
        this.deps.restoreStates(states);
        this.held.add(q);
        return;
      } catch (err) {
        log.warn({ err, task: this.config.id, partition: q, attempt }, 'reading the saved alert state of a repartition partition failed; retrying');
        await untilDonePause(attempt);
      }
    }
  }

  /** Windows closed by time (idle sources) release their offsets here, outside any batch. */
  private tick(): void {
    if (this.flushing || !this.running) return;
    this.flushing = true;
    this.deps
      .flush()
      .then(() => this.commits.releaseAll(this.assignment(), (err) => log.debug({ err, task: this.config.id }, 'committing repartition offsets failed')))
      .catch((err) => log.debug({ err, task: this.config.id }, 'committing repartition offsets failed'))
      .finally(() => (this.flushing = false));
  }
}
