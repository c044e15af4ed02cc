import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFormat } from './formats.js';
import { firstTs, lastTs, seekTs } from './seek.js';
import { logbackLine } from './write.js';

const fmt = createFormat('logback', undefined, 'UTC');
const T0 = Date.UTC(2026, 10, 21);

describe('binary search by time', () => {
  let dir: string;
  let path: string;
  const starts: Array<{ off: number; ts: number }> = [];
  let text = 'orphan line left by rotation\n';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'logfed-seek-'));
    path = join(dir, 'app.log');
    let ts = T0;
    for (let i = 0; i < 3000; i++) {
      ts += [0, 0, 1, 5, 250][i % 5]!;
      // Every 7th event has a stack trace, every 11th a long message: lines of uneven length.
      const message = `event ${i}${i % 7 === 0 ? '\n\tat a.b.C(C.java:1)\n\tat d.e.F(F.java:2)' : ''}${i % 11 === 0 ? ' x'.repeat(300) : ''}`;
      starts.push({ off: Buffer.byteLength(text), ts });
      text += logbackLine({ ts, domain: 'd', env: 'e', app: 'a', file: 'f', level: 'INFO', message });
    }
    await writeFile(path, text);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const linear = (ts: number) => starts.find((s) => s.ts >= ts)?.off ?? Buffer.byteLength(text);

  it('finds the first event at or after a time, as a linear scan would', async () => {
    const fh = await open(path, 'r');
    try {
      const size = (await fh.stat()).size;
      const last = starts[starts.length - 1]!.ts;
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: T0 - 10, max: last + 10 }), fc.constantFrom(256, 512, 4096, 65536), async (ts, probe) => {
          expect(await seekTs(fh, size, fmt, ts, probe)).toBe(linear(ts));
        }),
        { numRuns: 200, seed: 5 },
      );
      // Exactly on tied timestamps: the first of the tie.
      for (const s of starts.slice(0, 40)) expect(await seekTs(fh, size, fmt, s.ts, 256)).toBe(linear(s.ts));
    } finally {
      await fh.close();
    }
  });

  it('reads the first and last timestamps from head and tail', async () => {
    const fh = await open(path, 'r');
    try {
      const size = (await fh.stat()).size;
      expect(await firstTs(fh, size, fmt)).toBe(starts[0]!.ts);
      expect(await lastTs(fh, size, fmt)).toBe(starts[starts.length - 1]!.ts);
    } finally {
      await fh.close();
    }
  });
});
