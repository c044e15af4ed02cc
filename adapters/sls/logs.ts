// Reads SLS log records (GetLogs returns each as a flat map of keys to values, with __time__ in
// seconds and, where the writer gave one, __time_ns_part__) into events, and gives each the key
// that orders it: (ms, hash of the record, occurrence among identical records of that ms).

import { normaliseLevel, type LogEvent } from '../../src/core/event.js';
import type { Target } from '../../src/query/types.js';
import { tieHash } from '../_http/order.js';
import type { SlsFields } from './config.js';

export type SlsLog = Record<string, unknown>;

export function logTs(log: SlsLog): number {
  const s = Number(log.__time__);
  const ns = Number(log.__time_ns_part__ ?? 0);
  if (!Number.isFinite(s)) return NaN;
  return s * 1000 + (Number.isFinite(ns) ? Math.floor(ns / 1_000_000) : 0);
}

/** A digest of every key and value: identical records share it, and only they. */
export function recordHash(log: SlsLog): string {
  return tieHash(JSON.stringify(Object.keys(log).sort().map((k) => [k, log[k]])));
}

export function toEvent(log: SlsLog, target: Target, fields: SlsFields): LogEvent {
  const get = (k: string) => {
    const v = log[k];
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const level = normaliseLevel(get(fields.level));
  const host = get(fields.host);
  const traceId = get(fields.traceId);
  return {
    ts: logTs(log),
    domain: target.domain,
    env: target.env,
    app: get(fields.app) ?? target.logstore.app ?? '',
    file: get(fields.file) ?? target.logstore.file ?? '',
    ...(host ? { host } : {}),
    ...(level ? { level } : {}),
    ...(traceId ? { traceId } : {}),
    message: get(fields.message) ?? '',
  };
}
