// One compute task: its topics read in a consumer group of its own, each batch run through the
// compiled pipeline, events written to the live tail and the output topic, dead letters to the
// dead-letter topic, then offsets committed. A new rule set is swapped in between batches: the
// pipeline runs synchronously, so a swap never lands inside one, while batches of several
// partitions may be writing at once.

import type { LogEvent } from '../../core/event.js';
import { isLogfedError } from '../../errors/index.js';
import { log as rootLog } from '../../observe/logger.js';
import type { Bus, BusRecord, BusSubscription, PartitionLag } from '../bus/types.js';
import { compilePipeline, type Pipeline } from '../pipeline.js';
import { canonical } from '../rule-store/index.js';
import type { Rule, RuleIssue } from '../rules/index.js';
import type { CompileDeps } from '../stages/compile.js';
import type { RuleCounts } from '../stages/counters.js';
import type { DeadLetter } from '../stages/types.js';
import { adviseTask, type AdviceThresholds, type TaskAdvice } from './advice.js';
import { commitUpTo } from './commit.js';
import type { OffsetCommit } from '../bus/types.js';
import type { AlertEvent } from '../alerts/types.js';
import type { DimensionLookup } from '../metrics/processed.js';
import type { MetricRow } from '../metrics/row.js';
import type { Results } from '../results/index.js';
import { deadLetterTopicOf, groupIdOf, lateTopicOf, type TaskConfig } from './config.js';
import { compileMetricStage, type MetricStage, type MetricStageOutput } from './metric-stage.js';
import { publishTaskGauges, taskMetrics } from './metrics.js';
import { alertMessage, eventMessage, rowMessage, sendDeadLetters } from './output.js';
import { RateMeter } from './rate.js';
import type { Selection } from './select.js';
import { addCounts, rejectedView, ruleView, type ReloadResult, type RuleRejection, type TaskHealth, type TaskRuleView, type TaskState } from './views.js';

const log = rootLog.child({ component: 'compute-task' });

export interface TaskRunnerDeps {
  bus: Bus;
  /** Mask secret and dimension loader for the pipeline. */
  compile: CompileDeps;
  /** Receives each batch's processed events when the task feeds the tail. */
  tail?: (events: LogEvent[]) => void;
  clock?: () => number;
  /** How often consumer lag is read for /metrics. */
  lagIntervalMs?: number;
  /** Where metric rows and alerts are kept and watched; without it they go to Kafka only. */
  results?: Results;
  /** Dimension lookups of processed metric rules. */
  lookup?: DimensionLookup;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const noop = () => undefined;

export class TaskRunner {
  state: TaskState = 'STOPPED';
  lastError?: string;
  startedAt?: number;
  lastReload?: ReloadResult;

  private pipeline?: Pipeline;
  private stage?: MetricStage;
  /** Results of closed windows are written one batch at a time, in order; commits wait for them. */
  private resultsWritten: Promise<void> = Promise.resolve();
  /** (topic, partition) → the number windows and watermarks know the partition by. */
  private readonly streams = new Map<string, number>();
  private readonly late = { events: 0 };
  /**
   * Per partition (by stream number): the next offset after its last handled batch, the offset
   * last committed for it, the commit of the batch context that handled it, and the queue its
   * commits run in. A commit held back by an open window is released by a later batch of any
   * partition, or by the advance timer, once that window closes and its rows are written.
   */
  private readonly progress = new Map<number, { topic: string; partition: number; next: bigint; committed?: bigint; commit: (offsets: OffsetCommit[]) => Promise<void>; queue: Promise<void> }>();
  /** The rules the pipeline was compiled from (offline ones included), in the task's order. */
  private selected: Rule[] = [];
  private fingerprint = '';
  private stored: Selection['stored'] = new Map();
  private readonly refreshed = new Map<string, number>();
  private readonly rejected = new Map<string, RuleRejection>();
  /** Counts of pipelines swapped out, so a rule's counts run on across reloads. */
  private readonly carried = new Map<string, RuleCounts>();
  private sub?: BusSubscription;
  /** start, stop and load run one at a time. */
  private control: Promise<unknown> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  private advancing = false;
  private readonly totals = { records: 0, events: 0, deadLetters: 0 };
  private readonly recordRate: RateMeter;
  private readonly eventRate: RateMeter;
  private lag: PartitionLag[] = [];
  /** Total lag at the latest readings, oldest first, for advice. */
  private readonly lagReadings: number[] = [];
  private readonly clock: () => number;
  private readonly unpublish: () => void;

  constructor(
    readonly config: TaskConfig,
    private readonly deps: TaskRunnerDeps,
  ) {
    this.clock = deps.clock ?? Date.now;
    this.recordRate = new RateMeter(10, this.clock);
    this.eventRate = new RateMeter(10, this.clock);
    this.unpublish = publishTaskGauges({
      id: config.id,
      running: () => this.state === 'RUNNING',
      eventsPerSecond: () => this.eventRate.rate(),
      lastLag: () => this.lag,
    });
  }

  get id(): string {
    return this.config.id;
  }

  get groupId(): string {
    return groupIdOf(this.config);
  }

  get deadLetterTopic(): string {
    return deadLetterTopicOf(this.config);
  }

  get lateTopic(): string {
    return lateTopicOf(this.config);
  }

  /** The metric stage now running (its rules' stats and watermarks), if the task has metric rules. */
  get metricStage(): MetricStage | undefined {
    return this.stage;
  }

  /** Events that came after their window had closed, sent to the late topic. */
  get lateEvents(): number {
    return this.late.events;
  }

  /**
   * Compiles a selection of rules and, when it differs from what runs, swaps it in between two
   * batches. A set that does not compile is refused with its issues and the running one stays.
   */
  load(selection: Selection): Promise<ReloadResult> {
    return this.controlled(() => this.swapIn(selection));
  }

  start(): Promise<void> {
    return this.controlled(async () => {
      if (this.state === 'RUNNING') return;
      if (!this.pipeline) {
        const why = this.lastReload?.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
        this.state = 'FAILED';
        this.lastError = `task ${this.id} has no rules that load${why ? `: ${why}` : ''}`;
        throw new Error(this.lastError);
      }
      this.state = 'STARTING';
      try {
        const c = this.config;
        const own = [this.deadLetterTopic, ...[c.outputTopic, c.metricsTopic, c.alertsTopic].filter((t): t is string => t !== undefined)];
        if (this.stage && !this.stage.empty) {
          own.push(this.lateTopic);
          // Windows already written stay closed: their replayed events count as late, not as a second row.
          const written = await this.deps.results?.store.closedThrough(this.stage.metricRuleIds());
          if (written && written.size > 0) this.stage = compileMetricStage(this.selected, this.stageOptions(written), this.stage);
        }
        await this.deps.bus.ensureTopics(own.map((topic) => ({ topic })));
        this.sub = await this.deps.bus.subscribe({
          groupId: this.groupId,
          topics: this.config.topics,
          fromBeginning: this.config.startFrom === 'earliest',
          autoCommit: false,
          concurrency: this.config.concurrency,
          eachBatch: (records, ctx) => this.handle(records, (offsets) => ctx.commit(offsets)),
        });
      } catch (err) {
        this.state = 'FAILED';
        this.lastError = message(err);
        throw err;
      }
      this.state = 'RUNNING';
      this.lastError = undefined;
      this.startedAt = this.clock();
      this.timers = [
        setInterval(() => this.advance(), this.config.advanceMs),
        setInterval(() => void this.readLag(), this.deps.lagIntervalMs ?? 5_000),
      ];
      for (const t of this.timers) t.unref();
      log.info({ task: this.id, group: this.groupId, topics: this.config.topics }, 'task started');
    });
  }

  /** Leaves the group after the batch in hand, then releases and writes what the pipeline still holds. */
  stop(): Promise<void> {
    return this.controlled(async () => {
      if (!this.sub) {
        this.state = 'STOPPED';
        return;
      }
      this.state = 'STOPPING';
      for (const t of this.timers) clearInterval(t);
      this.timers = [];
      const sub = this.sub;
      this.sub = undefined;
      await sub.stop().catch((err) => log.warn({ err, task: this.id }, 'leaving the consumer group failed'));
      const out = this.pipeline?.flush(this.clock());
      if (out) await this.write(out.events, out.deadLetters).catch((err) => log.warn({ err, task: this.id }, 'writing the events held at stop failed'));
      this.lag = [];
      this.lagReadings.length = 0;
      this.state = 'STOPPED';
      log.info({ task: this.id }, 'task stopped');
    });
  }

  /** Stops the task and its pipeline for good (shutdown). */
  async close(): Promise<void> {
    await this.stop();
    this.pipeline?.close();
    this.pipeline = undefined;
    this.unpublish();
  }

  /** The rules the task runs now, by id: what stays in place when a newer stored version is rejected. */
  runningRules(): ReadonlyMap<string, Rule> {
    return new Map(this.selected.map((r) => [r.id, r]));
  }

  rules(): TaskRuleView[] {
    const current = this.pipeline?.stats().rules ?? {};
    const metric = this.stage?.stats() ?? {};
    const views = this.selected.map((rule) => {
      const view = ruleView(rule, addCounts(this.carried.get(rule.id), current[rule.id]), {
        stored: this.stored.get(rule.id),
        refreshedAt: this.refreshed.get(rule.id),
        rejected: this.rejected.get(rule.id),
      });
      const m = metric[rule.id];
      return m ? { ...view, processed: m.received, emitted: m.rowsEmitted, dropped: m.dropped + m.late, series: m.series, lastEmittedAt: m.lastEmittedAt } : view;
    });
    const shown = new Set(views.map((v) => v.id));
    for (const [id, r] of this.rejected) if (!shown.has(id)) views.push(rejectedView(id, { ...r, id }, r.at));
    return views;
  }

  /** Records, events and dead letters so far, without asking the broker anything. */
  counts(): { records: number; events: number; deadLetters: number } {
    return { ...this.totals };
  }

  async health(): Promise<TaskHealth> {
    let lagError: string | undefined;
    if (this.sub) {
      try {
        this.noteLag(await this.sub.lag());
      } catch (err) {
        lagError = message(err);
      }
    }
    return {
      state: this.state,
      assignment: this.sub?.assignment() ?? [],
      lag: this.lag,
      totalLag: this.lag.reduce((n, p) => n + p.lag, 0),
      ...(lagError ? { lagError } : {}),
      ...this.totals,
      recordsPerSecond: this.recordRate.rate(),
      eventsPerSecond: this.eventRate.rate(),
      pending: this.pipeline?.stats().pending ?? 0,
    };
  }

  /** A verdict on the task and each of its metric rules, with reasons (advice.ts). */
  async advice(thresholds?: AdviceThresholds): Promise<TaskAdvice> {
    const health = await this.health();
    const stats = this.stage?.stats() ?? {};
    const rules = this.selected.filter((r) => stats[r.id] !== undefined).map((r) => ({ id: r.id, kind: r.kind, stats: stats[r.id]! }));
    return adviseTask(
      { now: this.clock(), state: this.state, startedAt: this.startedAt, lastError: this.lastError, lagReadings: this.lagReadings, lagError: health.lagError, rules },
      thresholds,
    );
  }

  private noteLag(lag: PartitionLag[]): void {
    this.lag = lag;
    this.lagReadings.push(lag.reduce((n, p) => n + p.lag, 0));
    if (this.lagReadings.length > 10) this.lagReadings.shift();
  }

  private async swapIn(selection: Selection): Promise<ReloadResult> {
    const at = this.clock();
    const issues: RuleIssue[] = [];
    // The store holds one entry per rule, so a rule is rejected exactly while its entry does not validate.
    for (const id of this.rejected.keys()) if (!selection.rejected.has(id)) this.rejected.delete(id);
    for (const [id, r] of selection.rejected) {
      issues.push(...r.issues);
      const seen = this.rejected.get(id);
      this.rejected.set(id, { version: r.version, where: r.where, issues: r.issues, at: seen && seen.version === r.version ? seen.at : at });
    }
    for (const ref of selection.missing) {
      issues.push({ path: `tasks[id=${this.id}].rules`, message: ref.endsWith('*') ? `no rule in the rule store matches ${JSON.stringify(ref)}` : `rule ${JSON.stringify(ref)} is not in the rule store` });
    }
    // A task with no rules would dead-letter everything it reads; refuse rather than run it.
    if (selection.rules.length === 0) return this.reloaded({ at, applied: false, changed: this.fingerprint !== '', issues }, 'rejected');
    const print = canonical(selection.rules);
    const changed = print !== this.fingerprint;
    let applied = false;
    if (changed) {
      let next: Pipeline | undefined;
      let nextStage: MetricStage;
      try {
        next = compilePipeline(selection.rules, { ...this.deps.compile, name: this.id, decode: { maxBytes: this.config.maxRecordBytes } });
        nextStage = compileMetricStage(selection.rules, this.stageOptions(), this.stage);
        await next.start();
      } catch (err) {
        next?.close();
        const refused = isLogfedError(err) && Array.isArray(err.details?.issues) ? (err.details.issues as RuleIssue[]) : [{ path: `tasks[id=${this.id}]`, message: message(err) }];
        issues.push(...refused);
        return this.reloaded({ at, applied: false, changed, issues }, 'rejected');
      }
      await this.replace(next);
      this.stage = nextStage;
      this.selected = selection.rules;
      this.fingerprint = print;
      applied = true;
    }
    this.stored = selection.stored;
    for (const id of selection.stored.keys()) this.refreshed.set(id, at);
    return this.reloaded({ at, applied, changed, issues }, applied ? 'applied' : issues.length ? 'rejected' : 'unchanged');
  }

  private reloaded(result: ReloadResult, outcome: 'applied' | 'unchanged' | 'rejected'): ReloadResult {
    this.lastReload = result;
    taskMetrics.reloads.inc({ task: this.id, outcome });
    if (outcome !== 'unchanged') log.info({ task: this.id, applied: result.applied, issues: result.issues }, 'rules reloaded');
    return result;
  }

  /** Puts the new pipeline in place; what the old one still held is released and written. */
  private async replace(next: Pipeline): Promise<void> {
    const old = this.pipeline;
    this.pipeline = next;
    if (!old) return;
    const out = old.flush(this.clock());
    for (const [id, c] of Object.entries(old.stats().rules)) this.carried.set(id, addCounts(this.carried.get(id), c)!);
    old.close();
    await this.write(out.events, out.deadLetters).catch((err) => log.warn({ err, task: this.id }, 'writing the events held at a rule swap failed'));
  }

  private async handle(records: BusRecord[], commit: (offsets: OffsetCommit[]) => Promise<void>): Promise<void> {
    // Taken once: a swap during this batch's writes does not change who processed it.
    const pipeline = this.pipeline!;
    const started = performance.now();
    const now = this.clock();
    const stage = this.stage;
    const events: LogEvent[] = [];
    const offsets: number[] = [];
    const dead: DeadLetter[] = [];
    for (const record of records) {
      const out = pipeline.process(record, now);
      for (const e of out.events) (events.push(e), offsets.push(Number(record.offset)));
      for (const d of out.deadLetters) dead.push(d);
    }
    const first = records[0];
    const stream = first ? this.streamOf(first.topic, first.partition) : 0;
    this.registerAssigned(now);
    const lateIdx = stage && !stage.empty ? stage.push(events, stream, offsets) : [];
    const lateWrite = lateIdx.length ? this.deps.bus.produce(this.lateTopic, lateIdx.map((i) => eventMessage(events[i]!))) : undefined;
    this.late.events += lateIdx.length;
    await Promise.all([this.write(events, dead), lateWrite]);
    if (stage && !stage.empty) await this.emitResults(stage.advance(this.clock()));
    await this.resultsWritten;
    const last = records[records.length - 1];
    if (last) {
      const p = this.progress.get(stream);
      const next = BigInt(last.offset) + 1n;
      // A batch behind the last one is a replay (the partition came back after a rebalance): start over from it.
      if (p) Object.assign(p, { next, commit, committed: p.committed !== undefined && p.committed > next ? undefined : p.committed });
      else this.progress.set(stream, { topic: last.topic, partition: last.partition, next, commit, queue: Promise.resolve() });
    }
    await this.commitReleased(stream);
    // Closing windows here may have released what other partitions held back.
    void this.commitAllReleased(stream).catch(noop);
    this.totals.records += records.length;
    this.recordRate.mark(records.length);
    taskMetrics.records.inc({ task: this.id }, records.length);
    taskMetrics.batchSeconds.observe({ task: this.id }, (performance.now() - started) / 1000);
  }

  /** Tail first (it never waits), then the output and dead-letter topics; a failed write fails the batch. */
  private async write(events: LogEvent[], dead: DeadLetter[]): Promise<void> {
    if (events.length > 0 && this.config.tail) this.deps.tail?.(events);
    const writes: Promise<void>[] = [];
    if (events.length > 0 && this.config.outputTopic) writes.push(this.deps.bus.produce(this.config.outputTopic, events.map((e) => eventMessage(e))));
    if (dead.length > 0) writes.push(sendDeadLetters(this.deps.bus, this.deadLetterTopic, dead));
    await Promise.all(writes);
    this.totals.events += events.length;
    this.totals.deadLetters += dead.length;
    this.eventRate.mark(events.length);
    if (events.length) taskMetrics.events.inc({ task: this.id }, events.length);
    if (dead.length) taskMetrics.deadLetters.inc({ task: this.id }, dead.length);
  }

  /** Releases multi-line events that waited past their maxAgeMs, and windows idle partitions no longer hold open. */
  private advance(): void {
    if (this.advancing || !this.pipeline) return;
    this.advancing = true;
    if (this.stage && !this.stage.empty) {
      this.registerAssigned(this.clock());
      void this.emitResults(this.stage.advance(this.clock()))
        .then(() => this.commitAllReleased())
        .catch(noop);
    }
    const out = this.pipeline.advance(this.clock());
    const written = out.events.length || out.deadLetters.length ? this.write(out.events, out.deadLetters) : Promise.resolve();
    void written.catch((err) => log.warn({ err, task: this.id }, 'writing released multi-line events failed')).finally(() => (this.advancing = false));
  }

  private stageOptions(resume?: ReadonlyMap<string, number>) {
    return { allowedLatenessMs: this.config.allowedLatenessMs, idleTimeoutMs: this.config.idleTimeoutMs, lookup: this.deps.lookup, ...(resume ? { resume } : {}) };
  }

  /**
   * Every partition the task owns holds the watermark back from the moment it is assigned, even
   * before its first event (until idle): otherwise a window could close on one partition's events
   * while another, still catching up, holds more of them.
   */
  private registerAssigned(now: number): void {
    const stage = this.stage;
    if (!stage || stage.empty || !this.sub) return;
    for (const tp of this.sub.assignment()) stage.watermarks.register(this.streamOf(tp.topic, tp.partition), now);
  }

  /**
   * Commits a partition up to what its handled batches and open windows allow (commitUpTo), when
   * that is past its last commit. Commits of one partition run one at a time, never backwards.
   */
  private commitReleased(stream: number): Promise<void> {
    const p = this.progress.get(stream);
    if (!p) return Promise.resolve();
    const run = async () => {
      const target = commitUpTo(p, p.next, this.stage?.oldestOffset(stream));
      if (p.committed !== undefined && BigInt(target.offset) <= p.committed) return;
      await p.commit([target]);
      const done = BigInt(target.offset);
      if (p.committed === undefined || done > p.committed) p.committed = done;
    };
    p.queue = p.queue.then(run, run);
    return p.queue;
  }

  /** After windows closed outside a partition's own batch: commits what they held, for the partitions still owned. */
  private async commitAllReleased(except?: number): Promise<void> {
    await this.resultsWritten;
    const owned = new Set((this.sub?.assignment() ?? []).map((tp) => this.streamOf(tp.topic, tp.partition)));
    await Promise.all(
      [...this.progress.keys()].filter((s) => s !== except && owned.has(s)).map((s) => this.commitReleased(s).catch((err) => log.debug({ err, task: this.id }, 'committing offsets released by closed windows failed'))),
    );
  }

  private streamOf(topic: string, partition: number): number {
    const name = `${topic}\u0000${partition}`;
    let id = this.streams.get(name);
    if (id === undefined) this.streams.set(name, (id = this.streams.size));
    return id;
  }

  /**
   * Queues the rows and alerts of closed windows behind those before them. Their windows are gone
   * from the stage, so a failed write is retried (upserts make that safe) rather than dropped, and
   * no commit passes them until they are written.
   */
  private emitResults(out: MetricStageOutput): Promise<void> {
    if (out.rows.length === 0 && out.alerts.length === 0) return this.resultsWritten;
    const write = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.writeResults(out.rows, out.alerts);
        } catch (err) {
          if (this.state !== 'RUNNING' && this.state !== 'STARTING') throw err;
          log.warn({ err, task: this.id, attempt }, 'writing metric rows and alerts failed; retrying');
          await new Promise((r) => setTimeout(r, Math.min(5_000, 200 * 2 ** attempt)));
        }
      }
    };
    this.resultsWritten = this.resultsWritten.then(write, write);
    return this.resultsWritten;
  }

  private async writeResults(rows: MetricRow[], alerts: AlertEvent[]): Promise<void> {
    const c = this.config;
    await Promise.all([
      this.deps.results?.record(rows, alerts),
      c.metricsTopic && rows.length ? this.deps.bus.produce(c.metricsTopic, rows.map(rowMessage)) : undefined,
      c.alertsTopic && alerts.length ? this.deps.bus.produce(c.alertsTopic, alerts.map(alertMessage)) : undefined,
    ]);
  }

  private async readLag(): Promise<void> {
    try {
      if (this.sub) this.noteLag(await this.sub.lag());
    } catch (err) {
      log.debug({ err, task: this.id }, 'reading consumer lag failed');
    }
  }

  private controlled<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.control.then(fn, fn);
    this.control = run.catch(noop);
    return run;
  }
}
