// Masking on read: the fields a logstore marks sensitive (`sensitiveFields`) leave the gateway as
// keyed pseudonyms (`<field:3fa9c1d2>`, the compute core's mask stage under the gateway's secret),
// in `fields` and wherever the raw value recurs in the message, and `name=value` / `"name":"value"`
// in the message is masked even when the parser did not lift the field. Entries `@email`,
// `@phone`, `@idCard`, `@token`, `@card` mask those kinds wherever they are detected. The same value always
// masks the same way, so masked values still group and join.

import { randomBytes } from 'node:crypto';
import type { LogEvent } from '../core/event.js';
import type { MaskRule } from '../compute/rules/index.js';
import { compileMasker, pseudonymiser, type Masker } from '../compute/stages/mask.js';
import type { Logstore } from '../topology/types.js';

export interface ReadMasker {
  /** A masked copy of the event; the event itself when `fields` is empty. */
  mask(event: LogEvent, fields: readonly string[]): LogEvent;
}

const MAX_CACHED_MASKERS = 256;

export function createReadMasker(secret: string | Buffer = randomBytes(32)): ReadMasker {
  const maskers = new Map<string, { whole: Masker; inMessage: (text: string) => string }>();
  const pseudonym = pseudonymiser({ secret });
  const forFields = (names: readonly string[]) => {
    const key = [...names].sort().join('\u0000');
    let m = maskers.get(key);
    if (!m) {
      // `@email`, `@phone`, ... name detected kinds, masked wherever they occur in the text.
      const detect = names.filter((n) => n.startsWith('@')).map((n) => n.slice(1));
      const leaf = names.filter((n) => !n.startsWith('@')).map((n) => n.replace(/^fields\./, '').split('.').at(-1)!).filter(Boolean);
      const rule = { detect, fields: leaf } as unknown as MaskRule;
      m = { whole: compileMasker([rule], { secret }), inMessage: assignmentMasker(leaf, (v) => pseudonym('field', v)) };
      if (maskers.size >= MAX_CACHED_MASKERS) maskers.clear();
      maskers.set(key, m);
    }
    return m;
  };
  return {
    mask(event, fields) {
      if (fields.length === 0) return event;
      const m = forFields(fields);
      const copy: LogEvent = { ...event, fields: event.fields ? structuredClone(event.fields) : undefined };
      m.whole(copy);
      copy.message = m.inMessage(copy.message);
      return copy;
    },
  };
}

/** `name=value`, `name: value`, `"name":"value"` in free text, for each sensitive name. */
function assignmentMasker(names: readonly string[], replace: (value: string) => string): (text: string) => string {
  if (names.length === 0) return (t) => t;
  const alternatives = [...new Set(names)].map((n) => n.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|');
  // Bounded runs and no nested quantifiers: linear in the text.
  const re = new RegExp(`(?<![A-Za-z0-9_])((?:${alternatives})"?[ \\t]{0,4}[=:][ \\t]{0,4}"?)([^\\s"',;&}\\]<>]{1,256})`, 'gi');
  return (text) =>
    text.replace(re, (whole, lead: string, value: string) => (/^<field:[0-9a-f]+>$/.test(value) ? whole : lead + replace(value)));
}

/**
 * The sensitive fields that apply to an event: those of every logstore that may hold it (same
 * domain and env, and the same app and file for the layouts keyed by them).
 */
export function sensitiveFieldsFor(stores: readonly Logstore[], event: Pick<LogEvent, 'domain' | 'env' | 'app' | 'file'>): string[] {
  const out = new Set<string>();
  for (const s of stores) {
    if (!s.sensitiveFields?.length || s.domain !== event.domain || s.env !== event.env) continue;
    if (s.layout !== 'env' && s.app !== event.app) continue;
    if (s.layout === 'file' && s.file !== event.file) continue;
    for (const f of s.sensitiveFields) out.add(f);
  }
  return [...out];
}
