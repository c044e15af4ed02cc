// The process as a user runs it: `npm start`'s entry point serves, exits cleanly on SIGTERM
// (subscriptions closed with 1001, exit 0 within 5 s), and refuses bad input with one line.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const ENTRY = ['--import', 'tsx', 'src/main.ts'];

function run(args: string[], env: Record<string, string> = {}): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [...ENTRY, ...args], {
    env: { ...process.env, LOGFED_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}

async function waitFor(pred: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the gateway process', () => {
  it('serves the demo, then on SIGTERM closes subscriptions with 1001 and exits 0 within 5 s', async () => {
    const p = run([], { PORT: '0' });
    await waitFor(() => /serving GraphQL at (\S+)/.test(p.out()), 'the startup banner');
    const url = /serving GraphQL at (\S+)/.exec(p.out())![1]!;
    expect(p.out()).toContain('in memory');

    const ws = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    const firstEvent = new Promise<void>((resolve) =>
      ws.on('message', (raw) => {
        const msg = JSON.parse(String(raw));
        if (msg.type === 'connection_ack') {
          ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { tail(filter: {}) { message } }' } }));
        }
        if (msg.type === 'next') resolve();
      }),
    );
    await new Promise((r) => ws.on('open', r));
    ws.send(JSON.stringify({ type: 'connection_init' }));
    await firstEvent;

    const t0 = Date.now();
    p.child.kill('SIGTERM');
    const code = await p.exit;
    const elapsed = Date.now() - t0;
    expect(code).toBe(0);
    expect(await closed).toBe(1001);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('names the field of a malformed config and exits non-zero without a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logfed-cfg-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'server:\n  port: "abc"\n  colour: blue\n');
    const p = run(['--config', file]);
    expect(await p.exit).toBe(1);
    expect(p.err()).toContain('server.port');
    expect(p.err()).toContain('"abc"');
    expect(p.err()).toContain('"colour"');
    expect(p.err()).not.toMatch(/^\s+at /m);
  });

  it('says the port is in use and how to fix it', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'logfed-cfg-'));
    const file = join(dir, 'cfg.yaml');
    writeFileSync(file, `server:\n  port: ${port}\n  host: 127.0.0.1\n`);
    const p = run(['--config', file]);
    expect(await p.exit).toBe(1);
    blocker.close();
    expect(p.err()).toContain(`port ${port}`);
    expect(p.err()).toContain('already in use');
  });

  it('refuses to start when a configured service is unreachable, naming it and the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logfed-cfg-'));
    const file = join(dir, 'cfg.yaml');
    writeFileSync(file, 'server:\n  port: 0\nredis:\n  url: redis://127.0.0.1:1\n');
    const p = run(['--config', file]);
    expect(await p.exit).toBe(1);
    expect(p.err()).toContain('Redis at redis://127.0.0.1:1');
    expect(p.err()).toContain('npm run services');
  });
});
