// `npm run bench -- grep`: counts the lines of a ~1 GB logback file that hold a keyword, with the
// file adapter's scan path and with `grep -F -c` on the same file in the same run, and prints the
// medians and their ratio. The file is generated in a temp dir and deleted at the end.

import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createFileAdapter } from '../adapters/file/index.js';
import { formatLogbackTs } from '../adapters/file/write.js';
import type { Target } from '../src/query/types.js';
import { median } from './_stats.js';

const TARGET_BYTES = Number(process.env.BENCH_GREP_BYTES ?? 1024 ** 3);
const RUNS = Number(process.env.BENCH_GREP_RUNS ?? 5);
const KEYWORD = 'PaymentDeclinedException';
// One line in this many holds the keyword: rare, as the order number or exception one greps for.
const RARE = 500;

const THREADS = ['http-nio-8080-exec-1', 'http-nio-8080-exec-7', 'kafka-consumer-3', 'scheduling-1', 'main'];
const LOGGERS = ['c.e.shop.OrderController-88', 'c.e.shop.CartService-214', 'c.e.pay.PaymentClient-42', 'o.s.w.s.DispatcherServlet-1067', 'c.e.ship.Tracker-19'];
const LEVELS = [' INFO', ' INFO', ' INFO', 'DEBUG', ' WARN', 'ERROR'];

function message(i: number, r: number): string {
  if (i % RARE === 0) return `payment for order ${r % 100000} failed: com.example.pay.${KEYWORD}: card declined by issuer`;
  switch (r % 6) {
    case 0:
      return `order ${r % 100000} created by user_${r % 977} total=${(r % 10000) / 100} EUR items=${r % 7}`;
    case 1:
      return `GET /api/cart/${r % 50000} 200 ${r % 900}ms bytes=${r % 65536}`;
    case 2:
      return `cache hit_ratio=0.${r % 100} for key cart:${r % 50000} region=eu-${r % 3}`;
    case 3:
      return `stock reserved for order ${r % 100000} in warehouse WH-${r % 9}, remaining=${r % 1000}`;
    case 4:
      return `shipment ${r % 100000} dispatched, carrier=DHL tracking=${(r * 2654435761) % 4294967296}`;
    default:
      return `user session ${(r * 40503) % 1000003} refreshed token expiresIn=${r % 3600}s ip=10.0.${r % 256}.${(r >> 8) % 256}`;
  }
}

/** Writes lines block by block with a steady clock; returns the number of keyword lines. */
async function generate(path: string): Promise<number> {
  const out = createWriteStream(path, { highWaterMark: 8 * 1024 * 1024 });
  let ts = Date.UTC(2026, 10, 21, 0, 0, 0);
  let written = 0;
  let hits = 0;
  let i = 0;
  let r = 12345;
  // Formatting a date per line would dominate: format the second once, append the millis.
  let second = -1;
  let secondText = '';
  while (written < TARGET_BYTES) {
    let chunk = '';
    for (let k = 0; k < 20_000; k++, i++) {
      r = (Math.imul(r, 1103515245) + 12345) >>> 0;
      ts += r % 3;
      if (Math.floor(ts / 1000) !== second) {
        second = Math.floor(ts / 1000);
        secondText = formatLogbackTs(ts).slice(0, 19);
      }
      const ms = ts % 1000;
      if (i % RARE === 0) hits++;
      const trace = i % 5 === 0 ? '' : `${(r >>> 4).toString(16)}${(i + 0x10000000).toString(16)}`;
      chunk += `${secondText}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms} ${LEVELS[r % LEVELS.length]} 4242 --- [${THREADS[r % THREADS.length]}] [${trace}] ${LOGGERS[(r >> 3) % LOGGERS.length]} : ${message(i, r)}\n`;
    }
    written += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return hits;
}


function time<T>(fn: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const v = fn();
  return [v, Number(process.hrtime.bigint() - t0) / 1e9];
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = process.hrtime.bigint();
  const v = await fn();
  return [v, Number(process.hrtime.bigint() - t0) / 1e9];
}

const dir = await mkdtemp(join(tmpdir(), 'logfed-bench-grep-'));
try {
  const path = join(dir, 'app.log');
  const [expectedHits, genS] = await timeAsync(() => generate(path));
  const size = (await stat(path)).size;
  console.log(`generated ${(size / 1024 ** 3).toFixed(2)} GiB in ${genS.toFixed(1)} s, ${expectedHits} lines hold "${KEYWORD}"`);

  const adapter = createFileAdapter({ root: dir });
  const target: Target = {
    id: 'bench',
    domain: 'bench',
    env: 'prod',
    logstore: { id: 'bench', domain: 'bench', env: 'prod', layout: 'file', app: 'shop', file: 'app', backend: 'files', location: { path: 'app.log' } },
  };
  const filter = { from: 0, to: Number.MAX_SAFE_INTEGER, keywords: { include: [KEYWORD], exclude: [] } };
  const ours = () => adapter.count({ target, filter, signal: new AbortController().signal });
  const grep = () => Number(execFileSync('grep', ['-F', '-c', KEYWORD, path], { encoding: 'utf8' }).trim());

  // One unmeasured pass each, so both read a warm page cache.
  grep();
  await ours();
  const oursS: number[] = [];
  const grepS: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const [g, gs] = time(grep);
    const [o, os] = await timeAsync(ours);
    if (g !== expectedHits || o !== expectedHits) throw new Error(`counts differ: grep ${g}, ours ${o}, generated ${expectedHits}`);
    grepS.push(gs);
    oursS.push(os);
    console.log(`run ${run + 1}: ours ${os.toFixed(3)} s, grep ${gs.toFixed(3)} s, ${o} lines`);
  }
  const o = median(oursS);
  const g = median(grepS);
  console.log(`median of ${RUNS}: ours ${o.toFixed(3)} s (${(size / 1024 ** 2 / o).toFixed(0)} MiB/s), grep -F -c ${g.toFixed(3)} s (${(size / 1024 ** 2 / g).toFixed(0)} MiB/s)`);
  console.log(`bench grep: ratio=${(o / g).toFixed(2)} ours_s=${o.toFixed(3)} grep_s=${g.toFixed(3)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
