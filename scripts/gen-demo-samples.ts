// Regenerates the demo's shipped sample logs under examples/logs: one hour of traffic from a
// fixed seed and a fixed start time, so the files are reproducible. Run: npx tsx scripts/gen-demo-samples.ts

import { rmSync } from 'node:fs';
import { demoFilePath } from '../src/demo/catalog.js';
import { appendLine } from '../src/demo/files.js';
import { createRng } from '../src/demo/random.js';
import { SAMPLES_DIR } from '../src/demo/run.js';
import { generateRequest } from '../src/demo/scenario.js';

const start = Date.parse('2026-01-15T09:00:00.000Z');
const rng = createRng(20260115);
rmSync(SAMPLES_DIR, { recursive: true, force: true });
let lines = 0;
for (let i = 0, t = start; t < start + 3_600_000; i++, t += rng.int(800, 2600)) {
  const req = generateRequest(rng, t, rng.chance(0.85) ? 'prod' : 'pre', i);
  for (const line of req.lines) {
    for (const file of line.files) appendLine(SAMPLES_DIR, demoFilePath(line.event.domain, line.event.env, line.event.app, file), line.text);
    lines++;
  }
}
console.log(`wrote ${lines} events to ${SAMPLES_DIR}`);
