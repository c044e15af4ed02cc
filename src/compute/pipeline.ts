// Compute core I as one object a task runs: record bytes in, events and dead letters out.
// decode -> identify data type -> parse (+ multi-line joining per stream) -> mask -> process rules
// (A -> B, chained). Bad input and failing rules dead-letter one record; the pipeline goes on.

import type { LogEvent } from '../core/event.js';
import type { DimensionStats } from './stages/dimension.js';
import { compileRules, type CompileDeps, type Compiled, type TypePlan } from './stages/compile.js';
import { bump, newStageCounts, publishCounts, type RuleCounts, type StageCounts, type StageName } from './stages/counters.js';
import { decode, decodeJsonObject, DEFAULT_DECODE, type DecodeOptions } from './stages/decode.js';
import { MultilineJoiner, type Joined } from './stages/multiline.js';
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
  /** Runs one record through every stage; never throws on bad input. */
  process(record: RawRecord, now: number): PipelineOutput;
  /** Releases multi-line events that have waited longer than their maxAgeMs. */
  advance(now: number): PipelineOutput;
  /** Releases every pending multi-line event (before a commit, on shutdown). */
  flush(now: number): PipelineOutput;
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

interface Stream {
  joiner: MultilineJoiner<Item>;
  plan: TypePlan;
}

const streamKey = (r: RawRecord) =>
  `${r.topic ?? ''}\0${r.partition ?? ''}\0${r.key === undefined || r.key === null ? '' : typeof r.key === 'string' ? r.key : r.key.toString('latin1')}`;

const NEWLINE = Buffer.from('\n');

/** The record a dead letter carries: the one record, or the joined bytes of a multi-line event. */
function sourceRecord(items: readonly Item[]): RawRecord {
  if (items.length === 1) return items[0]!.record;
  const parts: Buffer[] = [];
  items.forEach((it, i) => parts.push(...(i === 0 ? [it.record.value] : [NEWLINE, it.record.value])));
  return { ...items[0]!.record, value: Buffer.concat(parts) };
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

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
  const ruleCounts = new Map<string, RuleCounts>(
    compiled.rules.map((r) => [r.id, { kind: r.kind, version: r.version, processed: 0, emitted: 0, dropped: 0, failed: 0, ms: 0, maxMs: 0 }]),
  );
  const unpublish = publishCounts({ name: deps.name ?? 'default', stages, rules: ruleCounts });
  const streams = new Map<string, Stream>();

  const timed = (id: string, since: number) => {
    const c = ruleCounts.get(id)!;
    const ms = performance.now() - since;
    c.ms += ms;
    if (ms > c.maxMs) c.maxMs = ms;
    return c;
  };

  const dead = (out: PipelineOutput, stage: StageCounts, record: RawRecord, r: Rejected) => {
    stage.failed++;
    bump(stage, r.code);
    out.deadLetters.push({ record, reason: r.rejected });
  };

  /**
   * Masks an event (only the named fields when `only` is given); a masker that throws must not
   * let the unmasked event out.
   */
  const mask = (event: LogEvent, plan: TypePlan, items: readonly Item[], out: PipelineOutput, only?: readonly string[]): boolean => {
    const m = plan.mask;
    if (!m) return true;
    stages.mask.received++;
    const t0 = performance.now();
    try {
      bump(stages.mask, 'values', only ? m.fn.only(event, only) : m.fn(event));
    } catch (err) {
      for (const r of m.rules) timed(r.id, t0).failed++;
      dead(out, stages.mask, sourceRecord(items), reject(`mask failed: ${message(err)}`, 'threw'));
      return false;
    }
    for (const r of m.rules) {
      const c = timed(r.id, t0);
      c.processed++;
      c.emitted++;
    }
    stages.mask.emitted++;
    return true;
  };

  /** Emits an event of a type, then runs the process rules that start from that type. */
  const emit = (event: LogEvent, plan: TypePlan, items: readonly Item[], now: number, out: PipelineOutput) => {
    if (plan.type.emit) {
      out.events.push(event);
      ruleCounts.get(plan.type.id)!.emitted++;
    }
    for (const { rule, fn, written } of plan.processes) {
      stages.process.received++;
      const t0 = performance.now();
      let result: ReturnType<typeof fn>;
      try {
        result = fn(event, now);
      } catch (err) {
        timed(rule.id, t0).failed++;
        dead(out, stages.process, sourceRecord(items), reject(`process rule ${rule.id} failed: ${message(err)}`, 'threw'));
        continue;
      }
      if (result === 'filtered') continue;
      const c = timed(rule.id, t0);
      c.processed++;
      if (result === 'dropped') {
        c.dropped++;
        stages.process.dropped++;
        continue;
      }
      const target = compiled.types.get(rule.to)!;
      // B carries A's masked content; under the same mask rules only what the steps wrote is new.
      if (!mask(result, target, items, out, target.mask === plan.mask ? written : undefined)) continue;
      c.emitted++;
      stages.process.emitted++;
      emit(result, target, items, now, out);
    }
  };

  /** Parse, mask and process one complete event text of a known type. */
  const finish = (text: string, plan: TypePlan, items: readonly Item[], json: (() => Record<string, unknown> | Rejected) | undefined, now: number, out: PipelineOutput) => {
    const parse = plan.parse!;
    const truncated = items.some((it) => it.truncated);
    stages.parse.received++;
    const t0 = performance.now();
    let event: LogEvent | Rejected;
    try {
      event = parse.fn(text, { now, headers: items[0]!.record.headers, truncated, json });
    } catch (err) {
      event = reject(`parse rule ${parse.rule.id} failed: ${message(err)}`, 'threw');
    }
    const c = timed(parse.rule.id, t0);
    c.processed++;
    if (isRejected(event)) {
      c.failed++;
      dead(out, stages.parse, sourceRecord(items), event);
      return;
    }
    c.emitted++;
    stages.parse.emitted++;
    if (!mask(event, plan, items, out)) return;
    emit(event, plan, items, now, out);
  };

  const finishJoined = (joined: Joined<Item>[], plan: TypePlan, now: number, out: PipelineOutput) => {
    for (const j of joined) {
      stages.multiline.emitted++;
      if (j.lines > 1) bump(stages.multiline, 'joinedEvents');
      const items = j.truncated && !j.items[0]!.truncated ? [{ ...j.items[0]!, truncated: true }, ...j.items.slice(1)] : j.items;
      finish(j.text, plan, items, undefined, now, out);
    }
  };

  const process = (record: RawRecord, now: number): PipelineOutput => {
    const out: PipelineOutput = { events: [], deadLetters: [] };
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
    if (stream?.joiner.continues(text, now)) {
      stages.multiline.received++;
      if (!stream.joiner.append(text, item, record.value.length)) bump(stages.multiline, 'droppedLines');
      return out;
    }
    if (stream?.joiner.hasPending) finishJoined(stream.joiner.flush(), stream.plan, now, out);
    if (text.trim() === '') {
      stages.decode.dropped++;
      bump(stages.decode, 'blank');
      return out;
    }

    stages.identify.received++;
    let body: Record<string, unknown> | Rejected | undefined;
    const json = () => (body ??= decodeJsonObject(text));
    const type = compiled.identify({ text, topic: record.topic, headers: record.headers, json });
    if (isRejected(type)) {
      // Say why JSON types could not match, and whether the cut at the size cap is to blame.
      const why = `${type.rejected}${isRejected(body) ? `; the body is not a JSON object: ${body.rejected}` : ''}`;
      dead(out, stages.identify, record, reject(decoded.truncated ? `${why} (the record was cut at the size limit)` : why, type.code));
      return out;
    }
    stages.identify.emitted++;
    ruleCounts.get(type.id)!.processed++;
    const plan = compiled.types.get(type.id)!;
    if (!plan.parse) {
      // The type's parse rule is offline or missing: an operator's choice, counted, not an error.
      stages.parse.dropped++;
      bump(stages.parse, 'noParseRule');
      return out;
    }
    const ml = plan.parse.multiline;
    if (!ml) {
      finish(text, plan, [item], json, now, out);
      return out;
    }
    stages.multiline.received++;
    let s = stream;
    if (!s || s.plan !== plan) {
      s = { joiner: new MultilineJoiner<Item>(ml.isStart, ml.limits), plan };
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
    finishJoined(old.joiner.flush(), old.plan, now, out);
  };

  const release = (now: number, all: boolean): PipelineOutput => {
    const out: PipelineOutput = { events: [], deadLetters: [] };
    for (const [key, s] of streams) {
      finishJoined(all ? s.joiner.flush() : s.joiner.advance(now), s.plan, now, out);
      if (!s.joiner.hasPending) streams.delete(key);
    }
    return out;
  };

  const refreshAll = async (first: boolean) => {
    const entries = [...compiled.tables].map(async ([id, t]) => [id, first ? await t.start() : await t.refresh()] as const);
    return Object.fromEntries(await Promise.all(entries));
  };

  return {
    process(record, now) {
      try {
        return process(record, now);
      } catch (err) {
        // Every stage rejects instead of throwing; this is the last guard, so one record can never stop a task.
        const out: PipelineOutput = { events: [], deadLetters: [] };
        dead(out, stages.decode, record, reject(`internal error: ${message(err)}`, 'internal'));
        return out;
      }
    },
    advance: (now) => release(now, false),
    flush: (now) => release(now, true),
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
