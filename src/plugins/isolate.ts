// Keeps a plugin's failures its own: errors its resolvers throw become GraphQL errors that name
// the plugin (message and extensions.plugin) on both transports, and a hook that throws, rejects
// or hangs is reported once per interval and counted, so the caller can fall back for that
// plugin's domains alone.

import { GraphQLError, GraphQLScalarType } from 'graphql';
import { isLogfedError } from '../errors/index.js';
import { log } from '../observe/logger.js';
import { counter } from '../observe/metrics.js';

/** extensions.code of an error a plugin threw without a code of its own. */
export const PLUGIN_ERROR = 'PLUGIN_ERROR';
/** A query-path hook that has not answered by then counts as failed. */
export const HOOK_TIMEOUT_MS = 10_000;
const WARN_EVERY_MS = 10_000;

const failures = counter('logfed_plugin_failures_total', 'Errors thrown by plugin resolvers, hooks and trace mappers', ['plugin', 'part']);
const plog = log.child({ component: 'plugins' });
const lastWarned = new Map<string, number>();

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Counts a failure and logs it at most once per interval per plugin and part. */
export function reportFailure(plugin: string, part: string, err: unknown, now = Date.now()): void {
  failures.inc({ plugin, part });
  const key = `${plugin}\u0000${part}`;
  if (now - (lastWarned.get(key) ?? -Infinity) < WARN_EVERY_MS) return;
  lastWarned.set(key, now);
  plog.warn({ err, plugin, part }, 'plugin failed');
}

/** The text a source or log line shows for a failed hook. */
export const failureText = (plugin: string, part: string, err: unknown) => `plugin "${plugin}": ${part} failed: ${messageOf(err)}`;

/**
 * The GraphQL error for something a plugin's resolver threw. An error that already has a code
 * meant for callers (bad input, not found...) keeps it; anything else is PLUGIN_ERROR.
 */
export function pluginError(plugin: string, where: string, err: unknown): GraphQLError {
  const own = err instanceof GraphQLError || isLogfedError(err) ? (err.extensions as Record<string, unknown>) : undefined;
  const code = typeof own?.code === 'string' && own.code !== 'INTERNAL' && own.code !== 'INTERNAL_SERVER_ERROR' ? own.code : PLUGIN_ERROR;
  return new GraphQLError(`plugin "${plugin}" failed in ${where}: ${messageOf(err)}`, {
    originalError: err instanceof Error ? err : undefined,
    extensions: { ...(code === PLUGIN_ERROR ? {} : own), code, plugin },
  });
}

type AnyFn = (...args: unknown[]) => unknown;

function guardFn(plugin: string, where: string, fn: AnyFn): AnyFn {
  const fail = (err: unknown): never => {
    reportFailure(plugin, 'resolver', err);
    throw pluginError(plugin, where, err);
  };
  return function guarded(this: unknown, ...args: unknown[]) {
    let out: unknown;
    try {
      out = fn.apply(this, args);
    } catch (err) {
      return fail(err);
    }
    return out instanceof Promise ? out.catch(fail) : out;
  };
}

/** A subscription's source stream whose errors, at setup or while streaming, name the plugin. */
function guardSubscribe(plugin: string, where: string, subscribe: AnyFn): AnyFn {
  const setup = guardFn(plugin, where, subscribe);
  return async function* (this: unknown, ...args: unknown[]) {
    const stream = (await setup.apply(this, args)) as AsyncIterable<unknown>;
    try {
      yield* stream;
    } catch (err) {
      if (err instanceof GraphQLError && err.extensions.plugin === plugin) throw err;
      reportFailure(plugin, 'resolver', err);
      throw pluginError(plugin, where, err);
    }
  };
}

/** A copy of a plugin's resolver map in which every function is guarded. */
export function isolateResolvers(plugin: string, resolvers: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [type, fields] of Object.entries(resolvers)) {
    if (fields instanceof GraphQLScalarType || typeof fields !== 'object' || fields === null) {
      out[type] = fields;
      continue;
    }
    const guarded: Record<string, unknown> = {};
    for (const [field, r] of Object.entries(fields as Record<string, unknown>)) {
      const where = `${type}.${field}`;
      if (typeof r === 'function') guarded[field] = guardFn(plugin, where, r as AnyFn);
      else if (typeof r === 'object' && r !== null) {
        const o = r as { resolve?: AnyFn; subscribe?: AnyFn };
        guarded[field] = {
          ...o,
          ...(o.resolve ? { resolve: guardFn(plugin, where, o.resolve) } : {}),
          ...(o.subscribe ? { subscribe: guardSubscribe(plugin, where, o.subscribe) } : {}),
        };
      } else guarded[field] = r;
    }
    out[type] = guarded;
  }
  return out;
}

/** Runs a query-path hook; rejects when it throws, rejects, or does not answer in time. */
export function runHook<T>(call: () => T | Promise<T>, what: string, timeoutMs = HOOK_TIMEOUT_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    Promise.resolve()
      .then(call)
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}
