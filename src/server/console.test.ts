import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { consoleRouter } from './console.js';

const servers: Server[] = [];
const dirs: string[] = [];
afterEach(() => {
  servers.splice(0).forEach((s) => s.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

async function serve(dir: string, after?: (app: express.Express) => void): Promise<string> {
  const app = express();
  app.use(consoleRouter(dir));
  after?.(app);
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function built(): string {
  const dir = mkdtempSync(join(tmpdir(), 'logfed-console-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<title>console</title>');
  writeFileSync(join(dir, 'graphiql.html'), '<title>graphiql</title>');
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'export {}');
  return dir;
}

describe('consoleRouter', () => {
  it('serves the console at / and GraphiQL at /graphiql, fresh each time and confined to this origin', async () => {
    const base = await serve(built());
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('console');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'.*connect-src 'self' ws: wss:/);
    expect(await (await fetch(`${base}/graphiql`)).text()).toContain('graphiql');
  });

  it('lets browsers keep hashed assets and answers 404 for unknown ones', async () => {
    const base = await serve(built());
    const asset = await fetch(`${base}/assets/index-abc.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    expect((await fetch(`${base}/assets/nope.js`)).status).toBe(404);
  });

  it('says how to build the console when it is not built', async () => {
    const base = await serve(join(tmpdir(), 'logfed-console-never-built'));
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:console');
  });

  it('leaves other paths to the routes after it', async () => {
    const base = await serve(built(), (app) => app.get('/graphql', (_req, res) => void res.send('graphql')));
    expect(await (await fetch(`${base}/graphql`)).text()).toBe('graphql');
  });
});
