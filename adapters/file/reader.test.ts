import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFormat } from './formats.js';
import { backwardBlocks, forwardBlocks, gzipBlocks, type ReadOptions } from './reader.js';
import { eventText, scanBlock, type Block, type Prefilter } from './scan.js';
import { logbackLine } from './write.js';

const fmt = createFormat('logback', undefined, 'UTC');
const T0 = Date.UTC(2026, 10, 21);

// Events whose messages have continuation lines of every awkward kind: stack frames, lines that
// start with digits, blank lines, long lines.
const eventArb = fc.record({
  first: fc.constantFrom('order 1001 created', 'boom', 'x', 'payment declined: 100%', '订单 已创建', 'retry at 2026-11-21 10:15:02.123 then'),
  rest: fc.array(fc.constantFrom('\tat c.e.X.run(X.java:42)', '2 retries left', '', 'at 2026-11-21 10:15:02.123 x', 'Caused by: java.io.IOException: reset', 'y'.repeat(700)), { maxLength: 4 }),
});

function render(events: Array<{ first: string; rest: string[] }>): { text: string; messages: string[] } {
  const messages = events.map((e) => [e.first, ...e.rest].join('\n'));
  const text = messages.map((message, i) => logbackLine({ ts: T0 + i, domain: 'd', env: 'e', app: 'a', file: 'f', level: 'INFO', message })).join('');
  return { text, messages };
}

async function collect(blocks: AsyncIterable<Block> | Iterable<Block>, pre: Prefilter = { others: [] }): Promise<Array<{ off: number; message: string }>> {
  const out: Array<{ off: number; message: string }> = [];
  for await (const b of blocks) {
    const inBlock: Array<{ off: number; message: string }> = [];
    scanBlock(b, fmt, pre, (s, e) => void inBlock.push({ off: b.base + s, message: fmt.parse(eventText(b.buf, s, e))!.message }));
    out.push(...inBlock);
  }
  return out;
}

describe('reading whole events across chunk boundaries', () => {
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'logfed-reader-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const opts = (chunkBytes: number): ReadOptions => ({ chunkBytes, firstChunkBytes: chunkBytes, maxEventBytes: 1 << 20, signal: new AbortController().signal });

  it('forward, gzip and backward reads give every event once, whole, whatever the chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { minLength: 1, maxLength: 40 }), fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 41, max: 600 })), async (events, chunk) => {
        const { text, messages } = render(events);
        const path = join(dir, `f${++n}.log`);
        await writeFile(path, text);
        await writeFile(`${path}.gz`, gzipSync(text));
        const size = Buffer.byteLength(text);
        const fh = await open(path, 'r');
        try {
          const forward = await collect(forwardBlocks(fh, 0, size, fmt, opts(chunk)));
          expect(forward.map((x) => x.message)).toEqual(messages);
          const gz = await collect(gzipBlocks(`${path}.gz`, fmt, opts(chunk)));
          expect(gz).toEqual(forward);
          const backward: Array<{ off: number; message: string }> = [];
          for await (const b of backwardBlocks(fh, 0, size, fmt, opts(chunk))) backward.unshift(...(await collect([b])));
          expect(backward).toEqual(forward);
          // Jumping between keyword hits finds exactly the events that hold the keyword.
          const hits = await collect(forwardBlocks(fh, 0, size, fmt, opts(chunk)), { anchor: Buffer.from('retries'), others: [] });
          expect(hits).toEqual(forward.filter((x) => x.message.includes('retries')));
        } finally {
          await fh.close();
        }
      }),
      { numRuns: 100, seed: 3 },
    );
  });

  it('skips the orphan tail of an event cut by rotation', async () => {
    const path = join(dir, 'orphan.log');
    const { text } = render([{ first: 'kept', rest: [] }]);
    await writeFile(path, `\tat orphan.Frame(F.java:1)\nno timestamp here\n${text}`);
    const fh = await open(path, 'r');
    try {
      const size = (await fh.stat()).size;
      expect((await collect(forwardBlocks(fh, 0, size, fmt, opts(16)))).map((x) => x.message)).toEqual(['kept']);
    } finally {
      await fh.close();
    }
  });
});
