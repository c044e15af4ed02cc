import { describe, expect, it } from 'vitest';
import { LogfedError } from '../errors/index.js';
import { encodeCursor } from './cursor.js';
import { normaliseInput } from './normalise.js';
import { DEFAULT_LIMITS, type SearchInput } from './request.js';

const NOW = 1_700_000_000_000;
const H = 3600_000;
const norm = (input: SearchInput, limits = DEFAULT_LIMITS) => normaliseInput(input, limits, NOW);

function rejection(input: SearchInput, limits = DEFAULT_LIMITS): LogfedError {
  try {
    norm(input, limits);
  } catch (e) {
    return e as LogfedError;
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('normalise', () => {
  it('applies the defaults: the last hour up to now, desc, 100 per page', () => {
    const q = norm({});
    expect(q.filter).toMatchObject({ from: NOW - H, to: NOW, keywords: { include: [], exclude: [] } });
    expect(q.order).toBe('desc');
    expect(q.first).toBe(100);
  });

  it('fills a missing end of the range', () => {
    expect(norm({ from: NOW - 5 * H }).filter).toMatchObject({ from: NOW - 5 * H, to: NOW });
    expect(norm({ to: NOW - H }).filter).toMatchObject({ from: NOW - 2 * H, to: NOW - H });
  });

  it('refuses a range wider than maxSpanMs and says the limit', () => {
    const e = rejection({ from: NOW - 8 * 24 * H, to: NOW });
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.message).toBe('the time range spans 8 days; the limit is 7 days (maxSpanMs=604800000)');
    expect(rejection({ from: NOW - 3 * H, to: NOW }, { ...DEFAULT_LIMITS, maxSpanMs: 2 * H }).message).toMatch(/limit is 2 hours/);
    expect(norm({ from: NOW - 7 * 24 * H, to: NOW }).filter.from).toBe(NOW - 7 * 24 * H);
  });

  it('refuses an empty or reversed range and non-integer times', () => {
    expect(rejection({ from: NOW, to: NOW }).message).toMatch(/must be before/);
    expect(rejection({ from: 1.5, to: NOW }).message).toMatch(/from must be epoch milliseconds/);
  });

  it('refuses first above the maximum or below 1', () => {
    expect(rejection({ first: 1001 }).message).toBe('first must be an integer from 1 to 1000, got 1001');
    expect(rejection({ first: 0 }).code).toBe('BAD_USER_INPUT');
    expect(norm({ first: 1000 }).first).toBe(1000);
  });

  it('parses keywords, normalises levels, trims names and drops duplicates', () => {
    const q = norm({ keywords: 'order 42 -"health check"', levels: ['warning', 'error'], apps: [' b', 'a', 'b'], traceId: ' t1 ' });
    expect(q.filter.keywords).toEqual({ include: ['order', '42'], exclude: ['health check'] });
    expect(q.filter.levels).toEqual(['ERROR', 'WARN']);
    expect(q.apps).toEqual(['a', 'b']);
    expect(q.filter.traceId).toBe('t1');
    expect(rejection({ apps: ['a', ' '] }).message).toBe('apps contains a blank name');
  });

  it('compiles the regex once and refuses an invalid one as BAD_USER_INPUT', () => {
    const q = norm({ regex: 'id=\\d+' });
    expect(q.regexMatcher?.('id=12')).toBe(true);
    expect(q.filter.regex).toBe('id=\\d+');
    const e = rejection({ regex: '(a' });
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(rejection({ regex: '(a)\\1' }).message).toMatch(/RE2 syntax/);
  });

  it('rejects unknown arguments and wrong types naming the argument', () => {
    expect(rejection({ form: 1 } as unknown as SearchInput).message).toMatch(/^input: Unrecognized key/);
    expect(rejection({ order: 'up' } as unknown as SearchInput).message).toMatch(/^order:/);
  });

  it('fingerprints the query but not the page size or name order', () => {
    const a = norm({ domains: ['x', 'y'], keywords: 'k', first: 10 });
    expect(norm({ domains: ['y', 'x'], keywords: 'k', first: 50 }).fingerprint).toBe(a.fingerprint);
    expect(norm({ domains: ['x', 'y'], keywords: 'k2' }).fingerprint).not.toBe(a.fingerprint);
    expect(norm({ domains: ['x', 'y'], keywords: 'k', order: 'asc' }).fingerprint).not.toBe(a.fingerprint);
    expect(norm({ domains: ['x', 'y'], keywords: 'k', from: NOW - H }).fingerprint).not.toBe(a.fingerprint);
  });

  it('resumes with the cursor range, so a defaulted "now" does not move between pages', () => {
    const first = norm({ keywords: 'k' });
    const cursor = encodeCursor(first.fingerprint, { range: { from: 5, to: 10 }, positions: new Map(), exhausted: new Set(), unbounded: new Set() });
    const later = normaliseInput({ keywords: 'k', after: cursor }, DEFAULT_LIMITS, NOW + H);
    expect(later.filter).toMatchObject({ from: 5, to: 10 });
    expect(later.resume?.range).toEqual({ from: 5, to: 10 });
    expect(rejection({ keywords: 'other', after: cursor }).message).toMatch(/different query/);
  });
});
