// Checks topology input before any store keeps it: admin mutations, seeds and structure
// back-fill all pass through here, so both stores accept and refuse exactly the same things.
// Each check returns a clean copy (absent optionals omitted) so values round-trip exactly.

import { LogfedError, badInput } from '../errors/index.js';
import type { App, Domain, GatewayMapping, Layout, Logstore } from './types.js';
import { MASK_KINDS } from '../compute/rules/mask-rule.js';

export const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const NAME_RULE = `a name matching ${NAME_RE.source} (lowercase letters, digits, '.', '_', '-'; 1 to 64 characters)`;
export const LOGSTORE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const ID_RULE = `an id matching ${LOGSTORE_ID_RE.source}`;
// Trace ids come from many tracing systems; only whitespace and control characters are ruled out.
export const TRACE_ID_RE = /^[\x21-\x7e]{1,128}$/;
const TRACE_RULE = 'a trace id of 1 to 128 printable ASCII characters without spaces';
export const LAYOUTS: readonly Layout[] = ['env', 'app', 'file'];

/** True when `value` could be a stored name; lookups short-circuit on anything else. */
export const isName = (value: unknown): value is string => typeof value === 'string' && NAME_RE.test(value);
export const isLogstoreId = (value: unknown): value is string => typeof value === 'string' && LOGSTORE_ID_RE.test(value);
export const isTraceId = (value: unknown): value is string => typeof value === 'string' && TRACE_ID_RE.test(value);

/** Echoes what came in a message, short enough to read. */
export function show(value: unknown): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else if (typeof value === 'number' || typeof value === 'bigint') text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function invalid(field: string, expected: string, got: unknown): LogfedError {
  return badInput(`${field}: expected ${expected}, got ${show(got)}`, { field, expected, got: show(got) });
}

export function conflict(message: string, details?: Record<string, unknown>): LogfedError {
  return new LogfedError('CONFLICT', message, { details });
}

export function unknownDomain(field: string, domain: string): LogfedError {
  return badInput(`${field}: domain ${show(domain)} does not exist; create it first`, { field, domain });
}

type Input = Record<string, unknown>;

/** Rejects non-objects and unknown keys; a known key may be present with undefined or null. */
function record(what: string, input: unknown, keys: readonly string[]): Input {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid(what, 'an object', input);
  }
  for (const key of Object.keys(input)) {
    if (!keys.includes(key)) {
      throw badInput(`${what}.${key}: unknown key; expected only ${keys.join(', ')}`, { field: `${what}.${key}` });
    }
  }
  return input as Input;
}

// GraphQL hands absent nullable inputs over as null; both mean "not set".
const absent = (value: unknown): value is null | undefined => value === undefined || value === null;

export function validateName(field: string, value: unknown): string {
  if (!isName(value)) throw invalid(field, NAME_RULE, value);
  return value;
}

function validateTraceId(field: string, value: unknown): string {
  if (!isTraceId(value)) throw invalid(field, TRACE_RULE, value);
  return value;
}

function optionalString(field: string, value: unknown, max: number): string | undefined {
  if (absent(value)) return undefined;
  if (typeof value !== 'string' || value.length > max) throw invalid(field, `a string of at most ${max} characters`, value);
  return value;
}

function optionalEpochMs(field: string, value: unknown): number | undefined {
  if (absent(value)) return undefined;
  if (!Number.isSafeInteger(value)) throw invalid(field, 'an integer number of epoch milliseconds', value);
  return value as number;
}

export function validateDomain(input: unknown): Domain {
  const raw = record('domain', input, ['name', 'description']);
  const domain: Domain = { name: validateName('domain.name', raw.name) };
  const description = optionalString('domain.description', raw.description, 1000);
  if (description !== undefined) domain.description = description;
  return domain;
}

/** Location is stored as JSON, so anything JSON would change or drop is refused here. */
function checkJson(field: string, value: unknown, depth = 0): void {
  if (depth > 32) throw invalid(field, 'JSON nested at most 32 levels deep', value);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(field, 'a finite number', value);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkJson(`${field}[${i}]`, item, depth + 1));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) checkJson(`${field}.${key}`, item, depth + 1);
    return;
  }
  throw invalid(field, 'a JSON value (string, number, boolean, null, array or plain object)', value);
}

const LOGSTORE_KEYS = [
  'id', 'domain', 'layout', 'env', 'app', 'file', 'backend', 'location', 'minTs', 'maxTs', 'active', 'sensitiveFields',
] as const;

export function validateLogstore(input: unknown): Logstore {
  const raw = record('logstore', input, LOGSTORE_KEYS);
  if (!isLogstoreId(raw.id)) throw invalid('logstore.id', ID_RULE, raw.id);
  const domain = validateName('logstore.domain', raw.domain);
  if (!LAYOUTS.includes(raw.layout as Layout)) throw invalid('logstore.layout', `one of ${LAYOUTS.join(', ')}`, raw.layout);
  const layout = raw.layout as Layout;
  const env = validateName('logstore.env', raw.env);

  if (layout === 'env' && !absent(raw.app)) {
    throw invalid('logstore.app', 'no app for the env layout (apps are filters inside an env logstore)', raw.app);
  }
  if (layout !== 'file' && !absent(raw.file)) {
    throw invalid('logstore.file', `no file for the ${layout} layout (only the file layout names a file)`, raw.file);
  }
  if (layout !== 'env' && absent(raw.app)) throw invalid('logstore.app', `an app for the ${layout} layout`, raw.app);
  if (layout === 'file' && absent(raw.file)) throw invalid('logstore.file', 'a file for the file layout', raw.file);

  if (typeof raw.backend !== 'string' || raw.backend.trim() === '' || raw.backend.length > 128) {
    throw invalid('logstore.backend', 'the non-empty name of a configured backend (at most 128 characters)', raw.backend);
  }
  if (typeof raw.location !== 'object' || raw.location === null || Array.isArray(raw.location)) {
    throw invalid('logstore.location', 'an object', raw.location);
  }
  checkJson('logstore.location', raw.location);

  const logstore: Logstore = { id: raw.id, domain, layout, env, backend: raw.backend, location: structuredClone(raw.location) as Record<string, unknown> };
  if (layout !== 'env') logstore.app = validateName('logstore.app', raw.app);
  if (layout === 'file') logstore.file = validateName('logstore.file', raw.file);

  const minTs = optionalEpochMs('logstore.minTs', raw.minTs);
  const maxTs = optionalEpochMs('logstore.maxTs', raw.maxTs);
  if (minTs !== undefined && maxTs !== undefined && minTs > maxTs) {
    throw invalid('logstore.minTs', `at most logstore.maxTs (${maxTs})`, minTs);
  }
  if (minTs !== undefined) logstore.minTs = minTs;
  if (maxTs !== undefined) logstore.maxTs = maxTs;

  if (!absent(raw.active)) {
    if (typeof raw.active !== 'boolean') throw invalid('logstore.active', 'a boolean', raw.active);
    logstore.active = raw.active;
  }
  if (!absent(raw.sensitiveFields)) {
    if (!Array.isArray(raw.sensitiveFields)) throw invalid('logstore.sensitiveFields', 'an array of field names', raw.sensitiveFields);
    raw.sensitiveFields.forEach((f, i) => {
      if (typeof f !== 'string' || f === '' || f.length > 128) {
        throw invalid(`logstore.sensitiveFields[${i}]`, 'a non-empty field name of at most 128 characters', f);
      }
      if (f.startsWith('@') && !(MASK_KINDS as readonly string[]).includes(f.slice(1))) {
        throw invalid(`logstore.sensitiveFields[${i}]`, `a field name, or a detected kind: ${MASK_KINDS.map((k) => '@' + k).join(', ')}`, f);
      }
    });
    logstore.sensitiveFields = [...(raw.sensitiveFields as string[])];
  }
  return logstore;
}

/** The (domain, env, app, file) key two logstores may not share. */
export function logstoreKey(ls: Pick<Logstore, 'domain' | 'env' | 'app' | 'file'>): string {
  return JSON.stringify([ls.domain, ls.env, ls.app ?? '', ls.file ?? '']);
}

export function logstoreKeyConflict(ls: Logstore, holderId: string): LogfedError {
  const parts = [`domain ${show(ls.domain)}`, `env ${show(ls.env)}`];
  if (ls.app !== undefined) parts.push(`app ${show(ls.app)}`);
  if (ls.file !== undefined) parts.push(`file ${show(ls.file)}`);
  return conflict(`logstore ${show(ls.id)}: ${parts.join(', ')} is already held by logstore ${show(holderId)}`, {
    field: 'logstore.id',
    id: ls.id,
    holder: holderId,
  });
}

export function validateGatewayMapping(input: unknown): GatewayMapping {
  const raw = record('gatewayMapping', input, ['fromDomain', 'fromTraceId', 'toDomain', 'toTraceId', 'ts']);
  const mapping: GatewayMapping = {
    fromDomain: validateName('gatewayMapping.fromDomain', raw.fromDomain),
    fromTraceId: validateTraceId('gatewayMapping.fromTraceId', raw.fromTraceId),
    toDomain: validateName('gatewayMapping.toDomain', raw.toDomain),
    toTraceId: validateTraceId('gatewayMapping.toTraceId', raw.toTraceId),
  };
  if (mapping.fromDomain === mapping.toDomain && mapping.fromTraceId === mapping.toTraceId) {
    throw invalid('gatewayMapping.toTraceId', 'a different (toDomain, toTraceId) than the from side', mapping.toTraceId);
  }
  const ts = optionalEpochMs('gatewayMapping.ts', raw.ts);
  if (ts !== undefined) mapping.ts = ts;
  return mapping;
}

/** Checks the arguments of addAppFiles; files are deduplicated and sorted. */
export function validateAppFiles(domain: unknown, app: unknown, files: unknown): App {
  const checked: App = { domain: validateName('app.domain', domain), name: validateName('app.name', app), files: [] };
  if (!Array.isArray(files)) throw invalid('app.files', 'an array of file names', files);
  files.forEach((f, i) => validateName(`app.files[${i}]`, f));
  checked.files = [...new Set(files as string[])].sort();
  return checked;
}
