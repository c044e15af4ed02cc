// The location of a file logstore and the adapter's own config, checked when first used: a bad
// glob, format, tsFormat or timezone is reported with the field, what was expected and what came.

import { z } from 'zod';
import { LogfedError } from '../../src/errors/index.js';
import type { Logstore } from '../../src/topology/types.js';
import { createFormat, type EventFormat, type FormatSpec } from './formats.js';
import { compileGlob, type CompiledGlob } from './glob.js';
import { compileTsFormat, compileZone } from './timestamp.js';

export const FileAdapterConfigSchema = z
  .object({
    /** Directory that logstore globs are relative to. */
    root: z.string().min(1).optional(),
    /** The largest single read of a plain file (reads ramp up to it). */
    chunkBytes: z.number().int().min(4096).max(64 * 1024 * 1024).default(4 * 1024 * 1024),
    /** An event (a line with its stack trace) longer than this is cut. */
    maxEventBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(8 * 1024 * 1024),
    /** Bytes read per step of the binary search by time. */
    probeBytes: z.number().int().min(256).max(1024 * 1024).default(16 * 1024),
    /** Files probed (head/tail read) at once when a search starts. */
    probeConcurrency: z.number().int().min(1).max(256).default(16),
  })
  .strict();

export type FileAdapterConfig = z.input<typeof FileAdapterConfigSchema>;

export const FileLocationSchema = z
  .object({
    path: z.string().min(1),
    format: z.union([z.enum(['logback', 'json']), z.object({ regex: z.string().min(1) }).strict()]).default('logback'),
    tsFormat: z.string().min(1).optional(),
    timezone: z.string().min(1).default('UTC'),
  })
  .strict();

export type FileLocation = z.input<typeof FileLocationSchema>;

export interface ResolvedLocation {
  glob: CompiledGlob;
  fmt: EventFormat;
}

/** Formats a zod error as `where.field: message (got …)`, one issue per clause. */
export function describeZodError(err: z.ZodError, where: string, input: unknown): string {
  return err.issues
    .map((i) => {
      const path = [where, ...i.path].join('.');
      let got: unknown = input;
      for (const k of i.path) got = got && typeof got === 'object' ? (got as Record<string | number, unknown>)[k] : undefined;
      const shown = i.code === 'unrecognized_keys' ? i.keys.join(', ') : JSON.stringify(got)?.slice(0, 80);
      return `${path}: ${i.message} (got ${shown})`;
    })
    .join('; ');
}

export function parseAdapterConfig(config: unknown): z.output<typeof FileAdapterConfigSchema> {
  const r = FileAdapterConfigSchema.safeParse(config ?? {});
  if (!r.success) throw new LogfedError('BAD_CONFIG', `file adapter config: ${describeZodError(r.error, 'config', config)}`);
  return r.data;
}

const badLocation = (store: Logstore, msg: string) =>
  new LogfedError('BAD_CONFIG', `logstore ${store.id}: ${msg}`, { details: { logstore: store.id } });

export function resolveLocation(store: Logstore): ResolvedLocation {
  const r = FileLocationSchema.safeParse(store.location);
  if (!r.success) throw badLocation(store, describeZodError(r.error, 'location', store.location));
  const loc = r.data;
  let glob: CompiledGlob;
  try {
    glob = compileGlob(loc.path);
  } catch (err) {
    throw badLocation(store, `location.path: ${(err as Error).message}`);
  }
  // Each part is compiled on its own first, so the error names the field that is wrong.
  const attempt = <T>(field: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw badLocation(store, `location.${field}: ${(err as Error).message}`);
    }
  };
  attempt('timezone', () => compileZone(loc.timezone));
  if (loc.tsFormat) attempt('tsFormat', () => compileTsFormat(loc.tsFormat!, 'UTC'));
  const fmt = attempt(typeof loc.format === 'object' ? 'format.regex' : 'format', () => createFormat(loc.format as FormatSpec, loc.tsFormat, loc.timezone));
  return { glob, fmt };
}

/** Resolved locations by logstore, rebuilt when the location object changes. */
export class LocationCache {
  private readonly map = new Map<string, { json: string; loc: ResolvedLocation }>();

  get(store: Logstore): ResolvedLocation {
    const json = JSON.stringify(store.location);
    const hit = this.map.get(store.id);
    if (hit && hit.json === json) return hit.loc;
    const loc = resolveLocation(store);
    if (this.map.size > 10_000) this.map.clear();
    this.map.set(store.id, { json, loc });
    return loc;
  }
}
