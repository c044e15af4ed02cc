// Warnings about an affinity store that is down. While it is down every query would warn, so
// each kind of warning is logged at most once per interval; the counters say how often it hit.

import { log } from '../observe/logger.js';

const alog = log.child({ component: 'affinity' });
const WARN_EVERY_MS = 10_000;
const last = new Map<string, number>();

/** Returns whether it logged. */
export function warnThrottled(fields: Record<string, unknown>, msg: string, now = Date.now()): boolean {
  if (now - (last.get(msg) ?? -Infinity) < WARN_EVERY_MS) return false;
  last.set(msg, now);
  alog.warn(fields, msg);
  return true;
}
