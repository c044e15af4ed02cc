import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../config/load.js';
import { loadPlugins, resolvePluginPath } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'logfed-plugins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function module(rel: string, text: string): string {
  const path = join(dir, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

module('good/index.mjs', `export default { name: 'good', domains: ['shop'] };`);
module('factory.mjs', `export default (options) => ({ name: 'factory', domains: options.domains ?? ['none'] });`);
module('named.mjs', `export const plugin = { name: 'named', domains: ['pay'] };`);
module('throws.mjs', `throw new Error('boom at import');`);
module('invalid.mjs', `export default { name: 'invalid', domains: ['shop'], hooks: { plan: 42 } };`);
module('empty.mjs', `export const nothing = 1;`);
module('factory-throws.mjs', `export default () => { throw new Error('options.app: expected a string'); };`);
module('twin.mjs', `export default { name: 'good', domains: ['pay'] };`);

const errorOf = async (entries: Parameters<typeof loadPlugins>[0]) => {
  try {
    await loadPlugins(entries, dir);
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
};

describe('loadPlugins', () => {
  it('loads a folder, a file without its extension, a named export and a factory given its options', async () => {
    const loaded = await loadPlugins([{ path: './good' }, { path: 'factory', options: { domains: ['shop', 'pay'] } }, { path: './named.mjs' }], dir);
    expect(loaded.map((l) => [l.plugin.name, l.plugin.domains, l.source])).toEqual([
      ['good', ['shop'], './good'],
      ['factory', ['shop', 'pay'], 'factory'],
      ['named', ['pay'], './named.mjs'],
    ]);
  });

  it('resolves a relative path against the base folder', () => {
    expect(resolvePluginPath('./good', dir)).toBe(join(dir, 'good', 'index.mjs'));
    expect(resolvePluginPath('./nowhere', dir)).toBeUndefined();
  });

  it.each([
    [{ path: './nowhere' }, /^plugins\[0\] \(\.\/nowhere\): no plugin module at .*nowhere/],
    [{ path: './throws.mjs' }, /^plugins\[0\] \(\.\/throws\.mjs\): the module failed to load: boom at import/],
    [{ path: './invalid.mjs' }, /^plugins\[0\] \(\.\/invalid\.mjs\): plugin "invalid" is not valid: hooks\.plan: expected a function/],
    [{ path: './empty.mjs' }, /the module exports no plugin/],
    [{ path: './factory-throws.mjs' }, /\(\.\/factory-throws\.mjs\): the plugin factory threw: options\.app: expected a string/],
    [{ path: './good', options: { a: 1 } }, /options are given but the module exports a plugin/],
    [{ package: 'logfed-plugin-that-is-not-installed' }, /^plugins\[0\] \(package logfed-plugin-that-is-not-installed\): the module failed to load/],
  ])('refuses %j, naming the entry and the problem', async (entry, message) => {
    expect(await errorOf([entry])).toMatch(message);
  });

  it('refuses two plugins of the same name, naming where each came from', async () => {
    expect(await errorOf([{ path: './good' }, { path: './twin.mjs' }])).toBe(
      'plugins "good" from ./good and ./twin.mjs: two plugins have the same name; names must be unique',
    );
  });
});

describe('plugins in config', () => {
  it('takes exactly one of path or package per entry, and nothing else', () => {
    expect(parseConfig({ plugins: [{ path: './p', options: { x: 1 } }, { package: 'logfed-plugin-x' }] }).plugins).toHaveLength(2);
    expect(() => parseConfig({ plugins: [{ path: './p', package: 'x' }] })).toThrow(/plugins\.0: expected exactly one of `path`/);
    expect(() => parseConfig({ plugins: [{ options: {} }] })).toThrow(/plugins\.0: expected exactly one of `path`/);
    expect(() => parseConfig({ plugins: [{ path: './p', opts: {} }] })).toThrow(/plugins\.0: unknown key "opts"/);
  });

  it('reads a plugin path in a config file relative to that file', () => {
    const file = join(dir, 'conf', 'logfed.yaml');
    mkdirSync(join(dir, 'conf'), { recursive: true });
    writeFileSync(file, 'plugins:\n  - path: ../good\n  - package: logfed-plugin-x\n');
    const { config } = loadConfig(['--config', file], {});
    expect(config.plugins).toEqual([{ path: join(dir, 'good') }, { package: 'logfed-plugin-x' }]);
  });
});
