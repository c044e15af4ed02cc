// One compute task: its topics read in a consumer group of its own, each batch run through the
// compiled pipeline, events written to the live tail and the output topic, dead letters to the
// dead-letter topic, then offsets committed. A new rule set is swapped in between batches: the
// pipeline runs synchronously, so a swap never lands inside one, while batches of several
// partitions may be writing at once.

import type { LogEvent } from '../../core/event.js';
import { isLogfedError } from '../../errors/index.js';
import { log as rootLog } from '../../observe/logger.js';
import type { Bus, BusRecord, BusSubscription, PartitionLag } from '../bus/types.js';
import { compilePipeline, type Pipeline, type PipelineOutput } from '../pipeline.js';
import { canonical } from '../rule-store/index.js';
import type { Rule, RuleIssue } from '../rules/index.js';
import type { CompileDeps } from '../stages/compile.js';
import type { RuleCounts } from '../stages/counters.js';
import type { DeadLetter } from '../stages/types.js';
import { adviseTask, type AdviceThresholds, type TaskAdvice } from './advice.js';
import { CommitTracker } from './commit.js';
import { ResultWriter } from './result-writer.js';
import type { OffsetCommit } from '../bus/types.js';
import type { DimensionLookup } from '../metrics/processed.js';
import type { Results } from '../results/index.js';
import { deadLetterTopicOf, groupIdOf, lateTopicOf, type TaskConfig } from './config.js';
import { compileMetricStage, type MetricStage } from './metric-stage.js';
import { publishTaskGauges, taskMetrics } from './metrics.js';
import { eventMessage, sendDeadLetters } from './output.js';
import { RateMeter } from './rate.js';
import { ScaleOut } from './scale-out.js';
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
const oldest = (a?: number, b?: number) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));

/** Released output whose writes failed, with its late events; the tail has had it once written is tried. */
interface Unwritten {
  out: PipelineOutput;
  late: LogEvent[];
  tailed: boolean;
}

/** The oldest record of a partition among outputs still to be written: commits stop there. */
function oldestSource(outputs: readonly Unwritten[], topic: string, partition: number): number | undefined {
  let min: number | undefined;
  for (const { out } of outputs) for (const r of out.sources) if (r.topic === topic && r.partition === partition) min = oldest(min, Number(r.offset));
  return min;
}

export class TaskRunner {
  state: TaskState = 'STOPPED';
  lastError?: string;
  startedAt?: number;
  lastReload?: ReloadResult;

  private pipeline?: Pipeline;
  private stage?: MetricStage;
  /** Results of closed windows are written one batch at a time, in order; commits wait for them. */
  private readonly results: ResultWriter;
  /** Which records of each partition were handled and how far they are committed. */
  private readonly commits = new CommitTracker((stream, topic, partition) =>
    oldest(oldest(this.stage?.oldestOffset(stream), this.pipeline?.oldestHeld(topic, partition)), oldestSource(this.retryReleased, topic, partition)),
  );
  /**
   * Per partition (by stream), a batch whose events went into the metric stage but whose writes
   * failed: the batch comes again, and then only these writes are tried again. Processing it a
   * second time would count its events twice and join its multi-line events again.
   */
  private readonly unwritten = new Map<number, { last: BusRecord; output: Unwritten }>();
  /** Events the multi-line timer or a rule swap released whose writes failed: tried again each tick, commits held at them. */
  private retryReleased: Unwritten[] = [];
  private readonly late = { events: 0 };
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
  /** Two-phase metric aggregation through the repartition topic, when the task scales out. */
  private readonly scaleOut?: ScaleOut;

  constructor(
    readonly config: TaskConfig,
    private readonly deps: TaskRunnerDeps,
  ) {
    this.clock = deps.clock ?? Date.now;
    this.results = new ResultWriter({ config, bus: deps.bus, results: deps.results, retrying: () => this.state === 'RUNNING' || this.state === 'STARTING' });
    this.recordRate = new RateMeter(10, this.clock);
    this.eventRate = new RateMeter(10, this.clock);
    if (config.scaleOut) {
      const flush = () => (this.stage && !this.stage.empty ? this.results.emit(this.stage.advance(this.clock())) : this.results.settled);
      this.scaleOut = new ScaleOut(config, {
        bus: deps.bus,
        clock: this.clock,
        streamOf: (t, p) => this.streamOf(t, p),
        flush,
        loadStates: async (parts) => (await deps.results?.store.partStates(config.id, parts)) ?? [],
        restoreStates: (states) => this.stage?.restoreParts(states),
        dropParts: (parts) => this.stage?.dropParts(parts),
      });
    }
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
          // Consuming resumes from the committed offsets, which replay what open windows held: they
          // start empty. Windows closed here or written by an earlier run stay closed: their replayed
          // events count as late, not as a second row. Alerts and composites resume from the state
          // saved with those windows' results, which no replay could rebuild.
          const store = this.deps.results?.store;
          const [written, saved] = await Promise.all([store?.closedThrough(this.stage.metricRuleIds()), store?.ruleStates(this.id)]);
          this.stage = compileMetricStage(this.selected, { ...this.stageOptions(written), replay: true, saved }, this.stage);
        }
        // Every record from the committed offsets on is handled again: nothing of it is held any more.
        this.commits.clear();
        this.unwritten.clear();
        this.retryReleased = [];
        await this.deps.bus.ensureTopics(own.map((topic) => ({ topic })));
        this.sub = await this.deps.bus.subscribe({
          groupId: this.groupId,
          topics: this.config.topics,
          fromBeginning: this.config.startFrom === 'earliest',
          autoCommit: false,
          concurrency: this.config.concurrency,
          eachBatch: (records, ctx) => this.handle(records, (offsets) => ctx.commit(offsets)),
          onRevoke: (tps) => this.revoked(tps),
        });
        await this.scaleOut?.start(this.sub);
      } catch (err) {
        this.state = 'FAILED';
        this.lastError = message(err);
        // Subscribed but not started whole (phase two of a scale-out task did not join): leave the group.
        await this.sub?.stop().catch(noop);
        this.sub = undefined;
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

  /** Leaves the group after the batch in hand; what is uncommitted is read again by the next consumer. */
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
      await this.scaleOut?.stop();
      // Multi-line events still waiting are dropped, not released: commits stopped at their first
      // records, so whoever consumes the partitions next reads them again and joins them whole.
      const held = this.pipeline?.flush(this.clock());
      if (held?.events.length) log.info({ task: this.id, events: held.events.length }, 'multi-line events held at stop are left to be read again');
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
        this.noteLag(await this.lagNow(this.sub));
      } catch (err) {
        lagError = message(err);
      }
    }
    return {
      state: this.state,
      assignment: [...(this.sub?.assignment() ?? []), ...(this.scaleOut?.assignment() ?? [])],
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
    // The lag lists every partition of the input topics (a scale-out task's are judged by its phases).
    const inputs = new Set(health.lag.filter((l) => this.config.topics.includes(l.topic)).map((l) => `${l.topic}\u0000${l.partition}`));
    const partitions = this.sub && !this.scaleOut && inputs.size > 0 ? { owned: this.sub.assignment().length, total: inputs.size, group: this.groupId } : undefined;
    return adviseTask(
      { now: this.clock(), state: this.state, startedAt: this.startedAt, lastError: this.lastError, lagReadings: this.lagReadings, lagError: health.lagError, rules, partitions },
      thresholds,
    );
  }

  /** The input's lag and, for a scale-out task, its repartition topic's. */
  private async lagNow(sub: BusSubscription): Promise<PartitionLag[]> {
    return [...(await sub.lag()), ...((await this.scaleOut?.lag()) ?? [])];
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
      await this.replace(next, nextStage);
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

  /** Puts the new pipeline and stage in place; what the old pipeline still held goes into the new stage and out. */
  private async replace(next: Pipeline, nextStage: MetricStage): Promise<void> {
    const old = this.pipeline;
    this.pipeline = next;
    this.stage = nextStage;
    if (!old) return;
    const out = old.flush(this.clock());
    for (const [id, c] of Object.entries(old.stats().rules)) this.carried.set(id, addCounts(this.carried.get(id), c)!);
    old.close();
    const output = this.staged(out);
    await this.write(output).catch((err) => {
      this.retryReleased.push(output);
      log.warn({ err, task: this.id }, 'writing the events held at a rule swap failed; trying again');
    });
  }

  /**
   * Partitions taken away in a rebalance. A scale-out task drops what phase one held of them (their
   * next owner replays it), so they start over if they come back. On the direct path the shared
   * windows and pending multi-line events keep what was read of them: should they come back, the
   * records this task already handled (or holds output of, unwritten) are skipped, not counted again.
   */
  private revoked(tps: readonly { topic: string; partition: number }[]): void {
    if (!this.scaleOut) return;
    this.commits.forget(tps);
    for (const tp of tps) this.unwritten.delete(this.streamOf(tp.topic, tp.partition));
    this.scaleOut.revokeInput(tps);
  }

  private async handle(batch: BusRecord[], commit: (offsets: OffsetCommit[]) => Promise<void>): Promise<void> {
    const head = batch[0];
    if (!head) return;
    // A batch holds the records of one partition.
    const stream = this.streamOf(head.topic, head.partition);
    const failed = this.unwritten.get(stream);
    if (failed) {
      // The batch before this one was processed, but its writes failed: write it, then go on.
      await this.write(failed.output);
      this.unwritten.delete(stream);
      this.commits.handled(stream, failed.last, commit);
    }
    const records = this.commits.unhandled(batch);
    if (records.length === 0) {
      if (failed) await this.commits.release(stream);
      return;
    }
    // Taken once: a swap during this batch's writes does not change who processed it.
    const pipeline = this.pipeline!;
    const started = performance.now();
    const now = this.clock();
    const stage = this.stage;
    const out: PipelineOutput = { events: [], sources: [], deadLetters: [] };
    for (const record of records) pipeline.process(record, now, out);
    const last = records[records.length - 1]!;
    this.registerAssigned(now);
    const output = this.staged(out, stage);
    try {
      await this.write(output);
    } catch (err) {
      this.unwritten.set(stream, { last, output });
      throw err;
    }
    if (stage && !stage.empty) await this.results.emit(stage.advance(this.clock()));
    await this.results.settled;
    this.commits.handled(stream, last, commit);
    await this.commits.release(stream);
    // Closing windows here may have released what other partitions held back.
    void this.commitAllReleased(stream).catch(noop);
    this.totals.records += records.length;
    this.recordRate.mark(records.length);
    taskMetrics.records.inc({ task: this.id }, records.length);
    taskMetrics.batchSeconds.observe({ task: this.id }, (performance.now() - started) / 1000);
  }

  /**
   * What a pipeline released (from a batch, the multi-line timer or a rule swap) into the metric
   * stage, each event under the partition and offset of its first record; answers it with the
   * late events, ready for write(). Synchronous, and done once whatever becomes of the writes.
   */
  private staged(out: PipelineOutput, stage = this.stage): Unwritten {
    const late: LogEvent[] = [];
    if (stage && !stage.empty) {
      const { events, sources } = out;
      // A batch holds one partition; timer releases may mix them. One push per run of a partition.
      for (let from = 0, i = 1; from < events.length; i++) {
        const head = sources[from]!;
        const next = sources[i];
        if (next && next.topic === head.topic && next.partition === head.partition) continue;
        const run = from === 0 && i === events.length ? events : events.slice(from, i);
        const offsets = sources.slice(from, i).map((r) => Number(r.offset));
        for (const j of stage.push(run, this.streamOf(head.topic ?? '', head.partition ?? 0), offsets)) late.push(run[j]!);
        from = i;
      }
    }
    this.late.events += late.length;
    return { out, late, tailed: false };
  }

  /**
   * Tail first, once (it never waits), then the output, dead-letter and late topics; a failed
   * write fails the batch, and trying again writes the topics only.
   */
  private async write(output: Unwritten): Promise<void> {
    const { events, deadLetters: dead } = output.out;
    if (!output.tailed && events.length > 0 && this.config.tail) this.deps.tail?.(events);
    output.tailed = true;
    const writes: Promise<void>[] = [];
    if (events.length > 0 && this.config.outputTopic) writes.push(this.deps.bus.produce(this.config.outputTopic, events.map((e) => eventMessage(e))));
    if (dead.length > 0) writes.push(sendDeadLetters(this.deps.bus, this.deadLetterTopic, dead));
    if (output.late.length > 0) writes.push(this.deps.bus.produce(this.lateTopic, output.late.map((e) => eventMessage(e))));
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
    const now = this.clock();
    this.registerAssigned(now);
    // Released events reach the stage before its windows advance; writes that failed before go first.
    const out = this.pipeline.advance(now);
    const pending = this.retryReleased.splice(0);
    if (out.events.length || out.deadLetters.length) pending.push(this.staged(out));
    const released = pending.length
      ? Promise.all(pending.map((output) => this.write(output).catch((err: unknown) => (this.retryReleased.push(output), Promise.reject(err)))))
      : undefined;
    const results = this.stage && !this.stage.empty ? this.results.emit(this.stage.advance(now)) : undefined;
    // Commits move past the released events' records only once they are written.
    void Promise.all([released, results])
      .then(() => (released || results ? this.commitAllReleased() : undefined))
      .catch((err) => log.warn({ err, task: this.id }, 'writing released multi-line events or closed windows failed'))
      .finally(() => (this.advancing = false));
  }

  private stageOptions(resume?: ReadonlyMap<string, number>) {
    // A scale-out task's windows close per repartition partition: one "written through" for all would drop partials.
    const more = this.scaleOut ? { phases: this.scaleOut } : resume ? { resume } : {};
    return { allowedLatenessMs: this.config.allowedLatenessMs, idleTimeoutMs: this.config.idleTimeoutMs, lookup: this.deps.lookup, ...more };
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

  /** After windows closed outside a partition's own batch: commits what they held, for the partitions still owned. */
  private async commitAllReleased(except?: number): Promise<void> {
    await this.results.settled;
    await this.commits.releaseAll(this.sub?.assignment() ?? [], (err) => log.debug({ err, task: this.id }, 'committing offsets released by closed windows failed'), except);
  }

  private streamOf(topic: string, partition: number): number {
    return this.commits.streamOf(topic, partition);
  }

  private async readLag(): Promise<void> {
    try {
      if (this.sub) this.noteLag(await this.lagNow(this.sub));
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
