// Runs the adapter contract on real files in a temp dir: each app/file is written as a gzip-rotated
// chain (app.log.2.gz, app.log.1, app.log), in the logback layout and as JSON lines.

import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { LogEvent } from '../../src/core/event.js';
import { defineAdapterContract, type AdapterHarness } from '../../test/adapter-contract/index.js';
import { createFileAdapter } from './index.js';
import { jsonLine, logbackLine } from './write.js';

function fileHarness(format: 'logback' | 'json'): () => Promise<AdapterHarness> {
  const line = format === 'json' ? jsonLine : logbackLine;
  return async () => {
    const root = await mkdtemp(join(tmpdir(), 'logfed-file-contract-'));
    // Small reads so that events straddle chunks and the binary search takes many steps.
    const adapter = createFileAdapter({ root, chunkBytes: 4096, probeBytes: 512 });
    let n = 0;
    const dirOf = (rel: string, e: LogEvent, layout: string) => join(root, rel, layout === 'env' ? e.app : '');
    return {
      adapter,
      async seed(events, opts) {
        const rel = `store-${++n}`;
        const byFile = new Map<string, LogEvent[]>();
        for (const e of events) {
          const path = join(dirOf(rel, e, opts.layout), e.file);
          byFile.set(path, [...(byFile.get(path) ?? []), e]);
        }
        for (const [path, list] of byFile) {
          await mkdir(join(path, '..'), { recursive: true });
          const third = Math.ceil(list.length / 3);
          const text = (xs: LogEvent[]) => xs.map((e) => line(e)).join('');
          await writeFile(`${path}.log.2.gz`, gzipSync(text(list.slice(0, third))));
          await writeFile(`${path}.log.1`, text(list.slice(third, 2 * third)));
          await writeFile(`${path}.log`, text(list.slice(2 * third)));
        }
        const glob = { env: `${rel}/{app}/{file}.log*`, app: `${rel}/{file}.log*`, file: `${rel}/${opts.file}.log*` }[opts.layout];
        return {
          id: rel,
          domain: opts.domain,
          env: opts.env,
          logstore: {
            id: rel,
            domain: opts.domain,
            env: opts.env,
            layout: opts.layout,
            ...(opts.app ? { app: opts.app } : {}),
            ...(opts.file ? { file: opts.file } : {}),
            backend: 'files',
            location: { path: glob, format },
          },
        };
      },
      async append(target, events) {
        for (const e of events) {
          const dir = dirOf(target.logstore.id, e, target.logstore.layout);
          await mkdir(dir, { recursive: true });
          await appendFile(join(dir, `${e.file}.log`), line(e));
        }
      },
      async cleanup() {
        await rm(root, { recursive: true, force: true });
      },
    };
  };
}

defineAdapterContract('file (logback)', fileHarness('logback'));
defineAdapterContract('file (json lines)', fileHarness('json'));
