// Throughput of the template miner alone, on one core: the Loghub datasets' messages repeated
// to 1,000,000 lines through one miner, against a baseline measured in the same run (the
// tokenise-and-mask pass every miner pays before it clusters). `npm run bench -- miner`.

import { existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDatasets } from '../scripts/eval-loghub.js';
import { createMiner } from '../src/miner/index.js';
import { maskWord } from '../src/miner/mask.js';
import { tokenize } from '../src/miner/tokenize.js';
import { measure } from './_stats.js';

const TOTAL = 1_000_000;

// The repository's parent holds shared/, next to the checkout.
const here = dirname(fileURLToPath(import.meta.url));
const dir = process.env.LOGHUB_DIR ?? resolve(here, '..', '..', 'shared', 'data', 'loghub');
if (!existsSync(dir)) {
  console.error(`no Loghub data at ${dir}; set LOGHUB_DIR`);
  process.exit(2);
}
const datasets = readDatasets(dir);
const unique = datasets.flatMap((d) => d.contents);
if (unique.length === 0) {
  console.error(`no <Name>/<Name>_2k.log_structured.csv under ${join(dir)}`);
  process.exit(2);
}
const lines = Array.from({ length: TOTAL }, (_, i) => unique[i % unique.length]!);

// Baseline: tokenise and mask every line, as the miner must, but cluster nothing.
let sink = 0;
const memo = new Map<string, string>();
const baseline = (input: readonly string[]) => () => {
  for (const line of input) {
    for (const w of tokenize(line, 256, 65536).words) sink += maskWord(w, memo).length;
  }
};
const mine = (input: readonly string[]) => () => {
  const miner = createMiner();
  for (const line of input) miner.add(line);
  patterns = miner.stats().patterns;
};
let patterns = 0;

// Warm-up, so that neither side pays for compilation in what is measured.
for (let i = 0; i < 3; i++) {
  baseline(unique)();
  mine(unique)();
}
// Cold: each distinct message once through a fresh miner, so every line is new to it.
const cold = measure(mine(unique));
const coldPatterns = patterns;
const base = measure(baseline(lines));
const full = measure(mine(lines));

const rate = (n: number, s: number) => Math.round(n / s);
const linesPerSecond = rate(TOTAL, full.wall);
const baselinePerSecond = rate(TOTAL, base.wall);
console.log(`datasets: ${datasets.map((d) => d.name).join(', ')} (${unique.length} distinct lines, repeated to ${TOTAL})`);
console.log(`cold pass, each line once: ${rate(unique.length, cold.wall)} lines/s, ${coldPatterns} patterns`);
console.log(`miner: ${full.wall.toFixed(2)} s wall, ${full.cpu.toFixed(2)} s cpu (${rate(TOTAL, full.cpu)} lines per cpu-second)`);
console.log(`baseline (tokenise+mask): ${base.wall.toFixed(2)} s wall, ${base.cpu.toFixed(2)} s cpu (${rate(TOTAL, base.cpu)} lines per cpu-second)`);
console.log(`miner / baseline throughput: ${(linesPerSecond / baselinePerSecond).toFixed(2)}; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores (checksum ${sink % 997})`);
console.log(`bench miner: lines_per_s=${linesPerSecond} patterns=${patterns} baseline_lines_per_s=${baselinePerSecond}`);
