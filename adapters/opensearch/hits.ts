// Reads one `_search` hit into a LogEvent: the timestamp from the sort value (epoch ms whatever
// the field's format), the rest from _source by configured path, whether the document nests
// objects ({"log": {"level": ...}}) or uses dotted keys ({"log.level": ...}).

import { normaliseLevel, type LogEvent } from '../../src/core/event.js';
import type { Target } from '../../src/query/types.js';
import type { ResolvedFields } from './config.js';
import type { SortValue } from './query.js';

export interface RawHit {
  _id: string;
  _index?: string;
  _source?: Record<string, unknown>;
  sort?: SortValue[];
}

/** The value at a dotted path, trying the flat key first, then nested objects. A `.keyword` sub-field reads its parent. */
export function valueAt(source: Record<string, unknown> | undefined, path: string): unknown {
  if (!source) return undefined;
  const p = path.replace(/\.keyword$/, '');
  if (p in source) return source[p];
  const dot = p.indexOf('.');
  if (dot < 0) return undefined;
  // Try every split point: {"log": {"file.path": ...}} and {"log.file": {"path": ...}} both occur.
  for (let i = dot; i >= 0; i = p.indexOf('.', i + 1)) {
    const head = source[p.slice(0, i)];
    if (head && typeof head === 'object' && !Array.isArray(head)) {
      const v = valueAt(head as Record<string, unknown>, p.slice(i + 1));
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

function text(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return v.length ? text(v[0]) : undefined;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function toEvent(hit: RawHit, target: Target, fields: ResolvedFields): LogEvent {
  const src = hit._source;
  const host = text(valueAt(src, fields.host));
  const level = normaliseLevel(text(valueAt(src, fields.level)));
  const traceId = text(valueAt(src, fields.traceId));
  return {
    ts: Number(hit.sort?.[0]),
    domain: target.domain,
    env: target.env,
    app: text(valueAt(src, fields.app)) ?? target.logstore.app ?? '',
    file: text(valueAt(src, fields.file)) ?? target.logstore.file ?? '',
    ...(host ? { host } : {}),
    ...(level ? { level } : {}),
    ...(traceId ? { traceId } : {}),
    message: text(valueAt(src, fields.message)) ?? '',
  };
}
