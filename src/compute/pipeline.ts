// Compute core I as one object a task runs: record bytes in, events and dead letters out.
// decode -> identify data type -> parse (+ multi-line joining per stream) -> mask -> process rules
// (A -> B, chained). Bad input and failing rules dead-letter one record; the pipeline goes on.

import type { LogEvent } from '../core/event.js';
import type { ProcessRule } from './rules/index.js';
import { compileRules, type CompileDeps, type Compiled, type TypePlan } from './stages/compile.js';
import { bump, newRuleCounts, newStageCounts, publishCounts, TIMING_EVERY, type RuleCounts, type StageCounts, type StageName } from './stages/counters.js';
import { decode, decodeJsonObject, DEFAULT_DECODE, type DecodeOptions } from './stages/decode.js';
import type { DimensionStats } from './stages/dimension.js';
import type { RecordView } from './stages/identify.js';
import { MultilineJoiner, type Joined } from './stages/multiline.js';
import type { ProcessFn } from './stages/process.js';
import { isRejected, reject, type DeadLetter, type RawRecord, type Rejected } from './stages/types.js';

export interface PipelineDeps extends CompileDeps {
  /** Label of the pipeline's metrics (the task id). */
  name?: string;
  decode?: Partial<DecodeOptions>;
  /** Streams (topic, partition, key) holding a multi-line event at once; past it the oldest is flushed. */
  maxStreams?: number;
}

export interface PipelineOutput {
  events: LogEvent[];
  /** sources[i] is the first record events[i] was made from: where a replay would make it again. */
  sources: RawRecord[];
  deadLetters: DeadLetter[];
}

export interface PipelineStats {
  stages: Record<StageName, StageCounts>;
  rules: Record<string, RuleCounts>;
  dimensions: Record<string, DimensionStats>;
  /** Streams with a multi-line event waiting for its next line. */
  pending: number;
}

export interface Pipeline {
  /** Runs one record through every stage; never throws on bad input. Appends to `into` when given. */
  process(record: RawRecord, now: number, into?: PipelineOutput): PipelineOutput;
  /** Releases multi-line events that have waited longer than their maxAgeMs. */
  advance(now: number): PipelineOutput;
  /** Releases every pending multi-line event (before a commit, on shutdown). */
  flush(now: number): PipelineOutput;
  /**
   * The oldest offset of a (topic, partition) held by a multi-line event still waiting for its
   * next line: a commit must stop there, or a crash would lose the event.
   */
  oldestHeld(topic: string, partition: number): number | undefined;
  /** Loads every dimension table once and starts their refresh timers; resolves to which loaded. */
  start(): Promise<Record<string, boolean>>;
  /** Reloads every dimension table now. */
  refreshDimensions(): Promise<Record<string, boolean>>;
  /** Stops refresh timers and metrics publication. */
  close(): void;
  stats(): PipelineStats;
  /** The online rules the pipeline runs, defaults applied. */
  readonly rules: Compiled['rules'];
}

interface Item {
  record: RawRecord;
  truncated: boolean;
}

/** A type's plan with the counters of its rules resolved once, off the per-record path. */
interface Run {
  plan: TypePlan;
  type: RuleCounts;
  parse?: RuleCounts;
  mask: RuleCounts[];
  processes: { rule: ProcessRule; fn: ProcessFn; written: string[]; counts: RuleCounts; target: Run }[];
}

interface Stream {
  joiner: MultilineJoiner<Item>;
  run: Run;
}

/** What identification and the JSON parser read; the body is parsed at most once per record. */
class View implements RecordView {
  body: Record<string, unknown> | Rejected | undefined;
  constructor(
    readonly text: string,
    readonly topic: string | undefined,
    readonly headers: RawRecord['headers'],
  ) {}
  json(): Record<string, unknown> | Rejected {
    return (this.body ??= decodeJsonObject(this.text));
  }
}

const NEWLINE = Buffer.from('\n');

/** The record a dead letter carries: the one record, or the joined bytes of a multi-line event. */
function sourceRecord(items: readonly Item[]): RawRecord {
  if (items.length === 1) return items[0]!.record;
  const parts: Buffer[] = [];
  items.forEach((it, i) => parts.push(...(i === 0 ? [it.record.value] : [NEWLINE, it.record.value])));
  return { ...items[0]!.record, value: Buffer.concat(parts) };
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Adds a timed call's duration when the record is being timed (`since` is then a clock reading). */
function spent(c: RuleCounts, timing: boolean, since: number): RuleCounts {
  if (!timing) return c;
  const ms = performance.now() - since;
  c.timed++;
  c.ms += ms;
  if (ms > c.maxMs) c.maxMs = ms;
  return c;
}

/**
 * Builds a pipeline from rules (validated here, defaults applied; only online rules run).
 * Throws BAD_CONFIG listing every problem when the rule set or deps do not hold together.
 */
export function compilePipeline(rules: readonly unknown[], deps: PipelineDeps = {}): Pipeline {
  const stages: Record<StageName, StageCounts> = {
    decode: newStageCounts(), identify: newStageCounts(), multiline: newStageCounts(),
    parse: newStageCounts(), mask: newStageCounts(), process: newStageCounts(),
  };
  const compiled = compileRules(rules, deps, stages.process);
  const decodeOpts: DecodeOptions = { ...DEFAULT_DECODE, ...deps.decode };
  const maxStreams = deps.maxStreams ?? 10_000;
  const ruleCounts = new Map<string, RuleCounts>(compiled.rules.map((r) => [r.id, newRuleCounts(r.kind, r.version)]));
  let seq = 0;
  let timing = false;
  const clock = () => (timing ? performance.now() : 0);
  const countsOf = (id: string) => ruleCounts.get(id)!;
  const runs = new Map<string, Run>();
  for (const [id, plan] of compiled.types) {
    runs.set(id, { plan, type: countsOf(id), parse: plan.parse && countsOf(plan.parse.rule.id), mask: plan.mask?.rules.map((r) => countsOf(r.id)) ?? [], processes: [] });
  }
  for (const run of runs.values()) {
    run.processes = run.plan.processes.map((p) => ({ ...p, counts: countsOf(p.rule.id), target: runs.get(p.rule.to)! }));
  }
  const unpublish = publishCounts({ name: deps.name ?? 'default', stages, rules: ruleCounts });
  const streams = new Map<string, Stream>();

  const dead = (out: PipelineOutput, stage: StageCounts, record: RawRecord, r: Rejected) => {
    stage.failed++;
    bump(stage, r.code);
    out.deadLetters.push({ record, reason: r.rejected });
  };

  /**
   * Masks an event (only the named fields when `only` is given); a masker that throws must not
   * let the unmasked event out.
   */
  const mask = (event: LogEvent, run: Run, items: readonly Item[], out: PipelineOutput, only?: readonly string[]): boolean => {
    const m = run.plan.mask;
    if (!m) return true;
    stages.mask.received++;
    const t0 = clock();
    let values: number;
    try {
      values = only ? m.fn.only(event, only) : m.fn(event);
    } catch (err) {
      for (const c of run.mask) c.failed++;
      dead(out, stages.mask, sourceRecord(items), reject(`mask failed: ${message(err)}`, 'threw'));
      return false;
    }
    for (const c of run.mask) {
      spent(c, timing, t0).processed++;
      c.emitted++;
    }
    if (values > 0) bump(stages.mask, 'values', values);
    stages.mask.emitted++;
    return true;
  };

  /** Emits an event of a type, then runs the process rules that start from that type. */
  const emit = (event: LogEvent, run: Run, items: readonly Item[], now: number, out: PipelineOutput) => {
    if (run.plan.type.emit) {
      out.events.push(event);
      out.sources.push(items[0]!.record);
      run.type.emitted++;
    }
    for (const proc of run.processes) {
      stages.process.received++;
      const t0 = clock();
      let result: ReturnType<ProcessFn>;
      try {
        result = proc.fn(event, now);
      } catch (err) {
        proc.counts.failed++;
        dead(out, stages.process, sourceRecord(items), reject(`process rule ${proc.rule.id} failed: ${message(err)}`, 'threw'));
        continue;
      }
      if (result === 'filtered') continue;
      const c = spent(proc.counts, timing, t0);
      c.processed++;
      if (result === 'dropped') {
        c.dropped++;
        stages.process.dropped++;
        continue;
      }
      // B carries A's masked content; under the same mask rules only what the steps wrote is new.
      if (!mask(result, proc.target, items, out, proc.target.plan.mask === run.plan.mask ? proc.written : undefined)) continue;
      c.emitted++;
      stages.process.emitted++;
      emit(result, proc.target, items, now, out);
    }
  };

  /** Parse, mask and process one complete event text of a known type. */
  const finish = (text: string, run: Run, items: readonly Item[], body: View | undefined, now: number, out: PipelineOutput) => {
    const parse = run.plan.parse!;
    const truncated = items.length === 1 ? items[0]!.truncated : items.some((it) => it.truncated);
    stages.parse.received++;
    const t0 = clock();
    let event: LogEvent | Rejected;
    try {
      event = parse.fn(text, { now, headers: items[0]!.record.headers, truncated, body });
    } catch (err) {
      event = reject(`parse rule ${parse.rule.id} failed: ${message(err)}`, 'threw');
    }
    const c = spent(run.parse!, timing, t0);
    c.processed++;
    if (isRejected(event)) {
      c.failed++;
      dead(out, stages.parse, sourceRecord(items), event);
      return;
    }
    c.emitted++;
    stages.parse.emitted++;
    if (!mask(event, run, items, out)) return;
    emit(event, run, items, now, out);
  };

  const finishJoined = (joined: Joined<Item>[], run: Run, now: number, out: PipelineOutput) => {
    for (const j of joined) {
      stages.multiline.emitted++;
      if (j.lines > 1) bump(stages.multiline, 'joinedEvents');
      const items = j.truncated && !j.items[0]!.truncated ? [{ ...j.items[0]!, truncated: true }, ...j.items.slice(1)] : j.items;
      finish(j.text, run, items, undefined, now, out);
    }
  };

  // Records of one partition arrive in runs, so the last stream key is kept rather than rebuilt.
  let lastRecord: { topic?: string; partition?: number; key?: RawRecord['key'] } = {};
  let lastKey = '';
  const streamKey = (r: RawRecord): string => {
    if (r.topic === lastRecord.topic && r.partition === lastRecord.partition && r.key === lastRecord.key) return lastKey;
    const key = r.key === undefined || r.key === null ? '' : typeof r.key === 'string' ? r.key : r.key.toString('latin1');
    lastRecord = { topic: r.topic, partition: r.partition, key: r.key };
    lastKey = `${r.topic ?? ''}\0${r.partition ?? ''}\0${key}`;
    return lastKey;
  };

  const process = (record: RawRecord, now: number, out: PipelineOutput): PipelineOutput => {
    timing = ++seq % TIMING_EVERY === 0;
    stages.decode.received++;
    const decoded = decode(record.value, decodeOpts);
    if (isRejected(decoded)) {
      dead(out, stages.decode, record, decoded);
      return out;
    }
    if (decoded.truncated) bump(stages.decode, 'truncated');
    stages.decode.emitted++;
    const item: Item = { record, truncated: decoded.truncated };
    const text = decoded.text;

    const key = streamKey(record);
    const stream = streams.get(key);
    const view = new View(text, record.topic, record.headers);
    let type: ReturnType<typeof compiled.identify> | undefined;
    if (stream !== undefined && stream.joiner.continues(text, now)) {
      // Not a start line, so it continues the pending event, unless it is a record of another
      // type that shares the stream (an unkeyed topic mixing sources).
      type = compiled.identify(view);
      if (isRejected(type) || type === stream.run.plan.type) {
        stages.multiline.received++;
        if (!stream.joiner.append(text, item, record.value.length)) bump(stages.multiline, 'droppedLines');
        return out;
      }
    }
    if (stream?.joiner.hasPending) finishJoined(stream.joiner.flush(), stream.run, now, out);
    if (text.trim() === '') {
      stages.decode.dropped++;
      bump(stages.decode, 'blank');
      return out;
    }

    stages.identify.received++;
    type ??= compiled.identify(view);
    if (isRejected(type)) {
      // Say why JSON types could not match, and whether the cut at the size cap is to blame.
      const why = `${type.rejected}${isRejected(view.body) ? `; the body is not a JSON object: ${view.body.rejected}` : ''}`;
      dead(out, stages.identify, record, reject(decoded.truncated ? `${why} (the record was cut at the size limit)` : why, type.code));
      return out;
    }
    stages.identify.emitted++;
    const run = runs.get(type.id)!;
    run.type.processed++;
    if (!run.plan.parse) {
      // The type's parse rule is offline or missing: an operator's choice, counted, not an error.
      stages.parse.dropped++;
      bump(stages.parse, 'noParseRule');
      return out;
    }
    const ml = run.plan.parse.multiline;
    if (!ml) {
      finish(text, run, [item], view, now, out);
      return out;
    }
    stages.multiline.received++;
    let s = stream;
    if (s === undefined || s.run !== run) {
      s = { joiner: new MultilineJoiner<Item>(ml.isStart, ml.limits), run };
      streams.delete(key);
      streams.set(key, s);
      if (streams.size > maxStreams) evictOldest(now, out);
    }
    s.joiner.start(text, item, now, record.value.length);
    return out;
  };

  const evictOldest = (now: number, out: PipelineOutput) => {
    const [oldKey, old] = streams.entries().next().value as [string, Stream];
    streams.delete(oldKey);
    bump(stages.multiline, 'evictedStreams');
    finishJoined(old.joiner.flush(), old.run, now, out);
  };

  const release = (now: number, all: boolean): PipelineOutput => {
    const out: PipelineOutput = { events: [], sources: [], deadLetters: [] };
    for (const [key, s] of streams) {
      finishJoined(all ? s.joiner.flush() : s.joiner.advance(now), s.run, now, out);
      if (!s.joiner.hasPending) streams.delete(key);
    }
    return out;
  };

  const refreshAll = async (first: boolean) => {
    const entries = [...compiled.tables].map(async ([id, t]) => [id, first ? await t.start() : await t.refresh()] as const);
    return Object.fromEntries(await Promise.all(entries));
  };

  return {
    process(record, now, into) {
      const out = into ?? { events: [], sources: [], deadLetters: [] };
      try {
        return process(record, now, out);
      } catch (err) {
        // Every stage rejects instead of throwing; this is the last guard, so one record can never stop a task.
        dead(out, stages.decode, record, reject(`internal error: ${message(err)}`, 'internal'));
        return out;
      }
    },
    advance: (now) => release(now, false),
    flush: (now) => release(now, true),
    oldestHeld(topic, partition) {
      let oldest: number | undefined;
      for (const s of streams.values()) {
        const r = s.joiner.firstItem?.record;
        if (r === undefined || r.topic !== topic || r.partition !== partition || r.offset === undefined) continue;
        const o = Number(r.offset);
        if (oldest === undefined || o < oldest) oldest = o;
      }
      return oldest;
    },
    start: () => refreshAll(true),
    refreshDimensions: () => refreshAll(false),
    close() {
      for (const t of compiled.tables.values()) t.stop();
      unpublish();
    },
    stats() {
      const copy = (c: StageCounts): StageCounts => ({ ...c, detail: { ...c.detail } });
      return {
        stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, copy(v)])) as Record<StageName, StageCounts>,
        rules: Object.fromEntries([...ruleCounts].map(([k, v]) => [k, { ...v }])),
        dimensions: Object.fromEntries([...compiled.tables].map(([k, t]) => [k, t.stats()])),
        pending: [...streams.values()].filter((s) => s.joiner.hasPending).length,
      };
    },
    rules: compiled.rules,
  };
}
