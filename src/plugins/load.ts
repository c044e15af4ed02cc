// Loads the plugins listed in config at start: imports each module (a path, or a package name),
// calls its factory with the entry's options, and checks the definition. Any failure is a
// startup error naming the entry and the problem; a gateway never runs with a plugin missing.

import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { LogfedError } from '../errors/index.js';
import { checkPlugin, PluginDefinitionError, type Plugin } from './define.js';

/** One entry of `plugins:` in config. */
export const pluginEntrySchema = z
  .object({
    /** A module file or folder (index.ts / index.js), relative to the config file. */
    path: z.string().min(1).optional(),
    /** An installed package whose default export is the plugin. */
    package: z.string().min(1).optional(),
    /** Passed to the module's default export when it is a function (options) => plugin. */
    options: z.record(z.unknown()).optional(),
  })
  .strict()
  .refine((e) => (e.path === undefined) !== (e.package === undefined), 'expected exactly one of `path` (a module file or folder) or `package` (a package name)');

export type PluginEntry = z.infer<typeof pluginEntrySchema>;

export interface LoadedPlugin {
  plugin: Plugin;
  /** The config entry it came from, for messages: `./plugins/orders` or `package logfed-plugin-x`. */
  source: string;
}

/** Extensions tried, in order, for a path given without one or for a folder's index. */
const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

export function describeEntry(entry: PluginEntry): string {
  return entry.path ?? `package ${entry.package}`;
}

/** The module file a path entry names: the file itself, `<path>.<ext>`, or `<path>/index.<ext>`. */
export function resolvePluginPath(path: string, baseDir: string): string | undefined {
  const abs = isAbsolute(path) ? path : resolve(baseDir, path);
  const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
  if (isFile(abs)) return abs;
  for (const ext of EXTENSIONS) if (isFile(abs + ext)) return abs + ext;
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    for (const ext of EXTENSIONS) if (isFile(join(abs, `index${ext}`))) return join(abs, `index${ext}`);
  }
  return undefined;
}

/**
 * Loads every entry in order. Relative paths are resolved against `baseDir` (the config file's
 * folder, or the working directory for a config that has no file).
 */
export async function loadPlugins(entries: readonly PluginEntry[], baseDir: string = process.cwd()): Promise<LoadedPlugin[]> {
  const loaded: LoadedPlugin[] = [];
  for (const [i, entry] of entries.entries()) {
    const one = await loadPlugin(entry, baseDir, `plugins[${i}]`);
    const twin = loaded.find((l) => l.plugin.name === one.plugin.name);
    if (twin) {
      throw new LogfedError('BAD_CONFIG', `plugins "${one.plugin.name}" from ${twin.source} and ${one.source}: two plugins have the same name; names must be unique`);
    }
    loaded.push(one);
  }
  return loaded;
}

async function loadPlugin(entry: PluginEntry, baseDir: string, where: string): Promise<LoadedPlugin> {
  const source = describeEntry(entry);
  const fail = (problem: string, cause?: unknown) => new LogfedError('BAD_CONFIG', `${where} (${source}): ${problem}`, { cause });
  let specifier: string;
  if (entry.path !== undefined) {
    const file = resolvePluginPath(entry.path, baseDir);
    if (!file) throw fail(`no plugin module at ${resolve(baseDir, entry.path)} (tried the file, ${EXTENSIONS.join('/')} and index${EXTENSIONS[0]}...)`);
    specifier = pathToFileURL(file).href;
  } else if (entry.package !== undefined) specifier = entry.package;
  else throw fail('expected exactly one of `path` or `package`');

  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (err) {
    throw fail(`the module failed to load: ${(err as Error).message?.split('\n')[0] ?? String(err)}`, err);
  }
  const exported = mod.default ?? mod.plugin;
  if (exported === undefined) throw fail('the module exports no plugin: export default definePlugin({...}) or a function (options) => definePlugin({...})');

  let definition: unknown = exported;
  if (typeof exported === 'function') {
    try {
      definition = await (exported as (o: Record<string, unknown>) => unknown)(entry.options ?? {});
    } catch (err) {
      throw fail(`the plugin factory threw: ${(err as Error).message ?? String(err)}`, err);
    }
  } else if (entry.options !== undefined) {
    throw fail('options are given but the module exports a plugin, not a function (options) => plugin');
  }
  try {
    return { plugin: checkPlugin(definition), source };
  } catch (err) {
    if (err instanceof PluginDefinitionError) throw fail(err.message, err);
    throw err;
  }
}
