import { describe, expect, it } from 'vitest';
import { createMetricProcessor, validateProcessedRule, type DimensionLookup } from './processed.js';
import { row } from './test-events.js';

const CMDB: Record<string, Record<string, unknown>> = {
  '10.0.0.1': { ip: '10.0.0.1', owner: 'alice', biz_system: 'payments' },
  '10.0.0.2': { ip: '10.0.0.2', owner: 'bob', biz_system: 'search' },
};
const lookup: DimensionLookup = (table, match) => (table === 'cmdb_host' ? CMDB[match.ip!] : undefined);

const rule = {
  id: 'cpu_owned',
  source: 'cpu',
  lookups: [{ table: 'cmdb_host', match: { ip: 'key.host' }, add: { owner: 'owner', system: 'biz_system' } }],
  valueMaps: [{ field: 'values.result', map: { '-1': 'failed', '1': 'succeeded' } }],
};

describe('processed metrics', () => {
  it('adds key fields from a dimension table and maps values', () => {
    const p = createMetricProcessor(rule, { lookup });
    const [out] = p.process(row('cpu', '08:01:00', { host: '10.0.0.1' }, { cpu: 93, result: -1 }));
    expect(out).toMatchObject({ ruleId: 'cpu_owned', key: { host: '10.0.0.1', owner: 'alice', system: 'payments' }, values: { cpu: 93, result: 'failed' } });
  });

  it('keeps a row without a table entry unless told to drop it', () => {
    const r = row('cpu', '08:01:00', { host: '10.9.9.9' }, { cpu: 1 });
    expect(createMetricProcessor(rule, { lookup }).process(r)[0]!.key).toEqual({ host: '10.9.9.9' });
    const strict = createMetricProcessor({ ...rule, lookups: [{ ...rule.lookups[0], onMissing: 'drop' }] }, { lookup });
    expect(strict.process(r)).toEqual([]);
    expect(strict.stats()).toMatchObject({ received: 1, dropped: 1, lookupMisses: 1 });
  });

  it('leaves unmapped values alone, or writes the default; can write beside the original', () => {
    const p = createMetricProcessor(
      { id: 'x', source: 'y', valueMaps: [{ field: 'values.result', map: { '0': 'ok' }, default: 'other', as: 'result_text' }, { field: 'key.level', map: { W: 'WARN' } }] },
      { lookup },
    );
    const [out] = p.process(row('y', '08:01:00', { level: 'E' }, { result: 7 }));
    expect(out!.values).toEqual({ result: 7, result_text: 'other' });
    expect(out!.key).toEqual({ level: 'E' });
  });

  it('does not change the row it was given', () => {
    const r = row('cpu', '08:01:00', { host: '10.0.0.2' }, { result: 1 });
    const copy = structuredClone(r);
    createMetricProcessor(rule, { lookup }).process(r);
    expect(r).toEqual(copy);
  });

  it('filters rows with conditions', () => {
    const p = createMetricProcessor({ ...rule, where: [{ field: 'values.cpu', op: '>=', value: 90 }] }, { lookup });
    expect(p.process(row('cpu', '08:01:00', { host: '10.0.0.1' }, { cpu: 10 }))).toEqual([]);
  });

  it('rejects a value map on a field outside key or values', () => {
    expect(() => validateProcessedRule({ ...rule, valueMaps: [{ field: 'result', map: {} }] })).toThrow('processed.valueMaps[0].field: expected "key.<name>" or "values.<name>"');
    expect(() => validateProcessedRule({ ...rule, lookups: [{ table: 't', match: {}, add: { a: 'b' } }] })).toThrow('processed.lookups[0].match: at least one column to match on');
  });
});
