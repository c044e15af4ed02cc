// `npm run bench -- ingest`: compute core I in process on one core. Generated logback lines (a few
// with stack traces and sensitive values) run through compilePipeline: decode, identify, parse
// (logback, multi-line), mask, and one dimension-table enrichment. The baseline, measured in the
// same run, is JSON.parse of the same records written as JSON lines. lines_per_s in the last line
// is per CPU second of this process (what one core sustains, whatever else the machine is
// running); wall-clock rates are printed above it. Then the same rules run as a compute task on
// the local Kafka (_ingest-kafka.ts): kafka_lines_per_s sustained Kafka -> core -> Kafka, wall
// clock, against plain kafkajs copying the same topic in the same run, and p99_ms end to end at a
// steady 10,000 lines/s.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePipeline } from '../src/compute/pipeline.js';
import { loadRules } from '../src/compute/rules/index.js';
import type { RawRecord } from '../src/compute/stages/types.js';
import { kafkaIngest } from './_ingest-kafka.js';
import { measure, median, type Timing } from './_stats.js';

const LINES = Number(process.env.BENCH_INGEST_LINES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_INGEST_RUNS ?? 3);
const KAFKA_LINES = Number(process.env.BENCH_INGEST_KAFKA_LINES ?? 500_000);
const KAFKA_RATE = Number(process.env.BENCH_INGEST_KAFKA_RATE ?? 10_000);
const KAFKA_SECONDS = Number(process.env.BENCH_INGEST_KAFKA_SECONDS ?? 15);
const BROKERS = (process.env.LOGFED_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

const THREADS = ['http-nio-8080-exec-1', 'http-nio-8080-exec-7', 'kafka-consumer-3', 'scheduling-1', 'main'];
const LOGGERS = ['c.e.shop.OrderController', 'c.e.shop.CartService', 'c.e.pay.PaymentClient', 'o.s.w.s.DispatcherServlet', 'c.e.ship.Tracker', 'c.e.user.LoginService'];
const LEVELS = [' INFO', ' INFO', ' INFO', 'DEBUG', ' WARN', 'ERROR'];

function message(r: number): string {
  switch (r % 20) {
    case 0:
      return `sms sent to 138${String(r % 100000000).padStart(8, '0')} template=ORDER_PAID`;
    case 1:
      return `login ok user=user${r % 977}@example.com ip=203.0.${r % 256}.${(r >> 8) % 256}`;
    case 2:
      return `payment accepted card=4111111111111111 amount=${(r % 10000) / 100} CNY`;
    case 3:
    case 4:
    case 5:
      return `GET /api/cart/${r % 50000} 200 ${r % 900}ms bytes=${r % 65536}`;
    case 6:
    case 7:
    case 8:
      return `cache hit_ratio=0.${r % 100} for key cart:${r % 50000} region=cn-${r % 3}`;
    case 9:
    case 10:
    case 11:
      return `stock reserved for order ${r % 100000} in warehouse WH-${r % 9}, remaining=${r % 1000}`;
    case 12:
    case 13:
      return `shipment ${r % 100000} dispatched, carrier=SF tracking=SF${(r * 2654435761) % 4294967296}`;
    default:
      return `order ${r % 100000} created by user_${r % 977} total=${(r % 10000) / 100} items=${r % 7}`;
  }
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Logback lines with the JSON line of the same content; one event in 200 carries a stack trace. */
function generate(count: number): { logback: RawRecord[]; json: Buffer[] } {
  const logback: RawRecord[] = [];
  const json: Buffer[] = [];
  let r = 12345;
  let ts = Date.UTC(2026, 10, 21, 2, 0, 0);
  while (logback.length < count) {
    r = (Math.imul(r, 1103515245) + 12345) >>> 0;
    ts += r % 7;
    const d = new Date(ts + 8 * 3600_000);
    const time = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
    const level = LEVELS[r % LEVELS.length]!;
    const thread = THREADS[(r >> 3) % THREADS.length]!;
    const logger = LOGGERS[(r >> 5) % LOGGERS.length]!;
    const trace = ((r * 2654435761) >>> 0).toString(16).padStart(8, '0') + (r >>> 0).toString(16).padStart(8, '0');
    const msg = message(r);
    const line = (r >> 7) % 300;
    const push = (text: string, obj: object) => {
      logback.push({ value: Buffer.from(text), topic: 'logs', partition: 0 });
      json.push(Buffer.from(JSON.stringify(obj)));
    };
    push(`${time} ${level} 4242 --- [${thread}] [${trace}] ${logger}-${line} : ${msg}`, { time, level: level.trim(), pid: 4242, thread, traceId: trace, logger, line, message: msg });
    if (r % 200 === 0) {
      const frames = ['java.lang.IllegalStateException: stock below zero', `\tat ${logger}.handle(Handler.java:${line})`, '\tat o.s.w.s.FrameworkServlet.service(FrameworkServlet.java:897)', '\t... 42 common frames omitted'];
      for (const f of frames) push(f, { message: f });
    }
  }
  return { logback: logback.slice(0, count), json: json.slice(0, count) };
}

const RULES = `
- { id: app-log, kind: dataType, version: 1, online: true, identify: { all: [" --- ["] } }
- { id: app-owned, kind: dataType, version: 1, online: true }
- id: app-parse
  kind: parse
  version: 1
  online: true
  dataType: app-log
  parser: { type: logback }
  time: { timeZone: Asia/Shanghai }
  defaults: { domain: shop, env: prod, app: shop-service, file: app.log }
  multiline: {}
- { id: pii, kind: mask, version: 1, online: true }
- { id: owners, kind: dimension, version: 1, online: true, sql: "SELECT logger, team FROM owners" }
- id: add-owner
  kind: process
  version: 1
  online: true
  from: app-log
  to: app-owned
  steps:
    - op: enrich
      dimension: owners
      match: [{ kind: equals, column: logger, field: logger }]
      set: { team: team }
`;

async function pipelineRun(records: RawRecord[]): Promise<Timing & { events: number; dead: number }> {
  const { rules } = loadRules(RULES, 'yaml');
  const pipeline = compilePipeline(rules, { name: 'bench', maskSecret: 'bench-secret-0123456789', loadDimension: () => async () => owners });
  await pipeline.start();
  let events = 0;
  let dead = 0;
  const now = Date.now();
  const time = measure(() => {
    for (const record of records) {
      const out = pipeline.process(record, now);
      events += out.events.length;
      dead += out.deadLetters.length;
    }
    const last = pipeline.flush(now);
    events += last.events.length;
    dead += last.deadLetters.length;
  });
  pipeline.close();
  return { ...time, events, dead };
}

function baselineRun(lines: Buffer[]): Timing {
  let keys = 0;
  const time = measure(() => {
    for (const line of lines) keys += Object.keys(JSON.parse(line.toString('utf8')) as object).length;
  });
  if (keys === 0) throw new Error('baseline parsed nothing');
  return time;
}

const owners = LOGGERS.map((logger, i) => ({ logger, team: `team-${i}` }));

const rate = (times: Timing[], key: keyof Timing) => Math.round(LINES / median(times.map((t) => t[key])));
const show = (times: Timing[]) => times.map((t) => `${t.wall.toFixed(2)}s wall/${t.cpu.toFixed(2)}s cpu`).join(', ');

/** The in-process part; its million records are garbage once it returns, so they cost the Kafka part no GC time. */
async function inProcess(): Promise<number> {
  const { logback, json } = generate(LINES);
  console.log(`ingest: ${LINES} lines (${(logback.reduce((n, r) => n + r.value.length, 0) / 1024 / 1024).toFixed(1)} MiB), ${RUNS} runs each`);
  // Warm both paths up so the measured runs compare compiled code with compiled code.
  await pipelineRun(logback.slice(0, 50_000));
  baselineRun(json.slice(0, 50_000));

  const pipelineTimes: Timing[] = [];
  const baselineTimes: Timing[] = [];
  let events = 0;
  let dead = 0;
  for (let i = 0; i < RUNS; i++) {
    const run = await pipelineRun(logback);
    pipelineTimes.push(run);
    ({ events, dead } = run);
    baselineTimes.push(baselineRun(json));
  }
  console.log(`pipeline: ${show(pipelineTimes)}; ${events} events (A and enriched B), ${dead} dead letters`);
  console.log(`baseline (JSON.parse of the same records): ${show(baselineTimes)}`);
  console.log(`wall clock: lines_per_s=${rate(pipelineTimes, 'wall')} baseline_lines_per_s=${rate(baselineTimes, 'wall')} (load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`);
  console.log(`ratio pipeline/baseline throughput: ${(rate(pipelineTimes, 'cpu') / rate(baselineTimes, 'cpu')).toFixed(2)}`);
  console.log(`in process: lines_per_s=${rate(pipelineTimes, 'cpu')} baseline_lines_per_s=${rate(baselineTimes, 'cpu')}`);
  return rate(pipelineTimes, 'cpu');
}
const linesPerSecond = await inProcess();

// A task's output is its finished product: the enriched events only (the app type is not emitted).
const kafkaRules = loadRules(RULES, 'yaml').rules.map((r) => (r.id === 'app-log' ? { ...r, emit: false } : r));
const rulesDir = mkdtempSync(join(tmpdir(), 'logfed-bench-rules-'));
writeFileSync(join(rulesDir, 'bench.json'), JSON.stringify(kafkaRules));
console.log(`kafka: ${KAFKA_LINES} lines through a task on ${BROKERS.join(',')} (3 partitions in and out), then ${KAFKA_RATE} lines/s for ${KAFKA_SECONDS}s`);
let kafka: Awaited<ReturnType<typeof kafkaIngest>>;
try {
  kafka = await kafkaIngest({
    rulesDir,
    ruleRefs: kafkaRules.map((r) => r.id),
    owners,
    lines: () => generate(KAFKA_LINES).logback.map((r) => r.value),
    sample: generate(20_000).logback.map((r) => r.value),
    rate: KAFKA_RATE,
    seconds: KAFKA_SECONDS,
    brokers: BROKERS,
  });
} finally {
  rmSync(rulesDir, { recursive: true, force: true });
}
const l = kafka.latency;
const b = kafka.baseline;
const us = (n: number) => (Number.isNaN(n) ? 'n/a' : n.toFixed(1));
console.log(`kafka baseline (plain kafkajs copying each record, no processing): ${b.linesPerSecond} lines/s wall clock; cpu/line ${us(b.cpuUsPerLine)}µs here + ${us(b.brokerUsPerLine)}µs broker; main thread busy ${(b.mainBusy * 100).toFixed(0)}%`);
console.log(`kafka sustained (task, wall clock): ${kafka.linesPerSecond} lines/s in, ${kafka.events} events out; ratio to baseline ${(kafka.linesPerSecond / b.linesPerSecond).toFixed(2)}`);
console.log(`kafka cpu/line: ${us(kafka.cpuUsPerLine)}µs in this process (all threads) + ${us(kafka.brokerUsPerLine)}µs broker; main thread busy ${(kafka.mainBusy * 100).toFixed(0)}% (load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores, broker and other work included)`);
console.log(`kafka latency: ${l.count} lines at ${Math.round(l.sentPerSecond)} lines/s; p50=${l.p50}ms p99=${l.p99}ms max=${l.max}ms`);
console.log(`bench ingest: lines_per_s=${linesPerSecond} kafka_lines_per_s=${kafka.linesPerSecond} p99_ms=${l.p99}`);
