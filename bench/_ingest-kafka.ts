// The Kafka part of `npm run bench -- ingest`: Kafka -> compute task -> Kafka on the local broker
// (scripts/services.sh), 3-partition topics. Sustained: lines produced beforehand are consumed,
// processed (the same rules as the in-process part) and written to an output topic; the rate is
// wall clock, from the first batch handled to the last record. Its baseline, on the same topic in
// the same run: plain kafkajs copying each record unchanged to another topic. CPU per line (this
// process, all threads; the broker's from /proc) is context for a machine others share. Latency: lines produced at a steady rate, each
// carrying its send time, read back from the output topic; p99 of receive minus send over the
// measured seconds, after a warm-up second and before a trailing second (a file's last line is held
// until its next one arrives, as a stack trace may follow), neither of which is counted.

import { readdirSync, readFileSync } from 'node:fs';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { createKafkaBus, type Bus, type BusMessage } from '../src/compute/bus/index.js';
import { createFileRuleStore } from '../src/compute/rule-store/index.js';
import { computeConfigSchema, TaskManager } from '../src/compute/tasks/index.js';
import type { Row } from '../src/compute/stages/dimension.js';
import { quantileOfSorted } from './_stats.js';

export interface KafkaIngestOptions {
  /** Folder holding the rule files the task runs (ids under `bench.`... as named by `ruleRefs`). */
  rulesDir: string;
  ruleRefs: string[];
  owners: Row[];
  /** Makes the raw lines of the sustained run; they are garbage once they are on the topic. */
  lines: () => Buffer[];
  /** Lines the latency run cycles through (each is sent with its send time appended). */
  sample: Buffer[];
  /** Lines per second and seconds of the latency run. */
  rate: number;
  seconds: number;
  brokers: string[];
}

export interface Sustained {
  /** Wall clock. */
  linesPerSecond: number;
  /** CPU of this process (every thread) and of the broker per line; NaN where unknown. */
  cpuUsPerLine: number;
  brokerUsPerLine: number;
  /** Share of the wall time the main thread's event loop was busy. */
  mainBusy: number;
}

export interface KafkaIngestResult extends Sustained {
  baseline: Sustained;
  events: number;
  latency: { count: number; sentPerSecond: number; p50: number; p99: number; max: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds the local broker (a JVM running kafka.Kafka) has used, when it can be found. */
function brokerCpu(): number {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka')) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // Gone, or not ours to read.
    }
  }
  return NaN;
}

/** Measures from the moment `started` first holds until `done` does, wall clock and CPU. */
async function sustained(lines: number, started: () => number, done: () => boolean): Promise<Sustained> {
  let first: number;
  while ((first = started()) === 0) await sleep(2);
  const [c0, b0, e0, t0] = [process.cpuUsage(), brokerCpu(), performance.eventLoopUtilization(), performance.now()];
  while (!done()) await sleep(5);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const n = lines - first;
  return {
    linesPerSecond: Math.round(n / seconds),
    cpuUsPerLine: (cpu.user + cpu.system) / n,
    brokerUsPerLine: ((brokerCpu() - b0) * 1e6) / n,
    mainBusy: performance.eventLoopUtilization(e0).utilization,
  };
}

/** The baseline: a kafkajs consumer and producer, defaults, copying each record as it is. */
async function copy(brokers: string[], input: string, output: string, lines: number, group: string): Promise<Sustained> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 50 });
  let copied = 0;
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [input], fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        // In slices, as one record batch over the broker's 1 MB limit would be refused.
        for (let i = 0; i < batch.messages.length; i += 500) {
          await producer.send({ topic: output, messages: batch.messages.slice(i, i + 500).map((m) => ({ key: m.key, value: m.value })) });
        }
        copied += batch.messages.length;
      },
    });
    return await sustained(lines, () => copied, () => copied >= lines);
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
}

export async function kafkaIngest(opts: KafkaIngestOptions): Promise<KafkaIngestResult> {
  const run = `${Date.now().toString(36)}-${process.pid}`;
  const topics = { in: `logfed-bench-in-${run}`, out: `logfed-bench-out-${run}`, copy: `logfed-bench-copy-${run}`, latIn: `logfed-bench-lat-in-${run}`, latOut: `logfed-bench-lat-out-${run}` };
  const admin = new Kafka({ brokers: opts.brokers, logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`Kafka at ${opts.brokers.join(',')} does not answer (${(err as Error).message}): start it with \`npm run services\``);
  }
  await admin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
  const buses: Bus[] = [];
  const bus = (name: string) => {
    const b = createKafkaBus({ brokers: opts.brokers, clientId: `logfed-bench-${name}-${run}`, maxWaitMs: 50 });
    buses.push(b);
    return b;
  };
  const managers: TaskManager[] = [];
  const task = async (id: string, input: string, output: string, startFrom: 'earliest' | 'latest') => {
    const config = computeConfigSchema.parse({
      rules: { source: 'files', dir: opts.rulesDir, refreshSeconds: 0 },
      tasks: [{ id, topics: [input], rules: opts.ruleRefs, outputTopic: output, tail: false, startFrom, groupId: `logfed-bench-${id}-${run}` }],
    });
    const manager = new TaskManager(config, {
      bus: bus(id),
      store: createFileRuleStore({ dir: opts.rulesDir }),
      compile: { maskSecret: 'bench-secret-0123456789', loadDimension: () => async () => opts.owners },
    });
    managers.push(manager);
    await manager.start();
    const runner = manager.get(id)!;
    if (runner.state !== 'RUNNING') throw new Error(`bench task ${id} did not start: ${runner.lastError}`);
    return runner;
  };
  try {
    // Sustained: everything is on the topic before the task starts, so the task is never idle.
    const producer = bus('producer');
    // Keyed by source file, as a shipper would, so each file's lines stay in order on one partition.
    const keyed = (value: Buffer, i: number): BusMessage => ({ key: `file-${i % 12}`, value });
    let total = 0;
    {
      const messages = opts.lines().map(keyed);
      total = messages.length;
      for (let from = 0; from < messages.length; from += 20_000) {
        const chunk = messages.slice(from, from + 20_000);
        await Promise.all([0, 1, 2, 3].map((q) => producer.produce(topics.in, chunk.slice(q * 5_000, (q + 1) * 5_000))));
      }
    }
    const baseline = await copy(opts.brokers, topics.in, topics.copy, total, `logfed-bench-copy-${run}`);
    const runner = await task('sustained', topics.in, topics.out, 'earliest');
    const rate = await sustained(total, () => runner.counts().records, () => runner.counts().records >= total);
    const events = runner.counts().events;
    await managers[0]!.close();

    // Latency: a steady rate of lines, each carrying its send time, read back from the output topic.
    const latency = await task('latency', topics.latIn, topics.latOut, 'latest');
    const reader = bus('reader');
    const latencies: number[] = [];
    const seen = new Set<string>();
    // Sequence numbers of the measured lines: [from, to).
    const measured = { from: Infinity, to: Infinity };
    const SENT = /sent=(\d+) seq=(\d+)/;
    const sub = await reader.subscribe({
      groupId: `logfed-bench-reader-${run}`,
      topics: [topics.latOut],
      fromBeginning: true,
      eachBatch: async (records) => {
        const now = Date.now();
        for (const r of records) {
          const m = SENT.exec(r.value.toString('utf8', 0, Math.min(r.value.length, 4096)));
          // Each line gives two events (the app line and its enriched copy): count the first.
          if (!m || seen.has(m[2]!)) continue;
          seen.add(m[2]!);
          const seq = Number(m[2]);
          if (seq >= measured.from && seq < measured.to) latencies.push(now - Number(m[1]));
        }
      },
    });
    while ((await latency.health()).assignment.length < 3) await sleep(50);
    while (sub.assignment().length < 3) await sleep(50);
    const starts = opts.sample.filter((l) => l.includes(' --- ['));
    let sent = 0;
    const began = Date.now();
    const until = began + (opts.seconds + 2) * 1000;
    while (Date.now() < until) {
      const second = Math.floor((Date.now() - began) / 1000);
      if (second >= 1 && measured.from === Infinity) measured.from = sent;
      if (second >= opts.seconds + 1 && measured.to === Infinity) measured.to = sent;
      const due = Math.floor(((Date.now() - began) / 1000) * opts.rate) - sent;
      if (due > 0) {
        const now = Date.now();
        const batch = Array.from({ length: due }, (_, j) => keyed(Buffer.concat([starts[(sent + j) % starts.length]!, Buffer.from(` sent=${now} seq=${sent + j}`)]), sent + j));
        await producer.produce(topics.latIn, batch);
        sent += due;
      }
      await sleep(5);
    }
    const sentPerSecond = sent / ((Date.now() - began) / 1000);
    const deadline = Date.now() + 30_000;
    while (latencies.length < measured.to - measured.from && Date.now() < deadline) await sleep(20);
    await sub.stop();
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      ...rate,
      baseline,
      events,
      latency: { count: latencies.length, sentPerSecond, p50: quantileOfSorted(sorted, 0.5), p99: quantileOfSorted(sorted, 0.99), max: sorted.at(-1) ?? NaN },
    };
  } finally {
    for (const m of managers) await m.close();
    for (const b of buses) await b.close();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  }
}
