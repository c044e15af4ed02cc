import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../src/query/types.js';
import type { Layout } from '../../src/topology/types.js';
import { createFileAdapter } from './index.js';
import { logbackLine } from './write.js';

const T0 = Date.UTC(2026, 10, 21, 10);
const line = (i: number, message: string, app = 'cart') => logbackLine({ ts: T0 + i * 1000, domain: 'd', env: 'e', app, file: 'f', level: 'INFO', message });

function target(location: Record<string, unknown>, layout: Layout = 'env', extra: Partial<Target> = {}): Target {
  return { id: 't', domain: 'shop', env: 'prod', logstore: { id: 'store-1', domain: 'shop', env: 'prod', layout, backend: 'files', location }, ...extra };
}

const all = { from: 0, to: Number.MAX_SAFE_INTEGER, keywords: { include: [], exclude: [] } };
const signal = () => new AbortController().signal;

describe('file adapter', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'logfed-file-'));
    await mkdir(join(root, 'hosts/web-1'), { recursive: true });
    await mkdir(join(root, 'hosts/web-2'), { recursive: true });
    await writeFile(join(root, 'hosts/web-1/app.log.1.gz'), gzipSync(line(0, 'first') + line(1, 'second')));
    await writeFile(join(root, 'hosts/web-1/app.log'), line(2, 'third') + line(5, 'sixth'));
    await writeFile(join(root, 'hosts/web-2/app.log'), line(3, 'fourth') + line(4, 'fifth'));
    await writeFile(join(root, 'custom.log'), '[21/11/2026 10:00:07] ERROR boom\n[21/11/2026 10:00:08] INFO fine\n');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('reads host from the path and merges hosts and rotated files by time', async () => {
    const adapter = createFileAdapter({ root });
    const page = await adapter.search({ target: target({ path: 'hosts/{host}/app.log*' }), filter: all, order: 'asc', limit: 10, signal: signal() });
    expect(page.hits.map((h) => [h.event.message, h.event.host])).toEqual([
      ['first', 'web-1'],
      ['second', 'web-1'],
      ['third', 'web-1'],
      ['fourth', 'web-2'],
      ['fifth', 'web-2'],
      ['sixth', 'web-1'],
    ]);
    expect(page.done).toBe(true);
  });

  it('reports time bounds from first and last lines, gzip included', async () => {
    const adapter = createFileAdapter({ root });
    expect(await adapter.timeBounds!(target({ path: 'hosts/*/app.log*' }).logstore, signal())).toEqual({ minTs: T0, maxTs: T0 + 5000 });
    expect(await adapter.timeBounds!(target({ path: 'hosts/*/app.log.*.gz' }).logstore, signal())).toEqual({ minTs: T0, maxTs: T0 + 1000 });
    expect(await adapter.timeBounds!(target({ path: 'nothing/*.log' }).logstore, signal())).toEqual({ minTs: undefined, maxTs: undefined });
  });

  it('counts matches with the search path', async () => {
    const adapter = createFileAdapter({ root });
    const t = target({ path: 'hosts/{host}/app.log*' });
    expect(await adapter.count({ target: t, filter: { ...all, keywords: { include: ['th'], exclude: [] } }, signal: signal() })).toBe(4);
    expect(await adapter.count({ target: t, filter: { ...all, keywords: { include: ['th'], exclude: ['four'] }, regex: '^s' }, signal: signal() })).toBe(1);
  });

  it('reads a regex format with its own timestamp pattern', async () => {
    const adapter = createFileAdapter({ root });
    const location = { path: 'custom.log', format: { regex: '^\\[(?<ts>[^\\]]+)\\] (?<level>\\w+) (?<message>.*)$' }, tsFormat: 'dd/MM/yyyy HH:mm:ss', timezone: '+08:00' };
    const page = await adapter.search({ target: target(location, 'file', {}), filter: { ...all, levels: ['error'] }, order: 'desc', limit: 5, signal: signal() });
    expect(page.hits.map((h) => [h.event.ts, h.event.level, h.event.message])).toEqual([[Date.UTC(2026, 10, 21, 2, 0, 7), 'ERROR', 'boom']]);
  });

  it('names the field, the expectation and what came for bad config and locations', async () => {
    expect(() => createFileAdapter({ root, chunkBytes: 10 })).toThrow(/config\.chunkBytes: .*4096.*\(got 10\)/);
    expect(() => createFileAdapter({ root, colour: 'red' } as never)).toThrow(/Unrecognized key.*colour/);
    const adapter = createFileAdapter({ root });
    const fail = (location: Record<string, unknown>) =>
      adapter.search({ target: target(location), filter: all, order: 'desc', limit: 1, signal: signal() }).catch((e: unknown) => e as Error);
    expect(await fail({ path: 42 })).toMatchObject({ code: 'BAD_CONFIG', message: expect.stringMatching(/store-1: location\.path: Expected string, received number \(got 42\)/) });
    expect(await fail({ path: '../x/*.log' })).toMatchObject({ code: 'BAD_CONFIG', message: expect.stringMatching(/location\.path: .*climbs out/) });
    expect(await fail({ path: 'x.log', format: 'xml' })).toMatchObject({ message: expect.stringMatching(/location\.format: .*\(got "xml"\)/) });
    expect(await fail({ path: 'x.log', timezone: 'Moon/Base' })).toMatchObject({ message: expect.stringMatching(/location\.timezone: unknown timezone "Moon\/Base"/) });
    expect(await fail({ path: 'x.log', tsFormat: 'yy' })).toMatchObject({ message: expect.stringMatching(/location\.tsFormat: "yy" is not supported/) });
    expect(await fail({ path: 'x.log', format: { regex: '(' } })).toMatchObject({ message: expect.stringMatching(/location\.format\.regex: /) });
    expect(await fail({ path: 'x.log', glob: 'x' })).toMatchObject({ message: expect.stringMatching(/Unrecognized key.*glob/) });
  });
});
