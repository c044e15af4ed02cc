import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileGlob, listGlob } from './glob.js';

describe('glob with placeholders', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'logfed-glob-'));
    for (const f of [
      'shop/prod/cart/app.log',
      'shop/prod/cart/app.log.1',
      'shop/prod/cart/app.log.2.gz',
      'shop/prod/cart/error.log',
      'shop/prod/pay/app.log',
      'shop/prod/pay/.hidden.log',
      'shop/prod/pay/notes.txt',
      'shop/daily/cart/app.log',
      'hosts/web-1/cart/cart.log',
      'hosts/web-2/cart/other.log',
      'deep/a/b/c/x.log',
    ]) {
      await mkdir(join(root, f, '..'), { recursive: true });
      await writeFile(join(root, f), 'x\n');
    }
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const list = async (pattern: string) => (await listGlob(root, compileGlob(pattern))).map((m) => [m.rel, m.captures]);

  it('sets app and file from the path, rotated files included', async () => {
    expect(await list('shop/prod/{app}/{file}.log*')).toEqual([
      ['shop/prod/cart/app.log', { app: 'cart', file: 'app' }],
      ['shop/prod/cart/app.log.1', { app: 'cart', file: 'app' }],
      ['shop/prod/cart/app.log.2.gz', { app: 'cart', file: 'app' }],
      ['shop/prod/cart/error.log', { app: 'cart', file: 'error' }],
      ['shop/prod/pay/app.log', { app: 'pay', file: 'app' }],
    ]);
  });

  it('takes alternatives, ** and a placeholder used twice (which must agree)', async () => {
    expect((await list('shop/{prod,daily}/cart/app.log')).map(([rel]) => rel)).toEqual(['shop/daily/cart/app.log', 'shop/prod/cart/app.log']);
    expect((await list('deep/**/*.log')).map(([rel]) => rel)).toEqual(['deep/a/b/c/x.log']);
    expect(await list('hosts/{host}/{app}/{app}.log')).toEqual([['hosts/web-1/cart/cart.log', { host: 'web-1', app: 'cart' }]]);
  });

  it('does not match hidden files with a wildcard, and finds nothing where nothing is', async () => {
    expect((await list('shop/prod/pay/*.log')).map(([rel]) => rel)).toEqual(['shop/prod/pay/app.log']);
    expect(await list('nowhere/{app}/*.log')).toEqual([]);
  });

  it.each([
    ['/var/log/*.log', /absolute/],
    ['../etc/*.log', /climbs out/],
    ['shop/{env}/x.log', /unknown placeholder \{env\}/],
    ['shop/**', /ends with \*\*/],
    ['shop/[ab.log', /unclosed "\["/],
    ['', /empty/],
  ])('refuses %j', (pattern, why) => {
    expect(() => compileGlob(pattern)).toThrow(why);
  });
});
