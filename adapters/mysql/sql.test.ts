import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Target } from '../../src/query/types.js';
import { parseLocation } from './location.js';
import { buildPage, levelSpellings, likePattern, rowTs, tsParam } from './sql.js';
import { tableSpec, type TableSpec } from './table.js';

const spec: TableSpec = {
  table: 'logs',
  cols: { ts: 'ts', id: 'id', message: 'message', level: 'level', app: 'app', file: 'file', traceId: 'trace_id', env: 'env' },
  tsKind: 'datetime',
  intId: true,
  fulltext: false,
};
const target: Target = { id: 't', domain: 'shop', env: 'prod', logstore: { id: 's', domain: 'shop', env: 'prod', layout: 'env', backend: 'm', location: { table: 'logs' } } };
const filter = { from: Date.UTC(2026, 10, 21), to: Date.UTC(2026, 10, 22), keywords: { include: [], exclude: [] } };

describe('SQL of a page', () => {
  it('escapes LIKE wildcards and its escape character', () => {
    expect(likePattern('100%')).toBe('%100!%%');
    expect(likePattern('user_1!')).toBe('%user!_1!!%');
    expect(likePattern('C:\\data')).toBe('%C:\\data%');
  });

  it('asks for every stored spelling of a level', () => {
    expect(levelSpellings(['warn']).sort()).toEqual(['WARN', 'WARNING']);
    expect(levelSpellings(['ERROR', 'fatal']).sort()).toEqual(['CRIT', 'CRITICAL', 'ERR', 'ERROR', 'FATAL', 'PANIC', 'SEVERE']);
  });

  it('keysets on (ts, id) in the order asked', () => {
    const asc = buildPage(spec, { target, filter, order: 'asc', limit: 10, after: { ts: filter.from + 5, id: '42' } });
    expect(asc.sql).toContain('(`ts` > ? OR (`ts` = ? AND `id` > CAST(? AS DECIMAL(20,0))))');
    expect(asc.sql).toMatch(/ORDER BY `ts` ASC, `id` ASC LIMIT \?$/);
    expect(asc.params).toEqual(['2026-11-21 00:00:00.000', '2026-11-22 00:00:00.000', 'prod', '2026-11-21 00:00:00.005', '2026-11-21 00:00:00.005', '42', 10]);
    const desc = buildPage({ ...spec, intId: false }, { target, filter, order: 'desc', limit: 3, after: { ts: filter.from, id: 'abc' } });
    expect(desc.sql).toContain('(`ts` < ? OR (`ts` = ? AND `id` < ?))');
    expect(desc.sql).toMatch(/ORDER BY `ts` DESC, `id` DESC LIMIT \?$/);
  });

  it('never puts a value into the SQL text', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1 }), { maxLength: 3 }), fc.string({ minLength: 1 }), fc.array(fc.string(), { maxLength: 2 }), (terms, trace, apps) => {
        const q = buildPage(spec, {
          target: { ...target, apps: apps.length ? apps : undefined },
          filter: { ...filter, keywords: { include: terms, exclude: terms }, traceId: trace, levels: ['INFO'] },
          order: 'desc',
          limit: 5,
        });
        // The text is fixed for a given shape of query: only placeholders vary in number.
        const shape = buildPage(spec, {
          target: { ...target, apps: apps.length ? apps.map(() => 'a') : undefined },
          filter: { ...filter, keywords: { include: terms.map(() => 'k'), exclude: terms.map(() => 'k') }, traceId: 't', levels: ['INFO'] },
          order: 'desc',
          limit: 5,
        });
        expect(q.sql).toBe(shape.sql);
        expect(q.params.length).toBe((q.sql.match(/\?/g) ?? []).length);
      }),
      { seed: 9 },
    );
  });

  it('uses MATCH … AGAINST for indexable terms when the location asks for full text, LIKE as well for exactness', () => {
    const q = buildPage({ ...spec, fulltext: true }, { target, filter: { ...filter, keywords: { include: ['order', 'say "hi"', '%'], exclude: [] } }, order: 'desc', limit: 5 });
    expect(q.sql).toContain('MATCH(`message`) AGAINST (? IN BOOLEAN MODE)');
    expect(q.params).toContain('+"order"');
    expect(q.sql.match(/LIKE CAST/g)).toHaveLength(3);
  });

  it('converts timestamps both ways in UTC, clamping what DATETIME cannot hold', () => {
    expect(tsParam(spec, Date.UTC(2026, 10, 21, 10, 15, 2, 123))).toBe('2026-11-21 10:15:02.123');
    expect(tsParam(spec, Number.MAX_SAFE_INTEGER)).toBe('9999-12-31 23:59:59.999');
    expect(tsParam({ ...spec, tsKind: 'epoch_ms' }, 1234)).toBe(1234);
    expect(rowTs(spec, '2026-11-21 10:15:02.123000')).toBe(Date.UTC(2026, 10, 21, 10, 15, 2, 123));
    expect(rowTs({ ...spec, tsKind: 'epoch_ms' }, '1795255200123')).toBe(1795255200123);
  });
});

describe('location and table spec', () => {
  const store = (location: Record<string, unknown>) => ({ id: 'logs-1', domain: 'd', env: 'e', layout: 'env' as const, backend: 'm', location });

  it('names the field, the expectation and what came', () => {
    expect(() => parseLocation(store({ table: 'logs; DROP TABLE x' }))).toThrow(/logs-1: location\.table: expected an identifier .* \(got "logs; DROP TABLE x"\)/);
    expect(() => parseLocation(store({ table: 'logs', columns: { ts: 'a b' } }))).toThrow(/location\.columns\.ts: expected an identifier/);
    expect(() => parseLocation(store({ table: 'logs', columns: { time: 'x' } }))).toThrow(/location\.columns: Unrecognized key.*time/);
    expect(() => parseLocation(store({ table: 'logs', index: 'x' }))).toThrow(/Unrecognized key.*index/);
  });

  it('uses default columns that exist, and refuses configured or required ones that do not', () => {
    const cols = new Map([
      ['id', 'bigint'],
      ['ts', 'datetime'],
      ['message', 'text'],
      ['level', 'varchar'],
    ]);
    expect(tableSpec(parseLocation(store({ table: 'logs' })), cols).cols).toEqual({ id: 'id', ts: 'ts', message: 'message', level: 'level' });
    expect(() => tableSpec(parseLocation(store({ table: 'logs', columns: { app: 'service' } })), cols)).toThrow(/location\.columns\.app: table logs has no column service/);
    expect(() => tableSpec(parseLocation(store({ table: 'logs', columns: { message: 'msg' } })), cols)).toThrow(/location\.columns\.message/);
    expect(() => tableSpec(parseLocation(store({ table: 'logs' })), new Map([...cols, ['ts', 'varchar']]))).toThrow(/columns\.ts: column ts is varchar/);
    expect(() => tableSpec(parseLocation(store({ table: 'gone' })), new Map())).toThrow(/table gone does not exist/);
  });
});
