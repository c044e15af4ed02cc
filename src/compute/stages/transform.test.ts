import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../core/event.js';
import { validateRule, type ProcessRule, type ProcessStep } from '../rules/index.js';
import { newStageCounts } from './counters.js';
import { bareIp, compileTransform, lookupIp } from './transform.js';

type Transform = Exclude<ProcessStep, { op: 'enrich' }>;
const step = (s: object) => (validateRule({ id: 'p', kind: 'process', version: 1, online: true, from: 'a', to: 'b', steps: [s] }) as ProcessRule).steps[0] as Transform;
const event = (fields: Record<string, unknown>, ts = Date.parse('2026-11-21T08:00:03.456Z')): LogEvent => ({ ts, domain: 'd', env: 'e', app: 'a', file: 'f', message: 'm', fields });
const apply = (s: object, e: LogEvent, now = 0) => {
  const counts = newStageCounts();
  compileTransform(step(s), counts)(e, now);
  return { e, counts };
};

describe('alignTime', () => {
  it.each([
    ['event time to a field', { op: 'alignTime', to: 'minute' }, {}, { minute: Date.parse('2026-11-21T08:00:00Z') }],
    ['epoch seconds stay seconds', { op: 'alignTime', field: 'at' }, { at: 1795248063 }, { at: 1795248060 }],
    ['epoch ms stay ms', { op: 'alignTime', field: 'at' }, { at: 1795248063999 }, { at: 1795248060000 }],
    ['strings become yyyy-MM-dd HH:mm:ss', { op: 'alignTime', field: 'at' }, { at: '2026-11-21 08:00:59.999' }, { at: '2026-11-21 08:00:00' }],
    ['to the hour in a zone', { op: 'alignTime', field: 'at', unit: 'hour', timeZone: '+05:30', format: 'iso' }, { at: '2026-11-21T08:00:03Z' }, { at: '2026-11-21T13:00:00.000+05:30' }],
  ])('%s', (_name, s, fields, expected) => {
    expect(apply(s, event(fields)).e.fields).toEqual(expected);
  });

  it('aligns the event time itself', () => {
    expect(apply({ op: 'alignTime' }, event({})).e.ts).toBe(Date.parse('2026-11-21T08:00:00Z'));
  });

  it('counts a value it cannot read and leaves it', () => {
    const { e, counts } = apply({ op: 'alignTime', field: 'at' }, event({ at: 'soon' }));
    expect(e.fields).toEqual({ at: 'soon' });
    expect(counts.detail).toEqual({ timeUnreadable: 1 });
  });
});

describe('unifyTime', () => {
  const s = { op: 'unifyTime', field: 'at', timeZone: '+08:00' };
  it.each([
    [1795248063, '2026-11-21 16:01:03'],
    [1795248063123, '2026-11-21 16:01:03'],
    ['1795248063123', '2026-11-21 16:01:03'],
    ['2026-11-21 16:01:03', '2026-11-21 16:01:03'],
    ['2026-11-21 16:01:03.123', '2026-11-21 16:01:03'],
    ['2026-11-21T08:01:03Z', '2026-11-21 16:01:03'],
    ['21/Nov/2026:16:01:03 +0800', '2026-11-21 16:01:03'],
    ['20261121160103', '2026-11-21 16:01:03'],
  ])('%j -> %s', (input, expected) => {
    expect(apply(s, event({ at: input })).e.fields!.at).toBe(expected);
  });

  it('writes another format to another field', () => {
    const { e } = apply({ ...s, to: 'atMs', format: 'epochMs' }, event({ at: '2026-11-21 16:01:03' }));
    expect(e.fields).toEqual({ at: '2026-11-21 16:01:03', atMs: Date.parse('2026-11-21T08:01:03Z') });
  });
});

describe('ipRegion', () => {
  it('finds the country of a public address, with region and city where the data has them', () => {
    const { e } = apply({ op: 'ipRegion', field: 'client', to: 'country', regionTo: 'region', cityTo: 'city' }, event({ client: '223.5.5.5:53' }));
    expect(e.fields).toMatchObject({ country: 'CN' });
    expect(lookupIp('8.8.8.8')?.country).toBe('US');
  });

  it('counts private and unreadable addresses and writes nothing', () => {
    for (const client of ['10.1.2.3', '127.0.0.1', 'not-an-ip', undefined]) {
      const { e, counts } = apply({ op: 'ipRegion', field: 'client', to: 'country' }, event({ client }));
      expect(e.fields!.country).toBeUndefined();
      expect(counts.detail).toEqual({ ipUnknown: 1 });
    }
  });

  it.each([
    ['1.2.3.4:8080', '1.2.3.4'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    [' 8.8.8.8 ', '8.8.8.8'],
  ])('bareIp(%j) is %s', (input, expected) => expect(bareIp(input)).toBe(expected));
});

describe('receiveTime', () => {
  it('stamps the time the pipeline received the record', () => {
    const now = Date.parse('2026-11-21T08:00:00Z');
    expect(apply({ op: 'receiveTime' }, event({}), now).e.fields).toEqual({ receivedAt: now });
    expect(apply({ op: 'receiveTime', to: 'rt', format: 'yyyy-MM-dd HH:mm:ss', timeZone: 'Asia/Shanghai' }, event({}), now).e.fields).toEqual({ rt: '2026-11-21 16:00:00' });
  });
});
