// Runs the embedded demo: lays out an hour of sample logs ending now and hands their events to
// `onPastEvent` (so plugins' trace mappers learn the gateway mappings they hold), then keeps
// appending realistic traffic to the files and producing each raw line to a bus topic, where the
// demo compute task parses, masks and feeds it to the live tail, until stopped.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bus, BusMessage } from '../compute/bus/types.js';
import type { LogEvent } from '../core/event.js';
import { log } from '../observe/logger.js';
import { demoFilePath } from './catalog.js';
import { appendLine, rebaseSamples } from './files.js';
import { parseDemoFile } from './logback.js';
import { createRng } from './random.js';
import { generateRequest } from './scenario.js';

export const SAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'logs');

export interface DemoOptions {
  dir: string;
  linesPerSecond: number;
  /** Where raw lines go, one record per physical line (as a shipper without multi-line joining sends them). */
  bus: Bus;
  topic: string;
  /** Each event of the sample files, once, at start: they are on disk already, not live. */
  onPastEvent(event: LogEvent): void;
  /**
   * Each live event as its line is written: searchable at once, while its way through the bus
   * and the demo task takes a moment (a held multi-line event up to a second).
   */
  onWritten?(event: LogEvent): void;
  now?: () => number;
}

export interface DemoHandle {
  stop(): void;
}

export async function startDemo(opts: DemoOptions): Promise<DemoHandle> {
  const now = opts.now ?? Date.now;
  mkdirSync(opts.dir, { recursive: true });
  await opts.bus.ensureTopics([{ topic: opts.topic }]);
  const texts = rebaseSamples(SAMPLES_DIR, opts.dir, now() - 1_000);
  for (const [rel, text] of texts) for (const event of parseDemoFile(rel, text)) opts.onPastEvent(event);

  const rng = createRng(now() & 0xffffffff);
  let seq = 500_000;
  // About 8 lines per request: pace requests so the configured line rate holds on average.
  const intervalMs = Math.max(10, Math.round(8_000 / opts.linesPerSecond));
  const timer = setInterval(() => {
    try {
      const env = rng.chance(0.85) ? 'prod' : 'pre';
      const req = generateRequest(rng, now(), env, seq++);
      const records: BusMessage[] = [];
      for (const line of req.lines) {
        for (const file of line.files) {
          appendLine(opts.dir, demoFilePath(line.event.domain, line.event.env, line.event.app, file), line.text);
        }
        opts.onWritten?.(line.event);
        records.push(...rawRecords(line.event, line.text));
      }
      opts.bus.produce(opts.topic, records).catch((err) => log.warn({ err, topic: opts.topic }, 'demo: producing raw lines failed'));
    } catch (err) {
      log.warn({ err }, 'demo: generating traffic failed');
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** One record per physical line, keyed by file so each file's lines stay in order on one partition. */
function rawRecords(event: LogEvent, text: string): BusMessage[] {
  const { domain, env, app, file } = event;
  const headers = { domain, env, app, file, ...(event.host ? { host: event.host } : {}) };
  const key = `${domain}/${env}/${app}/${file}`;
  return text.replace(/\n$/, '').split('\n').map((value) => ({ key, value, headers }));
}
