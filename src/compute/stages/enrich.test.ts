import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../core/event.js';
import { validateRule, type DimensionRule, type EnrichStep, type ProcessRule } from '../rules/index.js';
import { newStageCounts } from './counters.js';
import { DimensionTable, wordTokens, type Row } from './dimension.js';
import { compileEnrich, containsAllParts, containsWord } from './enrich.js';

const dimension = validateRule({ id: 'dim', kind: 'dimension', version: 1, online: true, sql: 'SELECT 1' }) as DimensionRule;
const step = (extra: object): EnrichStep =>
  (validateRule({ id: 'p', kind: 'process', version: 1, online: true, from: 'a', to: 'b', steps: [{ op: 'enrich', dimension: 'dim', ...extra }] }) as ProcessRule).steps[0] as EnrichStep;
const event = (fields: Record<string, unknown>, message = ''): LogEvent => ({ ts: 0, domain: 'd', env: 'e', app: 'a', file: 'f', message, fields });

async function tableOf(rows: Row[]) {
  const table = new DimensionTable(dimension, async () => rows);
  await table.refresh();
  return table;
}

describe('match kinds', () => {
  it('equals: the column value equals the field', async () => {
    const table = await tableOf([{ ip: '10.0.0.1', sys: 'orders' }, { ip: '10.0.0.2', sys: 'pay' }]);
    const enrich = compileEnrich(step({ match: [{ kind: 'equals', column: 'ip', field: 'host' }], set: { system: 'sys' } }), table, newStageCounts());
    const hit = { ...event({}), host: '10.0.0.2' };
    enrich(hit, 0);
    expect(hit.fields).toEqual({ system: 'pay' });
    const miss = { ...event({}), host: '10.0.0.9' };
    enrich(miss, 0);
    expect(miss.fields).toEqual({});
  });

  it('containsAll: the field contains every |-separated part', async () => {
    const table = await tableOf([{ words: 'timeout|payment', cause: 'gateway slow' }, { words: 'timeout', cause: 'generic timeout' }]);
    const enrich = compileEnrich(step({ match: [{ kind: 'containsAll', column: 'words', field: 'message' }], set: { cause: 'cause' } }), table, newStageCounts());
    const both = event({}, 'payment call hit a timeout');
    enrich(both, 0);
    expect(both.fields!.cause).toBe('gateway slow');
    const one = event({}, 'db timeout');
    enrich(one, 0);
    expect(one.fields!.cause).toBe('generic timeout');
  });

  it('sqlToken: the value occurs as a whole word, so order does not match order_item', async () => {
    const table = await tableOf([
      { tbl: 'order', owner: 'orders-team' },
      { tbl: 'order_item', owner: 'items-team' },
      { tbl: 'shop.stock', owner: 'stock-team' },
    ]);
    const enrich = compileEnrich(step({ match: [{ kind: 'sqlToken', column: 'tbl', field: 'sql' }], set: { owner: 'owner' } }), table, newStageCounts());
    const cases: [string, string | undefined][] = [
      ['select * from order_item where id=1', 'items-team'],
      ['UPDATE `order` SET paid=1', 'orders-team'],
      ['select * from order,user', 'orders-team'],
      ['insert into shop.stock values (1)', 'stock-team'],
      ['select * from orders', undefined],
      ['select * from shop.stocks', undefined],
    ];
    for (const [sql, owner] of cases) {
      const e = event({ sql });
      enrich(e, 0);
      expect([sql, e.fields!.owner]).toEqual([sql, owner]);
    }
  });

  it('ANDs conditions, checks equals first whatever the order, and takes the first row in table order', async () => {
    const table = await tableOf([
      { app: 'pay', tbl: 'refund', team: 'A' },
      { app: 'shop', tbl: 'refund', team: 'B' },
      { app: 'shop', tbl: 'refund', team: 'C' },
    ]);
    const enrich = compileEnrich(
      step({
        match: [{ kind: 'sqlToken', column: 'tbl', field: 'sql', ignoreCase: true }, { kind: 'equals', column: 'app', field: 'app' }],
        set: { team: 'team' },
      }),
      table,
      newStageCounts(),
    );
    const e = { ...event({ sql: 'DELETE FROM REFUND where id=3' }), app: 'shop' };
    enrich(e, 0);
    expect(e.fields!.team).toBe('B');
  });

  it('drops or fills defaults on a miss, and counts hits and misses', async () => {
    const table = await tableOf([{ k: '1', v: 'one' }]);
    const counts = newStageCounts();
    const drop = compileEnrich(step({ match: [{ kind: 'equals', column: 'k', field: 'k' }], set: { v: 'v' }, onMiss: 'drop' }), table, counts);
    expect(drop(event({ k: 2 }), 0)).toBe(false);
    expect(drop(event({ k: 1 }), 0)).toBe(true);
    const fill = compileEnrich(step({ match: [{ kind: 'equals', column: 'k', field: 'k' }], set: { v: 'v' }, defaults: { v: 'unknown' } }), table, counts);
    const e = event({ k: 'x' });
    expect(fill(e, 0)).toBe(true);
    expect(e.fields!.v).toBe('unknown');
    expect(counts.detail).toEqual({ enrichMiss: 2, enrichHit: 1 });
  });
});

describe('DimensionTable', () => {
  it('keeps the last good rows when a refresh fails, counts it, and picks up the next good load', async () => {
    let version = 1;
    let fail = false;
    const table = new DimensionTable(dimension, async () => {
      if (fail) throw new Error('connection refused');
      return [{ k: 'a', v: `v${version}` }];
    });
    const counts = newStageCounts();
    const enrich = compileEnrich(step({ match: [{ kind: 'equals', column: 'k', field: 'k' }], set: { v: 'v' } }), table, counts);
    const look = () => {
      const e = event({ k: 'a' });
      enrich(e, 0);
      return e.fields!.v;
    };
    expect(look()).toBeUndefined();
    expect(counts.detail.dimensionNotLoaded).toBe(1);
    expect(await table.refresh()).toBe(true);
    expect(look()).toBe('v1');
    fail = true;
    version = 2;
    expect(await table.refresh()).toBe(false);
    expect(look()).toBe('v1');
    expect(table.stats()).toMatchObject({ rows: 1, refreshes: 1, failures: 1, lastError: 'connection refused' });
    fail = false;
    expect(await table.refresh()).toBe(true);
    expect(look()).toBe('v2');
  });

  it('refuses a result larger than maxRows', async () => {
    const small = { ...dimension, maxRows: 2 };
    const table = new DimensionTable(small, async () => [{}, {}, {}]);
    expect(await table.refresh()).toBe(false);
    expect(table.stats().lastError).toBe('3 rows; the limit is 2');
    expect(table.snapshot).toBeUndefined();
  });

  it('shares one load between concurrent refreshes', async () => {
    let loads = 0;
    const table = new DimensionTable(dimension, async () => (loads++, []));
    await Promise.all([table.refresh(), table.refresh(), table.refresh()]);
    expect(loads).toBe(1);
  });
});

describe('word helpers', () => {
  it.each([
    ['select * from t_order where x', 't_order', true],
    ['select * from t_order_item', 't_order', false],
    ['(t_order)', 't_order', true],
    ['t_order', 't_order', true],
    ['xt_order', 't_order', false],
    ['订单t_order', 't_order', false],
  ])('containsWord(%j, %j) is %s', (hay, needle, ok) => expect(containsWord(hay, needle)).toBe(ok));

  it('splits tokens on anything but word characters', () => {
    expect(wordTokens('SELECT a.b, c_d FROM `x`;')).toEqual(['SELECT', 'a', 'b', 'c_d', 'FROM', 'x']);
  });

  it('needs at least one part', () => {
    expect(containsAllParts('abc', [])).toBe(false);
    expect(containsAllParts('abc', ['a', 'c'])).toBe(true);
  });
});
