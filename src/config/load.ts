// Loads the configuration: a YAML file (--config FILE or LOGFED_CONFIG), then the environment
// overrides for the three services. No file at all means the embedded default (the demo).

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ZodError } from 'zod';
import { LogfedError } from '../errors/index.js';
import { configSchema, type Config } from './schema.js';
import { demoConfig } from '../demo/config.js';

export interface LoadedConfig {
  config: Config;
  /** Where it came from, for the startup banner: a path, or 'embedded default'. */
  source: string;
}

export function configPathFrom(argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const i = argv.indexOf('--config');
  if (i >= 0) {
    const path = argv[i + 1];
    if (!path || path.startsWith('--')) throw new LogfedError('BAD_CONFIG', '--config needs a file path: --config logfed.yaml');
    return path;
  }
  const eq = argv.find((a) => a.startsWith('--config='));
  if (eq) return eq.slice('--config='.length);
  return env.LOGFED_CONFIG || undefined;
}

export function loadConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const path = configPathFrom(argv, env);
  let raw: unknown;
  let source: string;
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new LogfedError('BAD_CONFIG', `cannot read config file ${path}: ${(err as Error).message}`, { cause: err });
    }
    try {
      raw = parseYaml(text) ?? {};
    } catch (err) {
      throw new LogfedError('BAD_CONFIG', `config file ${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    }
    source = path;
  } else {
    raw = demoConfig();
    source = 'embedded default';
  }
  const config = parseConfig(applyEnvOverrides(raw, env), source);
  return { config: path ? withPluginPathsFrom(dirname(path), config) : config, source };
}

/** Plugin paths and the persisted-query manifest in a config file are relative to that file, wherever the gateway is started. */
function withPluginPathsFrom(dir: string, config: Config): Config {
  const plugins = config.plugins.map((p) => (p.path !== undefined && !isAbsolute(p.path) ? { ...p, path: resolve(dir, p.path) } : p));
  const pq = config.limits.persistedQueries;
  const limits = pq.manifest !== undefined && !isAbsolute(pq.manifest) ? { ...config.limits, persistedQueries: { ...pq, manifest: resolve(dir, pq.manifest) } } : config.limits;
  return { ...config, plugins, limits };
}

export function parseConfig(raw: unknown, source = 'config'): Config {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new LogfedError('BAD_CONFIG', `${source}: expected a YAML mapping at the top level, got ${describe(raw)}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new LogfedError('BAD_CONFIG', formatConfigError(parsed.error, raw, source));
  return parsed.data;
}

function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  if (env.LOGFED_MYSQL_URL) out.mysql = { url: env.LOGFED_MYSQL_URL };
  if (env.LOGFED_REDIS_URL) out.redis = { url: env.LOGFED_REDIS_URL };
  if (env.LOGFED_KAFKA_BROKERS) {
    const prev = (out.kafka ?? {}) as Record<string, unknown>;
    out.kafka = { ...prev, brokers: env.LOGFED_KAFKA_BROKERS.split(',').map((b) => b.trim()).filter(Boolean) };
  }
  if (env.PORT) {
    const port = Number(env.PORT);
    out.server = { ...((out.server ?? {}) as object), port: Number.isInteger(port) ? port : env.PORT };
  }
  return out;
}

/** One line per problem: `server.port: expected number, got "abc"`. */
export function formatConfigError(error: ZodError, raw: unknown, source: string): string {
  const lines = error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(top level)';
    if (issue.code === 'unrecognized_keys') {
      return `${path === '(top level)' ? '' : path + ': '}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    const got = valueAt(raw, issue.path);
    return `${path}: ${issue.message}${got === undefined ? ' (missing)' : `, got ${describe(got)}`}`;
  });
  return `${source} is not valid:\n  ${lines.join('\n  ')}`;
}

function valueAt(raw: unknown, path: readonly (string | number)[]): unknown {
  let cur: unknown = raw;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
