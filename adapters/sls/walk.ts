// Walks SLS GetLogs pages over a time range in the requested order. SLS ranges and orders by
// whole seconds ([from, to) in seconds, offset and line ≤ 100 to page), so the logs of each
// second are gathered whole, sorted in process by (ms, record hash, occurrence) and cut to the
// exact millisecond range; a position inside a second resumes at that second and skips what
// the key says was already seen.

import type { Order } from '../../src/query/types.js';
import { orderedKeys, type KeyPart } from '../_http/order.js';
import { logTs, recordHash, type SlsLog } from './logs.js';

export const MAX_LINES = 100;

export type LogKey = [number, string, number];

export interface WalkOptions {
  order: Order;
  fromMs: number;
  toMs: number;
  after?: LogKey;
  need: number;
  fetch(fromSec: number, toSec: number, offset: number, line: number, reverse: boolean): Promise<SlsLog[]>;
  /** Takes a log in order; returns whether it counted towards `need`. */
  take(log: SlsLog, key: LogKey): boolean;
}

/** Keys of the logs of one second, in key order: identical records get occurrences 0, 1, ... */
export function keyed(logs: SlsLog[]): Array<{ log: SlsLog; key: LogKey }> {
  const rows = logs.map((log) => ({ log, ts: logTs(log), h: recordHash(log) })).sort((a, b) => a.ts - b.ts || (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
  const out: Array<{ log: SlsLog; key: LogKey }> = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const prev = out[i - 1]?.key;
    const n = prev && prev[0] === r.ts && prev[1] === r.h ? prev[2] + 1 : 0;
    out.push({ log: r.log, key: [r.ts, r.h, n] });
  }
  return out;
}

export async function walk(o: WalkOptions): Promise<void> {
  const asc = o.order === 'asc';
  const cmp = orderedKeys(o.order);
  let fromSec = Math.floor(o.fromMs / 1000);
  let toSec = Math.ceil(o.toMs / 1000);
  if (o.after) {
    const sec = Math.floor(o.after[0] / 1000);
    if (asc) fromSec = Math.max(fromSec, sec);
    else toSec = Math.min(toSec, sec + 1);
  }
  if (fromSec >= toSec) return;
  let taken = 0;
  let pending: SlsLog[] = [];
  let second: number | undefined;

  /** Hands over one whole second; true once enough was taken. */
  const flush = (): boolean => {
    const rows = keyed(pending);
    pending = [];
    if (!asc) rows.reverse();
    for (const { log, key } of rows) {
      if (key[0] < o.fromMs || key[0] >= o.toMs || !Number.isFinite(key[0])) continue;
      if (o.after && cmp(key, o.after as KeyPart[]) <= 0) continue;
      if (o.take(log, key) && ++taken >= o.need) return true;
    }
    return false;
  };

  for (let offset = 0; ; ) {
    const logs = await o.fetch(fromSec, toSec, offset, MAX_LINES, !asc);
    offset += logs.length;
    for (const log of logs) {
      const sec = Math.floor(Number(log.__time__));
      if (second !== undefined && sec !== second && flush()) return;
      second = sec;
      pending.push(log);
    }
    if (logs.length < MAX_LINES) {
      flush();
      return;
    }
  }
}
