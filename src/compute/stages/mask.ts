// Fourth stage: replaces sensitive values in an event's message and fields with keyed, consistent
// pseudonyms (`<phone:3fa9c1d2>`, HMAC-SHA256 of the normalised value under a pipeline secret), so
// masked values still group and join but cannot be read back. Runs before anything leaves the core.

import { createHmac } from 'node:crypto';
import type { LogEvent } from '../../core/event.js';
import type { MaskKind, MaskRule } from '../rules/index.js';
import { compileDetector, type Detector } from './detect.js';

export interface MaskOptions {
  secret: string | Buffer;
  /** Hex characters of the HMAC kept in a pseudonym (default 8). */
  hashLength?: number;
}

export interface Masker {
  /**
   * Masks an event in place and returns how many values were replaced. In place because the
   * event comes fresh from parsing and is owned by the pipeline; a copy per event would cost
   * more than the scan.
   */
  (event: LogEvent): number;
  /** Masks only the named fields (`message` for the message), for content added after masking. */
  only(event: LogEvent, fields: readonly string[]): number;
}

const MAX_DEPTH = 8;
/** Field values shorter than this are masked in the field but not searched for in the message. */
const MIN_ECHO_LENGTH = 4;
const CACHE_SIZE = 50_000;

/** HMAC pseudonyms with a bounded cache: the same values (a user's phone) recur often. */
export function pseudonymiser(opts: MaskOptions): (kind: MaskKind | 'field', normalised: string) => string {
  const length = opts.hashLength ?? 8;
  const cache = new Map<string, string>();
  return (kind, normalised) => {
    let hash = cache.get(normalised);
    if (hash === undefined) {
      hash = createHmac('sha256', opts.secret).update(normalised).digest('hex').slice(0, length);
      if (cache.size >= CACHE_SIZE) cache.clear();
      cache.set(normalised, hash);
    }
    return `<${kind}:${hash}>`;
  };
}

/** One masker for every mask rule that applies to a data type (union of kinds and field names). */
export function compileMasker(rules: readonly MaskRule[], opts: MaskOptions): Masker {
  const kinds = new Set<MaskKind>(rules.flatMap((r) => r.detect));
  const named = new Set(rules.flatMap((r) => r.fields.map((f) => f.toLowerCase())));
  const detector = compileDetector(kinds);
  const pseudonym = pseudonymiser(opts);
  let count = 0;
  const replacer = (kind: MaskKind | 'field', normalised: string) => {
    count++;
    return pseudonym(kind, normalised);
  };
  const scan = kinds.size === 0 ? (text: string) => text : (text: string) => detector.replace(text, replacer);
  // Short field values (thread, logger, status) repeat from event to event; their masked form is
  // remembered. Values that held something sensitive are not, so counts stay per event.
  const seen = new Map<string, true>();
  const scanField = (text: string) => {
    if (text.length > 64) return scan(text);
    if (seen.has(text)) return text;
    const before = count;
    const out = scan(text);
    if (count === before && seen.size < 10_000) seen.set(text, true);
    return out;
  };
  // Field names repeat from event to event, so whether a key is named is remembered.
  const namedCache = new Map<string, boolean>();
  const isNamed =
    named.size === 0
      ? () => false
      : (key: string) => {
          let hit = namedCache.get(key);
          if (hit === undefined) {
            hit = named.has(key.toLowerCase());
            if (namedCache.size < 10_000) namedCache.set(key, hit);
          }
          return hit;
        };
  // One walk state per masker, reset per event: masking is synchronous, so it is never shared.
  const w: Walk = { isNamed, scan: scanField, detector, pseudonym: replacer, echoes: [] };

  const masker = ((event: LogEvent) => {
    count = 0;
    w.echoes.length = 0;
    if (event.fields) maskObject(event.fields, 0, w);
    let message = event.message;
    for (const [raw, masked] of w.echoes) if (message.includes(raw)) message = message.split(raw).join(masked);
    event.message = scan(message);
    return count;
  }) as Masker;
  masker.only = (event, names) => {
    count = 0;
    w.echoes.length = 0;
    const fields = event.fields;
    if (fields) {
      for (const name of names) {
        const key = name.startsWith('fields.') ? name.slice(7) : name;
        const masked = maskValue(key, fields[key], 0, w);
        if (masked !== undefined) fields[key] = masked;
      }
    }
    if (names.includes('message')) event.message = scan(event.message);
    return count;
  };
  return masker;
}

interface Walk {
  isNamed: (key: string) => boolean;
  scan: (text: string) => string;
  detector: Detector;
  pseudonym: (kind: MaskKind | 'field', normalised: string) => string;
  /** Raw values of named fields and their pseudonyms, to replace where they recur in the message. */
  echoes: [string, string][];
}

/** The masked form of one value under a key (undefined: leave it as it is). */
function maskValue(key: string | undefined, value: unknown, depth: number, w: Walk): unknown {
  if (value === undefined || value === null) return undefined;
  if (key !== undefined && w.isNamed(key)) return maskWhole(value, w);
  if (typeof value === 'string') return w.scan(value);
  if (typeof value === 'number') {
    // A phone or card stored as a JSON number would slip past a text-only scan.
    if (!Number.isInteger(value) || Math.abs(value) < 1e10) return undefined;
    const text = String(value);
    const masked = w.scan(text);
    return masked === text ? undefined : masked;
  }
  if (typeof value === 'object' && depth < MAX_DEPTH) maskObject(value as Record<string, unknown>, depth + 1, w);
  return undefined;
}

function maskObject(obj: Record<string, unknown> | unknown[], depth: number, w: Walk): void {
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      const masked = maskValue(undefined, obj[i], depth, w);
      if (masked !== undefined) obj[i] = masked;
    }
    return;
  }
  for (const key in obj) {
    if (depth === 0 && key.charCodeAt(0) === 95 /* _ meta */) continue;
    const masked = maskValue(key, obj[key], depth, w);
    if (masked !== undefined) obj[key] = masked;
  }
}

/** A named field's whole value: its detected kind when it is one, else `field`. */
function maskWhole(value: unknown, w: Walk): string {
  const raw = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const hit = w.detector.whole(raw);
  const masked = hit ? w.pseudonym(hit.kind, hit.normalised) : w.pseudonym('field', raw);
  if (raw.length >= MIN_ECHO_LENGTH) w.echoes.push([raw, masked]);
  return masked;
}
